-- Indicative (resource allocation) versus agreed amounts, for everyone with both amounts, overall
-- (management_option NULL) and per management option.
WITH current AS ({current}),
both_amounts AS (
    SELECT management_option, indicative, agreed_annual, agreed_annual - indicative AS difference
    FROM current
    WHERE indicative IS NOT NULL AND agreed_annual IS NOT NULL
)
SELECT management_option,
       grouping(management_option) = 1 AS is_total,
       count(*) AS people,
       sum(indicative) AS total_indicative,
       sum(agreed_annual) AS total_agreed,
       median(indicative) AS median_indicative,
       median(agreed_annual) AS median_agreed,
       median(difference) AS median_difference,
       avg(difference) AS mean_difference,
       count(*) FILTER (WHERE difference > 0) AS agreed_above,
       count(*) FILTER (WHERE difference = 0) AS agreed_equal,
       count(*) FILTER (WHERE difference < 0) AS agreed_below
FROM both_amounts
GROUP BY GROUPING SETS ((), (management_option))
