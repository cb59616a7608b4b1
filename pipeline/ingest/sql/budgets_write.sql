-- Write the budget records of a staged register. parsed: one row per source row with every
-- field parsed (NULL where blank or invalid); problems: the invalid values and rejected rows.
INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, source_row, column_name, raw_value, reason, whole_row FROM problems;

INSERT INTO budgets (person_key, council, {columns}, load_id, source_row)
SELECT k.person_key, $council, {columns}, $load_id, p.source_row
FROM parsed AS p
JOIN row_keys AS k USING (source_row)
WHERE p.source_row NOT IN (SELECT source_row FROM problems WHERE whole_row);
