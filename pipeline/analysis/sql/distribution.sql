-- Every point of one question's scale (missing codes included and flagged) per subgroup value.
-- {subgroup} is replaced by a respondents column from a fixed list (never user text), or by a
-- constant when no breakdown is asked for. Parameters: $council, $wave, $instrument, $question.
WITH given AS (
    SELECT {subgroup} AS subgroup_value, a.answer_code, count(*) AS count
    FROM answers AS a
    JOIN respondents AS r USING (council, respondent_key, wave, instrument)
    WHERE a.council = $council
      AND a.wave = $wave
      AND a.instrument = $instrument
      AND a.question_code = $question
    GROUP BY ALL
),
subgroups AS (
    SELECT DISTINCT subgroup_value FROM given
)
SELECT g.subgroup_value,
       s.answer_code,
       s.answer_label,
       s.answer_order,
       s.is_missing,
       s.answer_group,
       coalesce(given.count, 0) AS count
FROM question_scales AS s
CROSS JOIN subgroups AS g
LEFT JOIN given
       ON given.answer_code = s.answer_code
      AND given.subgroup_value IS NOT DISTINCT FROM g.subgroup_value
WHERE s.instrument = $instrument
  AND s.question_code = $question
ORDER BY g.subgroup_value NULLS LAST, s.answer_order
