-- ASCOF values for a set of areas (ONS codes) at one geographical level, the latest load's row
-- per measure, year and area (a file loaded again in a corrected edition replaces the older one).
SELECT measure_id, year, area, area_code, geography_level, value, label, polarity
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY measure_id, year, area_code ORDER BY load_id DESC NULLS LAST
    ) AS newest
    FROM benchmarks
    WHERE source_kind = 'ascof'
      AND geography_level = $level
      AND list_contains($codes, area_code)
)
WHERE newest = 1
ORDER BY measure_id, year, area_code
