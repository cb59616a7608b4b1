-- A national-scale synthetic database for the dashboard benchmark: $returns holder returns
-- spread over $councils councils and two waves, every process and outcome question answered
-- with a random valid code, and a budget register of $register_per_council people per council.
-- Parameters are substituted by benchmarks/synthetic_database.py (plain integers only).
-- Built straight in SQL for speed, but as the loader would leave it, so the database accepts
-- further loads like any other: load ids come from load_id_seq (advanced past those used here),
-- every load counts its rows and every council is in the councils table.
SELECT setseed(0.42);

INSERT INTO loads (load_id, kind, instrument, council, wave, file_name, sha256, rows_read,
                   rows_loaded, rows_quarantined, values_quarantined)
SELECT k + 1, 'survey', 'poet-holder', 'Council ' || lpad(((k // 2) + 1)::VARCHAR, 3, '0'),
       2024 + k % 2, 'synthetic-' || k || '.csv', 'synthetic-' || k, 0, 0, 0, 0
FROM range(2 * $councils) AS t(k);

INSERT INTO respondents (return_id, respondent_key, instrument, council, wave, age_band, gender,
                         ethnicity, support_reason, management_option, budget_band, held_for,
                         completed_by, load_id, source_row)
SELECT i + 1, 'r' || i, 'poet-holder',
       'Council ' || lpad((((i % (2 * $councils)) // 2) + 1)::VARCHAR, 3, '0'),
       2024 + (i % (2 * $councils)) % 2,
       (['18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75-84', '85+'])[1 + floor(random() * 8)::INT],
       (['female', 'male'])[1 + floor(random() * 2)::INT],
       (['white', 'mixed', 'asian', 'black', 'other'])[1 + floor(random() * 5)::INT],
       (['physical', 'learning_disability', 'mental_health', 'memory_cognition', 'sensory'])[1 + floor(random() * 5)::INT],
       (['direct_payment', 'council_managed', 'provider_managed', 'mixed'])[1 + floor(random() * 4)::INT],
       (['under_5k', '5k_10k', '10k_20k', '20k_50k', '50k_plus'])[1 + floor(random() * 5)::INT],
       (['under_6m', '6_12m', '1_2y', '2_3y', 'over_3y'])[1 + floor(random() * 5)::INT],
       (['self', 'self_with_help', 'someone_else'])[1 + floor(random() * 3)::INT],
       (i % (2 * $councils)) + 1, i + 1
FROM range($returns) AS t(i);

CREATE TEMP TABLE question_codes AS
SELECT question_id, list(answer_id ORDER BY answer_order) AS codes
FROM question_scales
WHERE instrument = 'poet-holder' AND section IN ('process', 'outcomes') AND NOT is_missing
GROUP BY question_id;

INSERT INTO answer_values (return_id, question_id, answer_id)
SELECT r.return_id, q.question_id, q.codes[1 + floor(random() * len(q.codes))::INT]
FROM respondents AS r CROSS JOIN question_codes AS q;

INSERT INTO loads (load_id, kind, council, file_name, sha256, rows_read, rows_loaded,
                   rows_quarantined, values_quarantined)
SELECT 2 * $councils + c + 1, 'budgets', 'Council ' || lpad((c + 1)::VARCHAR, 3, '0'),
       'register-' || c || '.csv', 'register-' || c, 0, 0, 0, 0
FROM range($councils) AS t(c);

INSERT INTO budgets (person_key, council, start_date, indicative, agreed_annual,
                     management_option, support_reason, age_band, last_review, load_id, source_row)
SELECT 'p' || j, 'Council ' || lpad(((j % $councils) + 1)::VARCHAR, 3, '0'),
       DATE '2021-04-01' + floor(random() * 900)::INT,
       round(1000 + random() * 40000, 2), round(1000 + random() * 40000, 2),
       (['direct_payment', 'council_managed', 'provider_managed', 'mixed'])[1 + floor(random() * 4)::INT],
       (['physical', 'learning_disability', 'mental_health', 'memory_cognition', 'sensory'])[1 + floor(random() * 5)::INT],
       (['18-24', '25-34', '45-54', '65-74', '85+'])[1 + floor(random() * 5)::INT],
       DATE '2023-04-01' + floor(random() * 700)::INT,
       2 * $councils + (j % $councils) + 1, j + 1
FROM range($councils * $register_per_council) AS t(j);

-- Loads record what they carried, as the loader's do.
UPDATE loads SET rows_read = counted.n, rows_loaded = counted.n
FROM (SELECT load_id, count(*) AS n FROM respondents GROUP BY load_id) AS counted
WHERE loads.load_id = counted.load_id;
UPDATE loads SET rows_read = counted.n, rows_loaded = counted.n
FROM (SELECT load_id, count(*) AS n FROM budgets GROUP BY load_id) AS counted
WHERE loads.load_id = counted.load_id;

-- The next load takes the next id: the sequence moves past the 3 x $councils ids used above.
SELECT count(nextval('load_id_seq')) FROM range(3 * $councils);

-- Councils outside the register (as `--new-council` would add them), so a later load finds
-- "Council 001" by name.
INSERT INTO councils (name, ons_code, registered, first_load)
SELECT council, NULL, false, min(load_id) FROM loads GROUP BY council;
