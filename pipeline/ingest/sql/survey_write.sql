-- Write the accepted returns of a staged survey file. Placeholders in braces are identifiers
-- built from the instrument; values come as $parameters. `coded` holds one row per accepted
-- return with every answer already translated to its canonical code (NULL = blank or invalid),
-- so the long `answers` rows come from one UNPIVOT without a join on millions of rows.
CREATE OR REPLACE TEMP TABLE coded AS
SELECT a.respondent_key, a.source_row, {coded_values}
FROM accepted AS a
JOIN "{raw}" AS r USING (source_row)
{coded_joins}
WHERE a.rejection IS NULL;

INSERT INTO respondents (respondent_key, instrument, instrument_version, council, wave,
                         {field_names}, load_id, source_row)
SELECT respondent_key, $instrument, $version, $council, $wave, {field_values}, $load_id, source_row
FROM coded;

INSERT INTO answers (respondent_key, instrument, council, wave, question_code, answer_code, load_id)
SELECT respondent_key, $instrument, $council, $wave, question_code, answer_code, $load_id
FROM (
    UNPIVOT (SELECT respondent_key, {coded_names} FROM coded)
    ON COLUMNS(* EXCLUDE (respondent_key)) INTO NAME question_code VALUE answer_code
);

INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, a.source_row, {id_column_name}, {id_raw_value}, a.rejection, true
FROM accepted AS a
WHERE a.rejection IS NOT NULL;
