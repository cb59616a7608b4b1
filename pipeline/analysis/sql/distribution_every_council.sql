-- Every point of the scale of each given question, for every council of a wave at once (the
-- same rows sql/distribution.sql gives one council and question at a time, missing codes
-- included and flagged). A council with no answer to a question gets no rows for it, as there.
-- Parameters: $wave, $instrument, $questions (a list of question codes).
WITH given AS (
    SELECT a.council, a.question_code, a.answer_code, count(*) AS count
    FROM answers AS a
    JOIN respondents AS r USING (council, respondent_key, wave, instrument)
    WHERE a.wave = $wave
      AND a.instrument = $instrument
      AND list_contains($questions, a.question_code)
    GROUP BY ALL
),
answered AS (
    SELECT DISTINCT council, question_code FROM given
)
SELECT g.council,
       s.question_code,
       s.answer_code,
       s.answer_label,
       s.answer_order,
       s.is_missing,
       s.answer_group,
       coalesce(given.count, 0) AS count
FROM question_scales AS s
JOIN answered AS g ON g.question_code = s.question_code
LEFT JOIN given
       ON given.council = g.council
      AND given.question_code = s.question_code
      AND given.answer_code = s.answer_code
WHERE s.instrument = $instrument
ORDER BY g.council, s.question_code, s.answer_order
