-- Population of each weighting cell from the council's budget register.
-- A person counts for wave (year) W when their budget episode covers part of W:
--   start_date <= 31 Dec W (or unknown) and (end_date is null or end_date >= 1 Jan W).
-- One record per person (the latest-starting episode), so nobody is counted in two cells.
-- {cells} is filled by weighting.py from a whitelist of column names (never from user text).
WITH current_people AS (
    SELECT *
    FROM budgets
    WHERE council = $council
      AND (start_date IS NULL OR start_date <= make_date($wave, 12, 31))
      AND (end_date IS NULL OR end_date >= make_date($wave, 1, 1))
    QUALIFY row_number() OVER (
        PARTITION BY person_key ORDER BY start_date DESC NULLS LAST, source_row DESC
    ) = 1
)
SELECT {cells}, count(*) AS population
FROM current_people
GROUP BY ALL
