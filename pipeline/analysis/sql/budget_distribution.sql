-- Distribution of agreed annual budgets in the survey's bands among current episodes.
WITH current AS ({current})
SELECT budget_band AS band, count(*) AS people, sum(agreed_annual) AS spend
FROM current
GROUP BY ALL
