-- Write the accepted returns from `coded` (see survey_coded.sql); the raw file table is
-- already dropped, so the long answers insert has the memory to itself.
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
