-- Every row's answers translated to code ids (NULL = blank or invalid, -1 = an answer the map
-- has not seen, see UNSEEN_ANSWER), so the long answer rows come from one pass per question
-- without a join on tens of millions of rows; and its reference as the keys know it, so
-- deciding which returns load needs no second pass over the raw table. return_id: above every
-- id in use. Built before the references are pseudonymised (which runs meanwhile in Python),
-- so it does not depend on `accepted`.
CREATE OR REPLACE TEMP TABLE coded AS
SELECT r.source_row, CAST($return_base + r.source_row AS INTEGER) AS return_id,
       {reference} AS reference, {coded_values}
FROM "{raw}" AS r
{coded_joins};
