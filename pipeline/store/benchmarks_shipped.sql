-- Replace the shipped benchmark rows (load_id IS NULL) with the CSV in surveys/benchmarks/.
-- User-loaded rows (load_id set) are left alone. Parameter: $path.
DELETE FROM benchmarks WHERE load_id IS NULL;

INSERT INTO benchmarks (benchmark_id, measure_id, source, source_kind, year, valid_from,
                        instrument, question_code, answer_group, area, area_code, value,
                        value_kind, unit, base_n, label, provenance, geography_level, load_id)
SELECT row_number() OVER ()                      AS benchmark_id,
       measure_id, source, source_kind, year, valid_from,
       nullif(instrument, ''), nullif(question_code, ''), nullif(answer_group, ''),
       area, nullif(area_code, ''), value, value_kind, unit, base_n, label,
       provenance || coalesce(' [population: ' || nullif(population, '') || ']', '') AS provenance,
       CASE WHEN area_code = 'E92000001' THEN 'England' END AS geography_level,
       NULL                                      AS load_id
FROM read_csv($path, header = true, all_varchar = false, columns = {
    'measure_id': 'VARCHAR', 'source': 'VARCHAR', 'source_kind': 'VARCHAR', 'year': 'INTEGER',
    'valid_from': 'INTEGER', 'instrument': 'VARCHAR', 'question_code': 'VARCHAR',
    'answer_group': 'VARCHAR', 'area': 'VARCHAR', 'area_code': 'VARCHAR', 'value': 'DOUBLE',
    'value_kind': 'VARCHAR', 'unit': 'VARCHAR', 'base_n': 'INTEGER', 'label': 'VARCHAR',
    'population': 'VARCHAR', 'provenance': 'VARCHAR'});
