-- Store a draw: its row in sample_draws and one samples row per person drawn (staged in the
-- temp table `drawn` with person_key, stratum, stratum_population, invitation_code).
INSERT INTO sample_draws (sample_id, council, council_code, wave, instrument, seed, strata,
    allocation, min_per_stratum, target_size, target_margin, exclusions, population, drawn_by,
    reference_date, expected_response_rate, response_rate_source, expected_margin)
VALUES ($sample_id, $council, $council_code, $wave, $instrument, $seed, $strata, $allocation,
    $min_per_stratum, $target_size, $target_margin, $exclusions, $population, $drawn_by,
    $reference_date, $expected_response_rate, $response_rate_source, $expected_margin);

INSERT INTO samples (sample_id, council, wave, instrument, person_key, stratum,
    stratum_population, invitation_code)
SELECT $sample_id, $council, $wave, $instrument, person_key, stratum, stratum_population,
    invitation_code
FROM drawn;
