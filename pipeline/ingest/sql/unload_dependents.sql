-- Later survey loads that quarantined returns as copies of this load's returns (decision D8:
-- a later copy of a return already in the database is quarantined whole, the first is kept).
-- Removing this load would leave those returns set aside with no copy kept, and later loads are
-- not re-evaluated, so unload refuses while any of them is still loaded. The quarantined copy
-- names the respondent as 'pseudonym ' + the first 16 characters of the key (survey_write.sql).
SELECT q.load_id, l.file_name, count(*) AS returns
FROM quarantine AS q
JOIN loads AS l USING (load_id)
JOIN loads AS this ON this.load_id = $load_id
WHERE q.whole_row
  AND q.load_id <> $load_id
  AND l.kind = 'survey'
  AND l.council = this.council AND l.wave = this.wave AND l.instrument = this.instrument
  AND q.reason LIKE 'duplicate return: this respondent%already loaded'
  AND q.raw_value IN (
      SELECT 'pseudonym ' || left(respondent_key, 16) FROM respondents WHERE load_id = $load_id
  )
GROUP BY ALL
ORDER BY q.load_id;
