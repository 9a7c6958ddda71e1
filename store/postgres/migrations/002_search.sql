-- The lessons search: a text search configuration that folds accents
-- (unaccent) and case but does not stem, so one index serves Spanish and
-- English alike and `evaluacion` finds "evaluación". ts_headline uses the
-- same configuration, so it marks "EVALUACIÓN" in the original text.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION exchangebot_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION exchangebot_search
	ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- A match in the answer weighs more than one in the question (A against
-- D), since every answer to a question shares its words.
ALTER TABLE lessons ADD COLUMN search tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('exchangebot_search', question), 'D') ||
	setweight(to_tsvector('exchangebot_search', answer), 'A')) STORED;
CREATE INDEX lessons_search ON lessons USING gin (search);
