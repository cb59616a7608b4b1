-- Refresh question_scales from the instruments (registered as scales_from_yaml), giving any
-- question or answer code not seen before the next free id in `codes`.
INSERT INTO codes (code_id, code)
SELECT (SELECT coalesce(max(code_id), 0) FROM codes) + row_number() OVER (ORDER BY code), code
FROM (
    SELECT question_code AS code FROM scales_from_yaml
    UNION
    SELECT answer_code FROM scales_from_yaml
)
WHERE code NOT IN (SELECT code FROM codes);

DELETE FROM question_scales;

INSERT INTO question_scales (instrument, question_code, question_id, answer_id, section, domain,
                             scale, answer_code, answer_label, answer_order, is_missing,
                             answer_group, is_positive)
SELECT y.instrument, y.question_code, q.code_id, a.code_id, y.section, y.domain, y.scale,
       y.answer_code, y.answer_label, y.answer_order, y.is_missing, y.answer_group, y.is_positive
FROM scales_from_yaml AS y
JOIN codes AS q ON q.code = y.question_code
JOIN codes AS a ON a.code = y.answer_code;
