-- Base (valid answers) and count in the reported group per question and subgroup value, for one
-- council (or all councils when $council is NULL) and wave, for several subgroup columns in one
-- pass: a GROUPING SETS over answers_scored joined to the respondents' folded characteristics.
-- {folded} lists the folded respondents columns (blanks and "don't know"-style codes become
-- 'not_known', so a folded value is never NULL); {subgroup_name} and {subgroup_value} pick the
-- column of each grouping set; {grouping_sets} has one (question_code, column) set per column.
-- All are built by subgroups.py from a fixed list of column names, never from user text.
WITH people AS (
    SELECT council, respondent_key, {folded}
    FROM respondents
    WHERE ($council IS NULL OR council = $council)
      AND wave = $wave
      AND instrument = $instrument
)
SELECT a.question_code,
       any_value(a.domain) AS domain,
       {subgroup_name} AS subgroup,
       {subgroup_value} AS subgroup_value,
       count(*) FILTER (WHERE NOT a.is_missing) AS n,
       count(*) FILTER (WHERE a.is_positive) AS count
FROM answers_scored AS a
JOIN people AS p USING (council, respondent_key)
WHERE ($council IS NULL OR a.council = $council)
  AND a.wave = $wave
  AND a.instrument = $instrument
  AND a.section = $section
GROUP BY GROUPING SETS ({grouping_sets})
