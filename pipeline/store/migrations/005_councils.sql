-- Council identity (issue 8): loads store the canonical council name from the council register
-- (surveys/councils.csv) and its ONS code; councils given with --new-council (a test council,
-- a Welsh or Scottish area, a provider) are remembered here so later loads find them by name in
-- any case or spacing without the flag. Councils named by loads made before this migration are
-- remembered as they were typed, so existing databases keep resolving them.

ALTER TABLE loads ADD COLUMN council_code VARCHAR;  -- ONS code, NULL for a --new-council council

CREATE TABLE councils (
    name        VARCHAR PRIMARY KEY,   -- as stored in loads, respondents and budgets
    ons_code    VARCHAR,               -- NULL unless registered
    registered  BOOLEAN NOT NULL,      -- false: given with --new-council (or loaded before 005)
    first_load  INTEGER,               -- the load that introduced it
    added_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

INSERT INTO councils (name, ons_code, registered, first_load)
SELECT council, NULL, false, min(load_id)
FROM loads
WHERE council IS NOT NULL AND kind IN ('survey', 'budgets')
GROUP BY council;
