-- Decide which returns of a staged survey file load, and which are quarantined whole.
-- the raw table: the file (c0.., source_row); row_keys: source_row -> respondent_key.
-- A later copy of a return (same council, respondent, wave, instrument) is quarantined whole,
-- whether the first copy is earlier in this file or already in the database.
CREATE OR REPLACE TEMP TABLE accepted AS
WITH keyed AS (
    SELECT k.source_row, k.respondent_key, {answered} AS answered_questions,
           row_number() OVER (PARTITION BY k.respondent_key ORDER BY k.source_row) AS copy_number
    FROM "{raw}" AS r
    JOIN row_keys AS k USING (source_row)
)
SELECT keyed.source_row, keyed.respondent_key,
       CASE
           WHEN previous.respondent_key IS NOT NULL
               THEN 'duplicate return: this respondent''s return for this wave and instrument was already loaded'
           WHEN keyed.copy_number > 1
               THEN 'duplicate return: an earlier row of this file has the same respondent reference'
           WHEN keyed.answered_questions = 0
               THEN 'no answers: the return has no recognisable answer to any question'
       END AS rejection
FROM keyed
LEFT JOIN (
    SELECT respondent_key FROM respondents
    WHERE council = $council AND wave = $wave AND instrument = $instrument
) AS previous USING (respondent_key);
