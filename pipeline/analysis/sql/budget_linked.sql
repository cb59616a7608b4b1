-- Survey outcomes by the management option the budget register holds, for respondents whose
-- pseudonymous key matches a register person key of the same council. The register record is the
-- episode covering the survey wave (year), else the person's latest episode.
-- {option} folds the register's management option (blank / unknown -> 'not_known').
WITH register AS (
    SELECT person_key, {option}
    FROM budgets
    WHERE council = $council
    QUALIFY row_number() OVER (
        PARTITION BY person_key
        ORDER BY (coalesce(start_date, DATE '1900-01-01') <= make_date($wave, 12, 31)
                  AND coalesce(end_date, DATE '9999-12-31') >= make_date($wave, 1, 1)) DESC,
                 start_date DESC NULLS LAST,
                 source_row DESC
    ) = 1
)
SELECT a.question_code,
       any_value(a.domain) AS domain,
       reg.management_option,
       count(*) FILTER (WHERE NOT a.is_missing) AS n,
       count(*) FILTER (WHERE a.is_positive) AS count
FROM answers_scored AS a
JOIN register AS reg ON reg.person_key = a.respondent_key
WHERE a.council = $council
  AND a.wave = $wave
  AND a.instrument = $instrument
  AND a.section = $section
GROUP BY ALL
