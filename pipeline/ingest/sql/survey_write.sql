-- Write the accepted returns of a staged survey file. Placeholders in braces are identifiers
-- built from the instrument; values come as $parameters.
INSERT INTO respondents (respondent_key, instrument, instrument_version, council, wave,
                         {field_names}, load_id, source_row)
SELECT a.respondent_key, $instrument, $version, $council, $wave, {field_values},
       $load_id, a.source_row
FROM accepted AS a
JOIN "{raw}" AS r USING (source_row)
{field_joins}
WHERE a.rejection IS NULL;

INSERT INTO answers (respondent_key, instrument, council, wave, question_code, answer_code, load_id)
SELECT a.respondent_key, $instrument, $council, $wave, u.question_code, m.answer_code, $load_id
FROM (
    UNPIVOT (SELECT source_row, {coded_columns} FROM "{raw}")
    ON COLUMNS(* EXCLUDE (source_row)) INTO NAME question_code VALUE raw_value
) AS u
JOIN value_map AS m ON m.question_code = u.question_code AND m.raw_value = u.raw_value
JOIN accepted AS a ON a.source_row = u.source_row
WHERE a.rejection IS NULL AND m.answer_code IS NOT NULL;

INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, u.source_row, h.column_name, u.raw_value, m.reason, false
FROM (
    UNPIVOT (SELECT source_row, {coded_columns} FROM "{raw}")
    ON COLUMNS(* EXCLUDE (source_row)) INTO NAME question_code VALUE raw_value
) AS u
JOIN value_map AS m ON m.question_code = u.question_code AND m.raw_value = u.raw_value
JOIN accepted AS a ON a.source_row = u.source_row
JOIN column_names AS h ON h.question_code = u.question_code
WHERE a.rejection IS NULL AND m.answer_code IS NULL;

INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, a.source_row, {id_column_name}, {id_raw_value}, a.rejection, true
FROM accepted AS a
JOIN "{raw}" AS r USING (source_row)
WHERE a.rejection IS NOT NULL;
