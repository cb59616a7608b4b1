-- People and spend (sum of agreed annual budgets) per value of {group} among current episodes.
WITH current AS ({current})
SELECT {group},
       count(*) AS people,
       sum(agreed_annual) AS spend,
       median(agreed_annual) AS median_agreed,
       avg(agreed_annual) AS mean_agreed,
       count(agreed_annual) AS people_with_amount
FROM current
GROUP BY ALL
