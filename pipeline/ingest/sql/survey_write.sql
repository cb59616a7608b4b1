-- Write the accepted returns (see survey_accept.sql) and their answers from `coded` (see
-- survey_coded.sql); the raw file table is already dropped, so the long answers insert has the
-- memory to itself. "About you" answers are stored as codes: $code_of_id holds each code at its
-- id's list position.
INSERT INTO respondents (return_id, respondent_key, instrument, instrument_version, council, wave,
                         {field_names}, load_id, source_row)
SELECT a.return_id, a.respondent_key, $instrument, $version, $council, $wave, {field_values},
       $load_id, a.source_row
FROM accepted AS a
WHERE a.rejection IS NULL;

-- One SELECT per question (each leaves out the quarantined returns): the rows arrive a question
-- at a time, which DuckDB stores faster than one unnest of every question per return (1.2 s
-- against 1.35 s for 35 million rows, issue 12).
CREATE OR REPLACE TEMP TABLE rejected AS
SELECT source_row FROM accepted WHERE rejection IS NOT NULL;

INSERT INTO answer_values (return_id, question_id, answer_id)
{answers};

INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, a.source_row, {id_column_name}, {id_raw_value}, a.rejection, true
FROM accepted AS a
WHERE a.rejection IS NOT NULL;
