-- How many of a wave's survey respondents are found in the council's budget register.
SELECT count(*) AS respondents, count(b.person_key) AS linked
FROM respondents AS r
LEFT JOIN (SELECT DISTINCT person_key FROM budgets WHERE council = $council) AS b
       ON b.person_key = r.respondent_key
WHERE r.council = $council AND r.wave = $wave AND r.instrument = $instrument
