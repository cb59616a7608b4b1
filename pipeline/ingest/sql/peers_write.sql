-- Write one comparator group file (pipeline/ingest/peer_files.py), inside the load's transaction.
-- peer_rows is the file's resolved pairs (council, ons_code, peer, peer_code, peer_rank), one
-- row per pair. A council named in the file gets this file's group: its earlier pairs go.
INSERT INTO loads (load_id, kind, file_name, sha256, rows_read, rows_loaded, rows_quarantined,
                   values_quarantined)
VALUES ($load_id, 'peers', $file_name, $sha256, $rows_read, (SELECT count(*) FROM peer_rows), 0, 0);

DELETE FROM peer_groups WHERE council IN (SELECT DISTINCT council FROM peer_rows);

INSERT INTO peer_groups (load_id, council, ons_code, peer, peer_code, peer_rank, source)
SELECT $load_id, council, ons_code, peer, peer_code, peer_rank, $file_name
FROM peer_rows;
