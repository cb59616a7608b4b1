-- ASCOF totals (no breakdown) for the chosen measure definitions, one row per measure, year and
-- area: a row loaded from a file wins over the shipped national row for the same area and year,
-- and the latest load wins over an earlier one. Parameter: $measure_ids (ascof:<framework>:<code>).
SELECT measure_id, year, valid_from, area, area_code, geography_level, value, unit, base_n,
       value_note, polarity, source
FROM benchmarks
WHERE source_kind = 'ascof'
  AND breakdown IS NULL
  AND list_contains($measure_ids, measure_id)
QUALIFY row_number() OVER (
    PARTITION BY measure_id, year, coalesce(area_code, area)
    ORDER BY load_id IS NULL, load_id DESC
) = 1
ORDER BY measure_id, year, area
