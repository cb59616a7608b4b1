-- The latest survey wave of a council for an instrument (NULL when none is loaded).
SELECT max(wave) AS wave FROM respondents WHERE council = $council AND instrument = $instrument
