-- Mean position on each ordinal scale (1 = the lowest valid answer, e.g. "got a lot worse" on
-- change5, up to 5 = "got a lot better"), with the spread needed for a normal interval. Missing
-- codes are excluded from the base, as for shares. $council NULL = every council at once.
SELECT instrument, council, wave, question_code, any_value(domain) AS domain,
       any_value(section) AS section, any_value(scale) AS scale,
       count(*) AS n,
       avg(answer_order + 1) AS value,
       stddev_samp(answer_order + 1) AS sd
FROM answers_scored
WHERE NOT is_missing
  AND section IN ('outcomes', 'process')
  AND instrument = $instrument
  AND ($council IS NULL OR council = $council)
  AND ($wave IS NULL OR wave = $wave)
  AND scale IN (SELECT unnest($ordinal_scales))
GROUP BY instrument, council, wave, question_code
ORDER BY council, wave, question_code;
