-- Decide which returns of a staged survey file load and which are quarantined whole, in one
-- pass over `coded`. reference_keys: one row per distinct reference (or per row without one)
-- with its pseudonym and the first row it appears on. A later copy of a return (same council,
-- respondent, wave and instrument) is quarantined whole, whether the first copy is earlier in
-- this file or already in the database; a row with no valid answer at all is quarantined too.
-- `coded` holds each row's reference, so this needs no join back to the raw table; `accepted`
-- keeps the return id, the "about you" answer ids and the free text, so writing respondents and
-- comments needs no join.
CREATE OR REPLACE TEMP TABLE reference_keys AS
SELECT k.*, previous.respondent_key IS NOT NULL AS previously_loaded
FROM reference_keys_view AS k
LEFT JOIN (
    SELECT respondent_key FROM respondents
    WHERE council = $council AND wave = $wave AND instrument = $instrument
) AS previous USING (respondent_key);

-- Each row finds its key by its reference. Most rows are the first (or only) row of their
-- reference, and find it by row number, an integer join; only the later copies join by the
-- reference text, and only they are hashed for it (a million-row file: 0.35 s against 0.5 s).
CREATE OR REPLACE TEMP TABLE accepted AS
WITH keyed AS (
    SELECT c.*, k.respondent_key, k.first_row, k.previously_loaded
    FROM coded AS c
    JOIN reference_keys AS k ON k.first_row = c.source_row
    UNION ALL
    SELECT c.*, k.respondent_key, k.first_row, k.previously_loaded
    FROM (SELECT * FROM coded ANTI JOIN reference_keys AS f ON f.first_row = coded.source_row) AS c
    JOIN reference_keys AS k ON k.raw_id = c.reference
)
SELECT c.source_row, c.return_id, c.respondent_key,
       CASE
           WHEN c.previously_loaded
               THEN 'duplicate return: this respondent''s return for this wave and instrument was already loaded'
           WHEN c.source_row <> c.first_row
               THEN 'duplicate return: an earlier row of this file has the same respondent reference'
           WHEN coalesce({any_answer}) IS NULL
               THEN 'no answers: the return has no recognisable answer to any question'
       END AS rejection{kept_columns}
FROM keyed AS c;
