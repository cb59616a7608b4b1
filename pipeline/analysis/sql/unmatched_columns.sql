-- Columns of loaded files that were not matched to a question or field (from loads.column_report).
WITH columns AS (
    SELECT load_id, file_name,
           unnest(from_json(column_report,
               '[{"index": "INTEGER", "column": "VARCHAR", "code": "VARCHAR", "method": "VARCHAR", "score": "DOUBLE"}]'
           )) AS entry
    FROM loads
    WHERE column_report IS NOT NULL
)
SELECT load_id,
       file_name,
       entry.column AS "column",
       CASE entry.method
           WHEN 'duplicate' THEN 'matched ' || coalesce(entry.code, '?') || ' again; the first column was used'
           WHEN 'ignored' THEN 'ignored by the mapping file'
           ELSE 'no question or field matched this header'
       END AS note
FROM columns
WHERE entry.method IN ('unmatched', 'duplicate', 'ignored')
ORDER BY load_id, entry.index
