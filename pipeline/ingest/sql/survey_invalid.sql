-- Quarantine the invalid answers of one column (only run for columns that have any): the rest
-- of each return still loads and the answer counts as missing.
INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, r.source_row, $column_name, r.c{index}, m.reason, false
FROM "{raw}" AS r
JOIN accepted AS a USING (source_row)
JOIN value_map AS m ON m.question_code = $question_code AND m.raw_value = r.c{index}
WHERE a.rejection IS NULL AND m.answer_code IS NULL AND m.reason IS NOT NULL;
