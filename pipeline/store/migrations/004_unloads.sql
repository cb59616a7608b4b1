-- The audit of undone loads (`outcomes unload LOAD_ID`, or the Load data page's Unload): one
-- row per load removed, written in the same transaction that deletes the load's rows, saying
-- what the load was, how many rows of each table went, who removed it, why and when. Load ids
-- come from load_id_seq and are never reused, so `load_id` here never meets a later load's.
CREATE TABLE unloads (
    load_id            INTEGER NOT NULL,      -- the load that was removed
    kind               VARCHAR NOT NULL,      -- survey | budgets | benchmark
    instrument         VARCHAR,
    council            VARCHAR,
    wave               INTEGER,
    file_name          VARCHAR NOT NULL,
    sha256             VARCHAR NOT NULL,      -- the same bytes may now be loaded again
    rows_read          INTEGER,
    rows_loaded        INTEGER,
    rows_quarantined   INTEGER,
    values_quarantined INTEGER,
    loaded_at          TIMESTAMP,             -- when the load had committed
    rows_removed       JSON NOT NULL,         -- rows deleted per table, e.g. {"respondents": 40}
    removed_by         VARCHAR NOT NULL,      -- the OS user (command line) or the signed-in commissioner
    reason             VARCHAR,
    removed_at         TIMESTAMP NOT NULL DEFAULT current_timestamp
);
