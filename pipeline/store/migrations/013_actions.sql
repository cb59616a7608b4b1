-- Actions against findings (issue 13): what a council said it would change after a survey
-- finding, who owns it, by when, and how it is going. One row per action holds its current
-- state; action_history keeps every change ever made to it (one row per field changed, with
-- who and when), appended to and never updated, so the record of who promised what cannot be
-- rewritten by a later edit. The finding is recorded as the analysis API gave it on the day
-- (share, base, comparison with the benchmark, change since the wave before): those figures are
-- the commissioner's record, never published from here; public pages take their figures from the
-- analysis API through the disclosure rule. `owner` is never published (it may name a person).
CREATE TABLE actions (
    action_id          INTEGER NOT NULL PRIMARY KEY,
    council            VARCHAR NOT NULL,      -- register name, as respondents.council
    wave               INTEGER NOT NULL,      -- the wave whose finding the action answers
    instrument         VARCHAR NOT NULL,
    question_code      VARCHAR NOT NULL,      -- an outcome question or process step of the instrument
    section            VARCHAR NOT NULL CHECK (section IN ('outcomes', 'process')),
    finding_measure    VARCHAR,               -- better, easy, fully, supportive, yes
    finding_value      DOUBLE,                -- percent in the measure's group at that wave
    finding_n          INTEGER,               -- its base
    finding_comparison VARCHAR NOT NULL,      -- better / similar / worse / not compared (benchmark)
    finding_change     VARCHAR,               -- improved / no change / worse / not compared; NULL: first wave
    action_text        VARCHAR NOT NULL,      -- what will change ("We said we would ...")
    owner              VARCHAR NOT NULL,      -- who is responsible (internal only)
    due                DATE NOT NULL,
    status             VARCHAR NOT NULL CHECK (status IN ('not_started', 'under_way', 'done')),
    public_update      VARCHAR,               -- short progress note for the public pages
    public             BOOLEAN NOT NULL DEFAULT false,
    created_by         VARCHAR NOT NULL,
    created_at         TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_by         VARCHAR NOT NULL,
    updated_at         TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE action_history (
    history_id  INTEGER NOT NULL PRIMARY KEY,
    action_id   INTEGER NOT NULL,             -- actions.action_id
    changed_by  VARCHAR NOT NULL,             -- signed-in dashboard user, or the CLI's $USER / --by
    changed_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    change      VARCHAR NOT NULL CHECK (change IN ('created', 'updated')),
    field       VARCHAR NOT NULL,             -- the actions column that changed
    old_value   VARCHAR,                      -- as text; NULL when created
    new_value   VARCHAR
);
