-- Every change to actions, oldest first. Parameter: $action_id (NULL for every action).
SELECT history_id, action_id, changed_by, changed_at, change, field, old_value, new_value
FROM action_history
WHERE $action_id IS NULL OR action_id = $action_id
ORDER BY action_id, history_id
