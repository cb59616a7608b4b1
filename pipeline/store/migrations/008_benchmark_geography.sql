-- ASCOF rows as NHS Digital / NHS England publish them (issue 10): the geographical level a row
-- describes (council, region, council type, England), the breakdown (Female, 65 and over, ...),
-- the denominator beside the survey base (a survey measure's Denominator is a weighted estimate
-- of the population, its Base the respondents), the published margin of error, the measure's
-- polarity and why a published value is missing ([c] suppressed, [x] not collected, ...).
-- New columns only: existing names are a public contract (docs/decisions.md D3).
ALTER TABLE benchmarks ADD COLUMN geography_level VARCHAR;  -- council | region | council type | England
ALTER TABLE benchmarks ADD COLUMN breakdown VARCHAR;        -- NULL for the total
ALTER TABLE benchmarks ADD COLUMN denominator DOUBLE;
ALTER TABLE benchmarks ADD COLUMN margin_of_error DOUBLE;
ALTER TABLE benchmarks ADD COLUMN polarity VARCHAR;         -- high | low: which way is better
ALTER TABLE benchmarks ADD COLUMN value_note VARCHAR;       -- e.g. "Outcome [c] suppressed"
