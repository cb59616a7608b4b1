-- Peer responses (issue 13 item 5): a peer network of budget holders answers a council's
-- published results through the survey site's form (/respond). The site writes each response to
-- its write-ahead store first (pipeline/collect/submissions.py) and the merger copies it here,
-- keyed by the store's id, so a response is never lost or copied twice. A commissioner moderates
-- it (pipeline/collect/responses.py): the text and organisation to publish start as the automatic
-- redaction (pipeline/moderation) and may be edited; approval is refused while either, or the
-- council's reply, still holds a phone number, email, postcode, NHS number or client reference.
-- Only approved rows are published, as published_organisation, published_text and council_reply;
-- `contact` and `response_text` (as sent) are personal data and never leave this table.
CREATE TABLE peer_responses (
    response_id            BIGINT NOT NULL PRIMARY KEY, -- the site store's id
    council                VARCHAR NOT NULL,            -- register name, as respondents.council
    wave                   INTEGER NOT NULL,            -- the results it answers (latest when sent)
    organisation           VARCHAR NOT NULL,            -- as sent
    contact                VARCHAR NOT NULL,            -- as sent; never published
    response_text          VARCHAR NOT NULL,            -- as sent; never published
    submitted_at           TIMESTAMP NOT NULL,
    status                 VARCHAR NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'approved', 'rejected')),
    published_organisation VARCHAR NOT NULL,            -- what is published, redacted
    published_text         VARCHAR NOT NULL,            -- what is published, redacted
    council_reply          VARCHAR,                     -- the council's public reply
    approved_by            VARCHAR,                     -- who approved it (NULL unless approved)
    approved_at            TIMESTAMP,
    decided_by             VARCHAR,                     -- who last changed its status or words
    decided_at             TIMESTAMP,
    notes                  VARCHAR,                     -- why (internal)
    merged_at              TIMESTAMP NOT NULL DEFAULT current_timestamp
);
