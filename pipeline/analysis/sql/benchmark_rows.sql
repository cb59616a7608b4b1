-- Candidate benchmark rows for the measures of one instrument: published national figures or
-- rows loaded from a file. Parameters: $instrument, $source_kind, $source (NULL = any),
-- $measure_ids (the measure definitions wanted, e.g. poet:out_dignity:better).
SELECT measure_id, question_code, answer_group, source, source_kind, year, area, value,
       value_kind, unit, base_n, numerator, label, provenance, load_id
FROM benchmarks
WHERE instrument = $instrument
  AND source_kind = $source_kind
  AND ($source IS NULL OR source = $source)
  AND list_contains($measure_ids, measure_id)
ORDER BY measure_id, year
