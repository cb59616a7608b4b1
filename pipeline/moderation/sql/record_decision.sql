-- One commissioner's decision on one comment: replaces any earlier decision on it.
INSERT OR REPLACE INTO quote_moderation (
    respondent_key, instrument, council, wave, question_code, comment_sha256, status,
    redacted_text, approved_by, approved_at, decided_by, decided_at, notes
)
SELECT c.respondent_key, c.instrument, c.council, c.wave, c.question_code,
       sha256(c.comment_text), $status, $redacted_text,
       CASE WHEN $status = 'approved' THEN $by END,
       CASE WHEN $status = 'approved' THEN current_timestamp END,
       $by, current_timestamp, $notes
FROM comments AS c
WHERE c.respondent_key = $respondent_key AND c.instrument = $instrument
  AND c.council = $council AND c.wave = $wave AND c.question_code = $question_code;
