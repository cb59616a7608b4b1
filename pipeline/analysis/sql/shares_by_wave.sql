-- Base and headline count per wave and question for one council and instrument: the input of
-- wave-on-wave changes and trends. Parameters: $council, $instrument, $section.
SELECT wave,
       question_code,
       count(*) FILTER (WHERE NOT is_missing) AS n,
       count(*) FILTER (WHERE is_positive)    AS count
FROM answers_scored
WHERE council = $council
  AND instrument = $instrument
  AND section = $section
GROUP BY wave, question_code
ORDER BY wave, question_code
