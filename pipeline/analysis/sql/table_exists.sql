-- Whether a table exists (a database not yet migrated, opened read-only, lacks new tables).
SELECT count(*) > 0 AS present FROM duckdb_tables() WHERE table_name = $table_name
