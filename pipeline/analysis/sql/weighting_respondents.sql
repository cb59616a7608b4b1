-- Survey returns per weighting cell (and per subgroup value when a breakdown is asked for).
-- {cells} and {by} are filled by weighting.py from whitelisted column names.
SELECT {cells}{by}, count(*) AS respondents
FROM respondents
WHERE council = $council AND wave = $wave AND instrument = $instrument
GROUP BY ALL
