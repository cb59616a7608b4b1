-- Every comment of a council, wave and survey with its moderation state, for the commissioner's
-- Quotes page: no decision row (or one made on different text) means pending.
SELECT c.respondent_key, c.question_code, c.comment_text,
       CASE WHEN m.comment_sha256 = sha256(c.comment_text) THEN m.status ELSE 'pending' END
           AS status,
       CASE WHEN m.comment_sha256 = sha256(c.comment_text) THEN m.redacted_text END
           AS saved_text,
       m.approved_by, m.approved_at, m.decided_by, m.decided_at, m.notes,
       (SELECT count(*) FROM respondents AS r
        WHERE r.council = $council AND r.wave = $wave AND r.instrument = $instrument)
           AS group_returns
FROM comments AS c
LEFT JOIN quote_moderation AS m
  USING (respondent_key, instrument, council, wave, question_code)
WHERE c.council = $council AND c.wave = $wave AND c.instrument = $instrument
  AND length(trim(c.comment_text)) > 0
ORDER BY c.question_code, md5(c.respondent_key);
