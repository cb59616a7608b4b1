-- The survey cycle (issue 11): who was drawn to be asked, and their invitation codes.
-- sample_draws: one row per draw (`outcomes sample`), with everything needed to reproduce it
-- from the budget register as loaded at the time: the seed, the strata columns, the allocation
-- rule and the exclusions. samples: one row per person drawn, by pseudonym (budgets.person_key,
-- the same HMAC as respondents.respondent_key), never a raw reference. An invitation code is
-- random (pipeline/collect/codes.py), not derived from the seed, and unique in the database.
CREATE TABLE sample_draws (
    sample_id        INTEGER NOT NULL PRIMARY KEY,
    council          VARCHAR NOT NULL,      -- register name, as budgets.council
    council_code     VARCHAR,
    wave             INTEGER NOT NULL,
    instrument       VARCHAR NOT NULL,
    seed             BIGINT NOT NULL,       -- the random draw is reproducible from this
    strata           VARCHAR NOT NULL,      -- comma list of budgets columns, e.g. management_option,support_reason
    allocation       VARCHAR NOT NULL,      -- proportional | minimum
    min_per_stratum  INTEGER,
    target_size      INTEGER,
    target_margin    DOUBLE,                -- percentage points, when the size came from a margin
    exclusions       VARCHAR,               -- JSON: what was left out and how many
    population       INTEGER NOT NULL,      -- eligible people in the register after exclusions
    drawn_at         TIMESTAMP NOT NULL DEFAULT current_timestamp,
    drawn_by         VARCHAR
);

CREATE TABLE samples (
    sample_id        INTEGER NOT NULL,      -- sample_draws.sample_id
    council          VARCHAR NOT NULL,
    wave             INTEGER NOT NULL,
    instrument       VARCHAR NOT NULL,
    person_key       VARCHAR NOT NULL,      -- pseudonym; a return from this code gets this respondent_key
    stratum          VARCHAR NOT NULL,      -- the stratum's values joined with ' | '
    stratum_population INTEGER NOT NULL,    -- people of this stratum in the eligible register
    invitation_code  VARCHAR NOT NULL UNIQUE -- normalised form (no dash)
);
-- Whether a code has been used is not stored here: a return keyed by it is a respondents row
-- with respondent_key = person_key for the same council, wave and instrument.

-- People the council has marked not to be contacted (a register column) are never sampled.
ALTER TABLE budgets ADD COLUMN do_not_contact BOOLEAN;

-- How a return reached us: 'online' (the survey site), 'paper' (keyed by staff from a paper
-- questionnaire) or 'file' (a loaded export). Returns loaded before this migration are NULL,
-- which reads as 'file'.
ALTER TABLE respondents ADD COLUMN channel VARCHAR;
