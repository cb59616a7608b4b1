-- "People like me": base (valid answers) and count saying better per council, situation column,
-- situation value and outcome question, for every council of one wave and instrument in one
-- pass (a GROUPING SETS over answers_scored joined to the respondents' folded situations).
-- {folded} lists the folded respondents columns (blanks and "don't know"-style codes become
-- 'not_known', so the values of one column always add up to the council's whole base);
-- {situation_name}, {situation_value} and {grouping_sets} pick the column of each grouping set.
-- All are built by people_like_me.py from a fixed list of column names, never from user text.
WITH people AS (
    SELECT council, respondent_key, {folded}
    FROM respondents
    WHERE wave = $wave AND instrument = $instrument
)
SELECT a.council,
       a.question_code,
       any_value(a.domain) AS domain,
       {situation_name} AS situation,
       {situation_value} AS situation_value,
       count(*) FILTER (WHERE NOT a.is_missing) AS n,
       count(*) FILTER (WHERE a.is_positive) AS count
FROM answers_scored AS a
JOIN people AS p USING (council, respondent_key)
WHERE a.wave = $wave
  AND a.instrument = $instrument
  AND a.section = 'outcomes'
GROUP BY GROUPING SETS ({grouping_sets})
