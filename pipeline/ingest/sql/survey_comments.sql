-- Free-text answers of accepted returns go to comments, never to answers. `accepted` keeps each
-- row's text (t0.., trimmed, NULL when blank); one SELECT per question, which DuckDB writes in
-- parallel (an UNPIVOT wrote on one core: 0.5 s for half a million comments, issue 12).
INSERT INTO comments (respondent_key, question_code, comment_text, instrument, council, wave, load_id)
SELECT u.*, $instrument, $council, $wave, $load_id
FROM (
{texts}
) AS u;
