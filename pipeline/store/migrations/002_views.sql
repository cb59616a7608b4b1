-- Views that derive reporting categories from the instruments' scale definitions, so that
-- "better", "easy" and the headline share are never stored twice.

CREATE OR REPLACE VIEW answers_scored AS
SELECT a.respondent_key, a.instrument, a.council, a.wave, a.question_code, a.answer_code,
       a.load_id, s.section, s.domain, s.scale, s.answer_order, s.is_missing, s.answer_group,
       s.is_positive
FROM answers AS a
JOIN question_scales AS s USING (instrument, question_code, answer_code);

CREATE OR REPLACE VIEW survey_returns AS
SELECT council, wave, instrument, count(*) AS returns
FROM respondents
GROUP BY ALL;
