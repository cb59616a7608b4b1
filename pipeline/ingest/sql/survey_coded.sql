-- Every row's answers translated to code ids (a0.., NULL = blank or invalid, -1 = an answer the
-- map has not seen, see UNSEEN_ANSWER), so the long answer rows come from one pass per question
-- without a join on tens of millions of rows; its reference as the keys know it; its free text
-- (t0.., trimmed, NULL when blank) and, for a column with invalid answers, its raw cells (raw0..)
-- for the quarantine. So the raw table is dropped once this is built. return_id: above every id
-- in use. Built while the references are pseudonymised (in Python), so it does not depend on
-- `accepted`.
CREATE OR REPLACE TEMP TABLE coded AS
SELECT r.source_row, CAST($return_base + r.source_row AS INTEGER) AS return_id,
       {reference} AS reference, {coded_values}
FROM "{raw}" AS r
{coded_joins};
