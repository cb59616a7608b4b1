-- The reference data a writer refreshes on connect (question scales from the instrument YAML,
-- the shipped national benchmarks) is rewritten only when its source changed: this table keeps
-- a fingerprint of what was last written, so opening a database changes nothing in its file
-- unless the shipped reference data did.
CREATE TABLE reference_versions (
    name        VARCHAR PRIMARY KEY,   -- question_scales | shipped_benchmarks
    fingerprint VARCHAR NOT NULL,      -- SHA-256 of the source as written
    synced_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);
