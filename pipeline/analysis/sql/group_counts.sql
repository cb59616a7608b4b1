-- Counts per reporting group (better / same / worse, easy / neither / difficult, ...) of each
-- question of a section, for one council (or all when $council is NULL) and wave.
SELECT council,
       question_code,
       answer_group,
       count(*) AS count
FROM answers_scored
WHERE instrument = $instrument
  AND wave = $wave
  AND section = $section
  AND NOT is_missing
  AND ($council IS NULL OR council = $council)
GROUP BY council, question_code, answer_group
ORDER BY council, question_code, answer_group
