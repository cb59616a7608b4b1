-- Default as-of date for a council's register: the latest start or review date it records, so
-- a register extracted months ago is described as it stood, not as of today.
SELECT greatest(max(start_date), max(last_review)) AS as_of
FROM budgets
WHERE council = $council
