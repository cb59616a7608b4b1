-- Returns so far against a sample, by stratum and channel. A return belongs to the sample when
-- its respondent_key is a sampled person_key (the invitation code's person) for the same council,
-- wave and instrument; other returns of that wave (a file keyed by other references) are counted
-- on a row of their own. A NULL channel (loaded before migration 010) is a loaded file.
WITH sampled AS (
    SELECT person_key, stratum, stratum_population
    FROM samples
    WHERE council = $council AND wave = $wave AND instrument = $instrument
),
returned AS (
    SELECT respondent_key, coalesce(channel, 'file') AS channel
    FROM respondents
    WHERE council = $council AND wave = $wave AND instrument = $instrument
)
SELECT s.stratum,
       any_value(s.stratum_population) AS population,
       count(*) AS sampled,
       count(r.respondent_key) FILTER (WHERE r.channel = 'online') AS returned_online,
       count(r.respondent_key) FILTER (WHERE r.channel = 'paper') AS returned_paper,
       count(r.respondent_key) FILTER (WHERE r.channel NOT IN ('online', 'paper')) AS returned_file,
       count(r.respondent_key) AS returned
FROM sampled AS s
LEFT JOIN returned AS r ON r.respondent_key = s.person_key
GROUP BY s.stratum
UNION ALL
SELECT 'not in the sample', NULL, NULL,
       count(*) FILTER (WHERE channel = 'online'),
       count(*) FILTER (WHERE channel = 'paper'),
       count(*) FILTER (WHERE channel NOT IN ('online', 'paper')),
       count(*)
FROM returned
WHERE respondent_key NOT IN (SELECT person_key FROM sampled)
HAVING count(*) > 0

