-- The budget episodes that count for a council on the as-of date: open on that date
-- (start unknown or on/before it, end unknown or on/after it), one per person (the
-- latest-starting episode), with the management option and support reason folded so that blanks
-- and "unknown" read 'not_known', and the agreed amount banded like the survey's budget bands.
-- Used as the "current" sub-query of the other budget_*.sql files; the option and reason
-- folding expressions are filled in by budgets.py.
SELECT person_key,
       council,
       start_date,
       end_date,
       CAST(indicative AS DOUBLE) AS indicative,
       CAST(agreed_annual AS DOUBLE) AS agreed_annual,
       CAST(client_contribution AS DOUBLE) AS client_contribution,
       {option},
       {reason},
       last_review,
       CASE
           WHEN agreed_annual IS NULL THEN 'not_recorded'
           WHEN agreed_annual < 5000 THEN 'under_5k'
           WHEN agreed_annual < 10000 THEN '5k_10k'
           WHEN agreed_annual < 20000 THEN '10k_20k'
           WHEN agreed_annual < 50000 THEN '20k_50k'
           ELSE '50k_plus'
       END AS budget_band
FROM budgets
WHERE council = $council
  AND (start_date IS NULL OR start_date <= $as_of)
  AND (end_date IS NULL OR end_date >= $as_of)
QUALIFY row_number() OVER (
    PARTITION BY person_key ORDER BY start_date DESC NULLS LAST, source_row DESC
) = 1
