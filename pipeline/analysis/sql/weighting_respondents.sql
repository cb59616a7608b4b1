-- Survey returns per weighting cell (and per subgroup value when a breakdown is asked for).
-- {cells} and {by} are filled by weighting.py from whitelisted column names; {source} is
-- `respondents`, or with a sample the same rows with cell columns from their sample stratum.
SELECT {cells}{by}, count(*) AS respondents
FROM {source}
WHERE council = $council AND wave = $wave AND instrument = $instrument
GROUP BY ALL
