-- The survey site and paper keying (issue 11): which submissions of the site's write-ahead store
-- (pipeline/collect/submissions.py, a SQLite file beside this one) are already in this database,
-- and the load and row each became. The merger writes these rows in the same transaction as the
-- returns, so a merge interrupted after DuckDB commits but before the store is told is never
-- merged twice: the next merge skips every submission_id found here. A submission that became
-- a duplicate (the same code answered online and then keyed from paper) is here too, with its
-- load and row, and its return is in quarantine.
CREATE TABLE survey_submissions (
    submission_id    BIGINT NOT NULL PRIMARY KEY, -- the store's id, increasing in arrival order
    invitation_code  VARCHAR NOT NULL,            -- samples.invitation_code
    channel          VARCHAR NOT NULL,            -- online | paper
    load_id          INTEGER NOT NULL,            -- loads.load_id of the merge that carried it
    source_row       INTEGER NOT NULL,            -- its row in that load (quarantine.source_row)
    submitted_at     TIMESTAMP NOT NULL,          -- when the person (or the keyer) pressed send
    keyed_by         VARCHAR,                     -- paper: the staff user who keyed it
    merged_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);
