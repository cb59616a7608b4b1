-- Valid answers (n_h) and answers in the reported group (r_h) per question and weighting cell,
-- optionally split by a subgroup column. Missing codes are excluded from n_h (instrument.md).
-- {cells} and {by} are filled by weighting.py from whitelisted column names; {source} is
-- `respondents`, or with a sample the same rows with cell columns from their sample stratum.
WITH people AS (
    SELECT respondent_key, {cells}{by}
    FROM {source}
    WHERE council = $council AND wave = $wave AND instrument = $instrument
)
SELECT a.question_code, any_value(a.domain) AS domain, {cell_names}{by_name},
       count(*) FILTER (WHERE NOT a.is_missing) AS n,
       count(*) FILTER (WHERE a.is_positive) AS r
FROM answers_scored AS a
JOIN people AS p USING (respondent_key)
WHERE a.council = $council AND a.wave = $wave AND a.instrument = $instrument
  AND a.section = $section
GROUP BY ALL
