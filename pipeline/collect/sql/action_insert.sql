-- One new action (pipeline/collect/actions.py); its id is the next free one, taken inside the
-- same transaction as its history rows.
INSERT INTO actions (
    action_id, council, wave, instrument, question_code, section, finding_measure, finding_value,
    finding_n, finding_comparison, finding_change, action_text, owner, due, status,
    public_update, public, created_by, created_at, updated_by, updated_at
)
VALUES (
    $action_id, $council, $wave, $instrument, $question_code, $section, $finding_measure,
    $finding_value, $finding_n, $finding_comparison, $finding_change, $action_text, $owner, $due,
    $status, $public_update, $public, $by, $at, $by, $at
);
