-- Every row one load wrote, table by table (parameter $load_id). `outcomes unload` runs these
-- in order inside one transaction, then deletes the `loads` row itself; the plan shown before
-- asking for confirmation counts the same rows with these same conditions. answer_values rows
-- carry no load id: they belong to the load through their return (respondents.return_id), so
-- they go before the respondents they hang on.
DELETE FROM answer_values
WHERE return_id IN (SELECT return_id FROM respondents WHERE load_id = $load_id);

DELETE FROM respondents WHERE load_id = $load_id;

DELETE FROM comments WHERE load_id = $load_id;

DELETE FROM budgets WHERE load_id = $load_id;

DELETE FROM quarantine WHERE load_id = $load_id;

-- Shipped benchmarks have no load id and are never touched.
DELETE FROM benchmarks WHERE load_id = $load_id;

-- A comparator group file's pairs (migration 009). A group it replaced is not restored: load
-- the earlier file again to have it back.
DELETE FROM peer_groups WHERE load_id = $load_id;

-- Which survey-site submissions a merge carried (migration 011). The submissions themselves stay
-- in the site's write-ahead store (marked merged), which is the record of what people sent.
DELETE FROM survey_submissions WHERE load_id = $load_id;
