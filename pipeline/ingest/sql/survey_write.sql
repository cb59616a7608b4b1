-- Write the accepted returns from `coded` (see survey_coded.sql); the raw file table is
-- already dropped, so the long answers insert has the memory to itself.
INSERT INTO respondents (return_id, respondent_key, instrument, instrument_version, council, wave,
                         {field_names}, load_id, source_row)
SELECT c.return_id, a.respondent_key, $instrument, $version, $council, $wave, {field_values},
       $load_id, c.source_row
FROM coded AS c
JOIN accepted AS a USING (source_row)
WHERE a.rejection IS NULL;

INSERT INTO answer_values (return_id, question_id, answer_id)
SELECT return_id, question_id, answer_id
FROM (
    SELECT return_id, unnest([{question_ids}]) AS question_id, unnest([{answer_columns}]) AS answer_id
    FROM coded
    ANTI JOIN (SELECT source_row FROM accepted WHERE rejection IS NOT NULL) AS rejected
        USING (source_row)
)
WHERE answer_id IS NOT NULL;

INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, a.source_row, {id_column_name}, {id_raw_value}, a.rejection, true
FROM accepted AS a
WHERE a.rejection IS NOT NULL;
