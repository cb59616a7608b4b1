-- Councils with survey returns loaded (the members a pooled comparator can use).
SELECT DISTINCT council FROM survey_returns
