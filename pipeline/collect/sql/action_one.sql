-- The current state of one action.
SELECT * FROM actions WHERE action_id = $action_id;
