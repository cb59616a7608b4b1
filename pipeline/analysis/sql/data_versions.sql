-- One token per part of the data a dashboard page can depend on, so a cache can be keyed on the
-- parts it read and a load drops only what it changed (docs/decisions.md D66).
--   council   <name>   every load of that council (surveys of every wave, budget registers),
--                      its quote decisions and its sample draws
--   wave      <year>   every survey load of that wave (the pooled leave-one-out benchmark and
--                      the comparison of councils read every council of the wave)
--   reference ''       every load that is not a council's survey or register (national
--                      benchmarks, ASCOF, comparator groups), shipped reference data, councils
-- A token is a count and an order-free hash of ids or times, so an unload followed by another
-- load of the same count still changes it.
SELECT 'council' AS scope, council AS name,
       'l' || count(*) || ':' || coalesce(sum(hash(load_id)), 0) AS token
FROM loads WHERE council IS NOT NULL AND kind IN ('survey', 'budgets') GROUP BY council
UNION ALL
SELECT 'council', council,
       'q' || count(*) || ':' || coalesce(sum(hash(decided_at::VARCHAR || status || redacted_text)), 0)
FROM quote_moderation GROUP BY council
UNION ALL
SELECT 'council', council, 's' || count(*) || ':' || coalesce(sum(hash(sample_id)), 0)
FROM sample_draws GROUP BY council
UNION ALL
SELECT 'wave', wave::VARCHAR, 'l' || count(*) || ':' || coalesce(sum(hash(load_id)), 0)
FROM loads WHERE kind = 'survey' AND wave IS NOT NULL GROUP BY wave
UNION ALL
SELECT 'reference', '', 'l' || count(*) || ':' || coalesce(sum(hash(load_id)), 0)
FROM loads WHERE council IS NULL OR kind NOT IN ('survey', 'budgets')
UNION ALL
SELECT 'reference', '', 'r' || count(*) || ':' || coalesce(sum(hash(name || fingerprint)), 0)
FROM reference_versions
UNION ALL
SELECT 'reference', '', 'c' || count(*) || ':' || coalesce(sum(hash(name)), 0)
FROM councils
