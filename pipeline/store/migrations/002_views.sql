-- Views over the compact answer storage. `answers` is the public long form (one row per
-- respondent x question with canonical codes); `answers_scored` adds what each answer means for
-- reporting ("better", "easy", missing), derived from the instruments' scales, never stored twice.

CREATE OR REPLACE VIEW answers AS
SELECT r.respondent_key, r.instrument, r.council, r.wave, q.code AS question_code,
       a.code AS answer_code, r.load_id, r.return_id
FROM answer_values AS v
JOIN respondents AS r USING (return_id)
JOIN codes AS q ON q.code_id = v.question_id
JOIN codes AS a ON a.code_id = v.answer_id;

CREATE OR REPLACE VIEW answers_scored AS
SELECT r.respondent_key, r.instrument, r.council, r.wave, s.question_code, s.answer_code,
       r.load_id, r.return_id, s.section, s.domain, s.scale, s.answer_order, s.is_missing,
       s.answer_group, s.is_positive
FROM answer_values AS v
JOIN respondents AS r USING (return_id)
JOIN question_scales AS s
  ON s.instrument = r.instrument AND s.question_id = v.question_id AND s.answer_id = v.answer_id;

CREATE OR REPLACE VIEW survey_returns AS
SELECT council, wave, instrument, count(*) AS returns
FROM respondents
GROUP BY ALL;
