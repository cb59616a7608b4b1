-- Base (valid answers) and headline count per council and question for one wave, instrument and
-- section: every council in one pass, so the comparison table for all councils is one query.
-- The window sums give each council the leave-one-out pooled benchmark (all the other councils).
-- Parameters: $instrument, $wave, $section.
WITH per_council AS (
    SELECT council,
           question_code,
           count(*) FILTER (WHERE NOT is_missing)  AS n,
           count(*) FILTER (WHERE is_positive)     AS count
    FROM answers_scored
    WHERE instrument = $instrument
      AND wave = $wave
      AND section = $section
    GROUP BY council, question_code
)
SELECT council,
       question_code,
       n,
       count,
       sum(n) OVER per_question - n            AS others_n,
       sum(count) OVER per_question - count    AS others_count,
       sum((n > 0)::INTEGER) OVER per_question - (n > 0)::INTEGER AS other_councils
FROM per_council
WINDOW per_question AS (PARTITION BY question_code)
ORDER BY council, question_code
