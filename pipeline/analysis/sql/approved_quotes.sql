-- The quotes a council's report publishes: only comments a commissioner approved, as the
-- approved (redacted, perhaps edited) text, and only when the decision was made on the comment
-- as it now reads and the group of returns is large enough (methods.md: never under 10).
WITH group_size AS (
    SELECT count(*) AS returns
    FROM respondents
    WHERE council = $council AND wave = $wave AND instrument = $instrument
)
SELECT c.question_code, m.redacted_text AS comment_text, m.approved_by, m.approved_at
FROM comments AS c
JOIN quote_moderation AS m
  USING (respondent_key, instrument, council, wave, question_code)
CROSS JOIN group_size AS g
WHERE c.council = $council AND c.wave = $wave AND c.instrument = $instrument
  AND m.status = 'approved'
  AND m.comment_sha256 = sha256(c.comment_text)
  AND g.returns >= $min_group
  AND length(trim(m.redacted_text)) > 0
ORDER BY c.question_code, md5(c.respondent_key);
