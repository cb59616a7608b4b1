-- Quarantine the invalid answers of one column (only run for columns that have any; `coded`
-- keeps their raw cells as raw{n}): the rest of each return still loads and the answer counts
-- as missing.
INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, c.source_row, $column_name, c.raw{n}, m.reason, false
FROM coded AS c
JOIN accepted AS a USING (source_row)
JOIN value_map AS m ON m.question_code = $question_code AND m.raw_value = c.raw{n}
WHERE a.rejection IS NULL AND m.answer_code IS NULL AND m.reason IS NOT NULL;
