-- Quote moderation (issue 9): free-text comments are never published as written. A commissioner
-- reads each comment with its personal details redacted (pipeline/moderation), may edit the
-- redacted text, and approves or rejects it; only approved quotes, as approved, reach the results
-- page and workbook. One row per comment, keyed as `comments` is keyed (respondent, instrument,
-- council, wave, question); no row means pending. `comment_sha256` is of the comment text that
-- was moderated: if a reload brings different text under the same key, the old decision does
-- not apply to it. The `comments` table itself is unchanged.
CREATE TABLE quote_moderation (
    respondent_key VARCHAR NOT NULL,
    instrument     VARCHAR NOT NULL,
    council        VARCHAR NOT NULL,
    wave           INTEGER NOT NULL,
    question_code  VARCHAR NOT NULL,
    comment_sha256 VARCHAR NOT NULL,       -- sha256(comments.comment_text) when decided
    status         VARCHAR NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    redacted_text  VARCHAR NOT NULL,       -- the text to publish, as the commissioner left it
    approved_by    VARCHAR,                -- who approved it (NULL unless approved)
    approved_at    TIMESTAMP,
    decided_by     VARCHAR NOT NULL,       -- who last changed its status or text
    decided_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    notes          VARCHAR,
    PRIMARY KEY (respondent_key, instrument, council, wave, question_code)
);
