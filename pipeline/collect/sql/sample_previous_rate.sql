-- The last wave's response rate for a council and instrument: returns of the latest earlier
-- wave with returns, against that wave's sample when one was drawn, else against the people on
-- budgets on 1 July of that wave (a census: everyone was asked).
WITH last_wave AS (
    SELECT max(wave) AS wave
    FROM respondents
    WHERE council = $council AND instrument = $instrument AND wave < $wave
),
returned AS (
    SELECT count(*) AS returns
    FROM respondents, last_wave
    WHERE council = $council AND instrument = $instrument AND respondents.wave = last_wave.wave
),
sampled AS (
    SELECT count(*) AS sampled
    FROM samples, last_wave
    WHERE council = $council AND instrument = $instrument AND samples.wave = last_wave.wave
),
registered AS (
    SELECT count(DISTINCT person_key) AS registered
    FROM budgets, last_wave
    WHERE council = $council
      AND (start_date IS NULL OR start_date <= make_date(last_wave.wave, 7, 1))
      AND (end_date IS NULL OR end_date >= make_date(last_wave.wave, 7, 1))
)
SELECT last_wave.wave, returned.returns, sampled.sampled, registered.registered
FROM last_wave, returned, sampled, registered
