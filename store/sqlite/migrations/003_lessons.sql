-- Lesson capture: who was asked, where the DM conversation stands, and the
-- answers, searchable through an FTS5 index kept in step by triggers.
CREATE TABLE prompts (
	session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	user_id       TEXT    NOT NULL,
	dm_channel    TEXT    NOT NULL DEFAULT '',
	-- open: asked, not walking through the DM; answering: the DM waits for
	-- next_question; stopped: said stop; done: past the last question or
	-- answered in the form.
	state         TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answering', 'stopped', 'done')),
	next_question INTEGER NOT NULL DEFAULT 0, -- 0-based index into lessons.questions
	prompted_at   INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	PRIMARY KEY (session_id, user_id)
);
-- A DM reply finds its prompt by channel and user.
CREATE INDEX prompts_dm ON prompts (dm_channel, user_id, state);

CREATE TABLE lessons (
	id           INTEGER PRIMARY KEY,
	session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	user_id      TEXT    NOT NULL,
	question_idx INTEGER NOT NULL,
	question     TEXT    NOT NULL, -- as asked, so a later change to the config does not relabel old answers
	answer       TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (session_id, user_id, question_idx)
);
CREATE INDEX lessons_updated ON lessons (updated_at);

-- remove_diacritics 2 folds accents on every letter, so `evaluacion` finds
-- "evaluación"; unicode61 already folds case.
CREATE VIRTUAL TABLE lessons_fts USING fts5 (
	question, answer,
	content = 'lessons', content_rowid = 'id',
	tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER lessons_fts_ai AFTER INSERT ON lessons BEGIN
	INSERT INTO lessons_fts (rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
CREATE TRIGGER lessons_fts_ad AFTER DELETE ON lessons BEGIN
	INSERT INTO lessons_fts (lessons_fts, rowid, question, answer) VALUES ('delete', old.id, old.question, old.answer);
END;
CREATE TRIGGER lessons_fts_au AFTER UPDATE ON lessons BEGIN
	INSERT INTO lessons_fts (lessons_fts, rowid, question, answer) VALUES ('delete', old.id, old.question, old.answer);
	INSERT INTO lessons_fts (rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
