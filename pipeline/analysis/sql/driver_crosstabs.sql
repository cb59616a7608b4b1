-- The cross-tabs behind the drivers model: for one outcome, the share saying "better" among
-- people in each answer group of each process item ('not_answered' where they gave no valid
-- answer). Items without reporting groups (who helped to plan) are tabulated by answer code.
-- $council / $wave NULL mean all councils / waves.
WITH outcome AS (
    SELECT council, wave, respondent_key, is_positive AS better
    FROM answers_scored
    WHERE instrument = $instrument
      AND question_code = $outcome
      AND NOT is_missing
      AND ($council IS NULL OR council = $council)
      AND ($wave IS NULL OR wave = $wave)
),
items AS (
    SELECT question_code AS process_code,
           any_value(domain) AS process_domain
    FROM question_scales
    WHERE instrument = $instrument AND section = 'process'
    GROUP BY question_code
),
groups AS (
    SELECT question_code AS process_code,
           coalesce(answer_group, answer_code) AS process_group,
           any_value(CASE WHEN answer_group IS NULL THEN answer_label END) AS group_label,
           max(answer_order) AS group_order,
           bool_or(is_positive) AS is_positive
    FROM question_scales
    WHERE instrument = $instrument AND section = 'process' AND NOT is_missing
    GROUP BY ALL
),
process AS (
    SELECT council, wave, respondent_key, question_code AS process_code,
           CASE WHEN is_missing THEN 'not_answered' ELSE coalesce(answer_group, answer_code) END
               AS process_group
    FROM answers_scored
    WHERE instrument = $instrument
      AND section = 'process'
      AND ($council IS NULL OR council = $council)
      AND ($wave IS NULL OR wave = $wave)
),
counted AS (
    SELECT i.process_code,
           i.process_domain,
           coalesce(p.process_group, 'not_answered') AS process_group,
           count(*) AS n,
           count(*) FILTER (WHERE o.better) AS count_better
    FROM outcome AS o
    CROSS JOIN items AS i
    LEFT JOIN process AS p
           ON p.council = o.council
          AND p.wave = o.wave
          AND p.respondent_key = o.respondent_key
          AND p.process_code = i.process_code
    GROUP BY ALL
)
SELECT c.*,
       coalesce(g.group_label, c.process_group) AS group_label,
       coalesce(g.group_order, 1000) AS group_order,
       coalesce(g.is_positive, false) AS is_positive
FROM counted AS c
LEFT JOIN groups AS g USING (process_code, process_group)
