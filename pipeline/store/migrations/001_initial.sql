-- The initial schema. Table and column names listed in DESIGN.md are a public contract:
-- add columns in later migrations, never rename these.

CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;

CREATE TABLE loads (
    load_id            INTEGER PRIMARY KEY,
    kind               VARCHAR NOT NULL,      -- survey | budgets | benchmark
    instrument         VARCHAR,               -- instrument id for survey loads
    instrument_version VARCHAR,
    council            VARCHAR,
    wave               INTEGER,
    file_name          VARCHAR NOT NULL,
    sha256             VARCHAR NOT NULL,
    sheet              VARCHAR,               -- the Excel sheet read, where one was
    rows_read          INTEGER NOT NULL,
    rows_loaded        INTEGER NOT NULL,
    rows_quarantined   INTEGER NOT NULL,      -- rows quarantined whole
    values_quarantined INTEGER NOT NULL,      -- single answers quarantined (row still loaded)
    column_report      JSON,                  -- how each column was matched, and unmatched ones
    loaded_at          TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE respondents (
    return_id          INTEGER NOT NULL,      -- this return; answer_values rows point at it
    respondent_key     VARCHAR NOT NULL,      -- HMAC-SHA-256 pseudonym, council-scoped
    instrument         VARCHAR NOT NULL,
    instrument_version VARCHAR,
    council            VARCHAR NOT NULL,
    wave               INTEGER NOT NULL,
    age_band           VARCHAR,
    gender             VARCHAR,
    ethnicity          VARCHAR,
    support_reason     VARCHAR,
    management_option  VARCHAR,
    budget_band        VARCHAR,
    held_for           VARCHAR,
    completed_by       VARCHAR,               -- self | self_with_help | someone_else
    relationship       VARCHAR,               -- carers only
    hours_caring       VARCHAR,               -- carers only
    load_id            INTEGER NOT NULL,
    source_row         INTEGER NOT NULL       -- the file's row as a person sees it (spreadsheet row / CSV record)
    -- one return per (council, respondent_key, wave, instrument): the loader enforces it (a later
    -- copy is quarantined whole); an index here would cost more than the rest of the write
);

-- Codes (question and answer codes) get small stable ids the first time an instrument names
-- them; ids are never reused or renumbered, so stored answers keep their meaning.
CREATE TABLE codes (
    code_id SMALLINT PRIMARY KEY,
    code    VARCHAR NOT NULL UNIQUE
);

-- The answers, stored compactly: one row per return x question answered. Analysts read them
-- through the view `answers` (002_views.sql), which has the public columns respondent_key,
-- question_code and answer_code; a national load writes tens of millions of these rows, and
-- three small integers write several times faster than seven strings.
CREATE TABLE answer_values (
    return_id   INTEGER NOT NULL,             -- respondents.return_id
    question_id SMALLINT NOT NULL,            -- codes.code_id of the question code
    answer_id   SMALLINT NOT NULL             -- codes.code_id of the canonical answer code
);

CREATE TABLE comments (
    respondent_key VARCHAR NOT NULL,
    instrument     VARCHAR NOT NULL,
    council        VARCHAR NOT NULL,
    wave           INTEGER NOT NULL,
    question_code  VARCHAR NOT NULL,
    comment_text   VARCHAR NOT NULL,
    load_id        INTEGER NOT NULL
);

CREATE TABLE budgets (
    person_key          VARCHAR NOT NULL,     -- same HMAC as respondent_key, so records link
    council             VARCHAR NOT NULL,
    council_code        VARCHAR,
    start_date          DATE,
    end_date            DATE,
    indicative          DECIMAL(12, 2),       -- resource allocation (RAS) amount, annual £
    agreed_annual       DECIMAL(12, 2),       -- agreed personal budget, gross annual £
    client_contribution DECIMAL(12, 2),
    management_option   VARCHAR,              -- generic code (budgets.md)
    management_label    VARCHAR,              -- the national label as given
    support_reason      VARCHAR,
    support_setting     VARCHAR,              -- community | residential | nursing
    age_band            VARCHAR,
    gender              VARCHAR,
    ethnicity           VARCHAR,
    last_review         DATE,
    next_review_due     DATE,
    review_outcome      VARCHAR,
    load_id             INTEGER NOT NULL,
    source_row          INTEGER NOT NULL
);

CREATE TABLE quarantine (
    load_id     INTEGER NOT NULL,
    source_row  INTEGER,                      -- NULL for a problem with the whole file or column
    column_name VARCHAR,
    raw_value   VARCHAR,
    reason      VARCHAR NOT NULL,
    whole_row   BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE benchmarks (
    benchmark_id   INTEGER,
    measure_id     VARCHAR NOT NULL,          -- definition key, e.g. poet:out_dignity:better
    source         VARCHAR NOT NULL,          -- publication or file it came from
    source_kind    VARCHAR NOT NULL,          -- published | loaded | ascof
    year           INTEGER NOT NULL,          -- survey or financial year (start) it describes
    valid_from     INTEGER,                   -- measure definition valid from this year
    instrument     VARCHAR,
    question_code  VARCHAR,
    answer_group   VARCHAR,                   -- e.g. better / easy
    area           VARCHAR NOT NULL DEFAULT 'England',
    area_code      VARCHAR,
    value          DOUBLE,                    -- percent (0-100) or score
    value_kind     VARCHAR NOT NULL DEFAULT 'exact', -- exact | at_least | over | approx | text
    unit           VARCHAR NOT NULL DEFAULT 'percent',
    base_n         INTEGER,
    numerator      DOUBLE,
    lower_ci       DOUBLE,
    upper_ci       DOUBLE,
    label          VARCHAR,
    provenance     VARCHAR,
    load_id        INTEGER                    -- NULL for shipped benchmarks
);

CREATE TABLE question_scales (
    -- reference rows refreshed from surveys/*.yaml: how each answer code is reported
    instrument    VARCHAR NOT NULL,
    question_code VARCHAR NOT NULL,
    question_id   SMALLINT NOT NULL,          -- codes.code_id
    answer_id     SMALLINT NOT NULL,          -- codes.code_id
    section       VARCHAR NOT NULL,
    domain        VARCHAR,
    scale         VARCHAR NOT NULL,
    answer_code   VARCHAR NOT NULL,
    answer_label  VARCHAR,
    answer_order  INTEGER NOT NULL,
    is_missing    BOOLEAN NOT NULL,
    answer_group  VARCHAR,                    -- better / same / worse, easy / ..., NULL if none
    is_positive   BOOLEAN NOT NULL            -- counts toward the headline share
);
