-- Actions against findings (migration 013), newest wave first. Parameters: $council and $wave
-- (NULL for all), $public_only (true: only actions a commissioner made public).
SELECT action_id, council, wave, instrument, question_code, section, finding_measure,
       finding_value, finding_n, finding_comparison, finding_change, action_text, owner, due,
       status, public_update, public, created_by, created_at, updated_by, updated_at
FROM actions
WHERE ($council IS NULL OR council = $council)
  AND ($wave IS NULL OR wave = $wave)
  AND (NOT $public_only OR public)
ORDER BY wave DESC, council, action_id
