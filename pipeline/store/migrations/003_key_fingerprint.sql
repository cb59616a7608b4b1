-- The fingerprint of the pseudonym key this database was built with, never the key itself:
-- HMAC-SHA-256(key, "sds-outcomes key fingerprint v1"), which says whether a key is the same one
-- without revealing anything about it. One row at most; the first load records it, and every
-- later load refuses a key whose fingerprint differs (pipeline/ingest/key_guard.py).
CREATE TABLE pseudonym_key (
    only_row    BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    fingerprint VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
