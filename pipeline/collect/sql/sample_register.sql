-- Everyone a sample could be drawn from: the council's people with a budget open on the
-- reference date, one row each (their latest-starting open episode, as weighting counts people),
-- with what could exclude them. A "do not contact" marker on ANY of the person's records counts,
-- so a marker set on an old episode is never lost when a new episode starts without it.
-- {strata} is filled by sampling.py from whitelisted column names (never from user text).
WITH marked AS (
    SELECT person_key, bool_or(coalesce(do_not_contact, false)) AS do_not_contact
    FROM budgets
    WHERE council = $council
    GROUP BY person_key
),
current_people AS (
    SELECT *
    FROM budgets
    WHERE council = $council
      AND (start_date IS NULL OR start_date <= $reference_date)
      AND (end_date IS NULL OR end_date >= $reference_date)
    QUALIFY row_number() OVER (
        PARTITION BY person_key ORDER BY start_date DESC NULLS LAST, load_id DESC, source_row DESC
    ) = 1
)
SELECT c.person_key,
       {strata},
       m.do_not_contact,
       coalesce(c.support_setting IN ('residential', 'nursing'), false) AS residential,
       c.person_key IN (
           SELECT person_key FROM samples
           WHERE council = $council AND instrument = $instrument AND wave = $previous_wave
       ) AS sampled_last_wave
FROM current_people AS c
JOIN marked AS m USING (person_key)
ORDER BY c.person_key
