-- One row per respondent for the drivers model: each outcome as 1 (better), 0 (a valid answer
-- that is not better) or NULL (missing); each process item as 'yes' (its positive group: easy,
-- knew, fully), 'no' (answered otherwise) or 'not_answered'; plus the adjusters.
-- {adjusters} (folded respondents columns) and {pivots} are built by drivers.py from the
-- instrument's question codes, never from user text. $council / $wave NULL mean all.
WITH scoped AS (
    SELECT council, wave, respondent_key, question_code, is_missing, is_positive
    FROM answers_scored
    WHERE instrument = $instrument
      AND ($council IS NULL OR council = $council)
      AND ($wave IS NULL OR wave = $wave)
      AND section IN ('outcomes', 'process')
)
SELECT r.council, r.wave, r.respondent_key, {adjusters}, {pivots}
FROM respondents AS r
JOIN scoped AS s USING (council, wave, respondent_key)
WHERE r.instrument = $instrument
  AND ($council IS NULL OR r.council = $council)
  AND ($wave IS NULL OR r.wave = $wave)
GROUP BY ALL
