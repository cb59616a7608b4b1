-- Sampled people with no return yet for the sample's council, wave and instrument: their
-- invitation codes as printed (two groups of five joined by a dash), for a reminder mail merge.
SELECT s.invitation_code[1:5] || '-' || s.invitation_code[6:] AS invitation_code,
       s.person_key
FROM samples AS s
WHERE s.council = $council AND s.wave = $wave AND s.instrument = $instrument
  AND NOT EXISTS (
      SELECT 1 FROM respondents AS r
      WHERE r.council = s.council AND r.wave = s.wave AND r.instrument = s.instrument
        AND r.respondent_key = s.person_key
  )
ORDER BY s.invitation_code
