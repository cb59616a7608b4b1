-- One row of headline figures for current episodes on the as-of date ($as_of):
-- direct payment share = (direct_payment + part_direct_payment) / people with a known option;
-- reviewed within 12 months = last review in the 365 days up to the as-of date, among people
-- who have held the budget for at least 365 days (a yearly review was due);
-- days to first review = last review - start, for episodes that started in the two years before
-- the as-of date (at most one yearly review is due in that time, so the last review recorded is
-- the first).
WITH current AS ({current})
SELECT count(*) AS people,
       sum(agreed_annual) AS total_spend,
       sum(client_contribution) AS total_contribution,
       median(agreed_annual) AS median_agreed,
       count(*) FILTER (WHERE management_option <> 'not_known') AS people_known_option,
       count(*) FILTER (WHERE management_option IN ('direct_payment', 'part_direct_payment'))
           AS people_direct_payment,
       count(*) FILTER (WHERE start_date <= $as_of - INTERVAL 365 DAY) AS people_due_review,
       count(*) FILTER (
           WHERE start_date <= $as_of - INTERVAL 365 DAY
             AND last_review > $as_of - INTERVAL 365 DAY
             AND last_review <= $as_of
       ) AS people_reviewed_12m,
       count(*) FILTER (
           WHERE start_date > $as_of - INTERVAL 730 DAY AND last_review >= start_date
       ) AS people_first_review,
       median(last_review - start_date) FILTER (
           WHERE start_date > $as_of - INTERVAL 730 DAY AND last_review >= start_date
       ) AS median_days_to_first_review
FROM current
