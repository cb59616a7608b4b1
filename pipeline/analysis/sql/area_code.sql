-- The council's area code (CASSR/ONS code) as held on its budget register, if any.
SELECT max(council_code) AS area_code
FROM budgets
WHERE council = $council AND council_code IS NOT NULL AND council_code <> '';
