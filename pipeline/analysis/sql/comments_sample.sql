-- Free-text comments to quote in a council's report: a fixed, repeatable sample per question
-- (ordered by a hash of the respondent key, so the choice is stable and not "the best ones"),
-- only when the group of returns is large enough (methods.md: never for groups under 10).
WITH group_size AS (
    SELECT count(*) AS returns
    FROM respondents
    WHERE council = $council AND wave = $wave AND instrument = $instrument
)
SELECT c.question_code, c.comment_text
FROM comments AS c, group_size AS g
WHERE c.council = $council AND c.wave = $wave AND c.instrument = $instrument
  AND g.returns >= $min_group
  AND length(trim(c.comment_text)) > 0
QUALIFY row_number() OVER (PARTITION BY c.question_code ORDER BY md5(c.respondent_key)) <= $per_question
ORDER BY c.question_code, md5(c.respondent_key);
