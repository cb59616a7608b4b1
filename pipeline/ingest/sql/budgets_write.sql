-- Write the budget records of a staged register. parsed: one row per source row with every
-- field read (dates and amounts before their range check, which {values} applies) and the
-- person reference as given; id_keys: each distinct reference and its pseudonym; problems: the
-- invalid values and rejected rows. The inner join leaves out rows without a reference.
INSERT INTO quarantine (load_id, source_row, column_name, raw_value, reason, whole_row)
SELECT $load_id, source_row, column_name, raw_value, reason, whole_row FROM problems;

INSERT INTO budgets (person_key, council, {columns}, load_id, source_row)
SELECT k.person_key, $council, {values}, $load_id, p.source_row
FROM parsed AS p
JOIN id_keys AS k ON k.raw_id = p.{reference}
WHERE p.source_row NOT IN (SELECT source_row FROM problems WHERE whole_row);
