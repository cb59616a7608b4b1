-- Free-text answers of accepted returns go to comments, never to answers.
INSERT INTO comments (respondent_key, instrument, council, wave, question_code, comment_text, load_id)
SELECT a.respondent_key, $instrument, $council, $wave, u.question_code, trim(u.comment_text), $load_id
FROM (
    UNPIVOT (SELECT source_row, {text_columns} FROM "{raw}")
    ON COLUMNS(* EXCLUDE (source_row)) INTO NAME question_code VALUE comment_text
) AS u
JOIN accepted AS a ON a.source_row = u.source_row
WHERE a.rejection IS NULL AND trim(u.comment_text) <> '';
