-- Base (valid answers) and count in the reported group per question and subgroup value, for one
-- council (or all councils when $council is NULL) and wave: one GROUP BY over answers_scored.
-- {subgroup} is a folded respondents column built by subgroups.py from a fixed list (never user
-- text): blanks and "don't know"-style codes become 'not_known'.
WITH people AS (
    SELECT council, respondent_key, {subgroup}
    FROM respondents
    WHERE ($council IS NULL OR council = $council)
      AND wave = $wave
      AND instrument = $instrument
)
SELECT a.question_code,
       any_value(a.domain) AS domain,
       p.subgroup_value,
       count(*) FILTER (WHERE NOT a.is_missing) AS n,
       count(*) FILTER (WHERE a.is_positive) AS count
FROM answers_scored AS a
JOIN people AS p USING (council, respondent_key)
WHERE ($council IS NULL OR a.council = $council)
  AND a.wave = $wave
  AND a.instrument = $instrument
  AND a.section = $section
GROUP BY ALL
