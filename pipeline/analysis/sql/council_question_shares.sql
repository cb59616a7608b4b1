-- Base and headline count of one question for every council in one wave: the funnel plot's
-- points. Parameters: $instrument, $wave, $question.
SELECT council,
       count(*) FILTER (WHERE NOT is_missing) AS n,
       count(*) FILTER (WHERE is_positive)    AS count
FROM answers_scored
WHERE instrument = $instrument
  AND wave = $wave
  AND question_code = $question
GROUP BY council
ORDER BY council
