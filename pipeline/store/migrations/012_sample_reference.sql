-- What a sample draw needs to be reproduced and explained (issue 11), beside migration 010's:
-- the register date that defined "current" budgets, and the expectation the size was judged by.
ALTER TABLE sample_draws ADD COLUMN reference_date DATE;          -- budgets open on this day were eligible
ALTER TABLE sample_draws ADD COLUMN expected_response_rate DOUBLE; -- percent, used for the expected margin
ALTER TABLE sample_draws ADD COLUMN response_rate_source VARCHAR; -- where that rate came from, in words
ALTER TABLE sample_draws ADD COLUMN expected_margin DOUBLE;       -- percentage points at p = 0.5, 95%
