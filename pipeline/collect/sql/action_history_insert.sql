-- One change to one field of an action: appended, never updated (migration 013).
INSERT INTO action_history (
    history_id, action_id, changed_by, changed_at, change, field, old_value, new_value
)
VALUES (
    (SELECT coalesce(max(history_id), 0) + 1 FROM action_history),
    $action_id, $by, $at, $change, $field, $old_value, $new_value
);
