-- Set one field of an action ({field} comes from a fixed list in actions.py, never user text).
UPDATE actions
SET {field} = $value, updated_by = $by, updated_at = $at
WHERE action_id = $action_id;
