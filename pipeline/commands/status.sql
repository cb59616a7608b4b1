-- `outcomes status`: every load summarised by what it holds.
SELECT kind, coalesce(council, '') AS council, coalesce(CAST(wave AS VARCHAR), '') AS wave,
       coalesce(instrument, '') AS instrument, count(*) AS files,
       sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
       sum(values_quarantined) AS values_quarantined
FROM loads
GROUP BY ALL
ORDER BY kind DESC, council, wave, instrument;
