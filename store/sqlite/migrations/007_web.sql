-- Answer links for speakers outside Slack: each token is stored only as
-- its SHA-256 hash, names the session and the speaker's email, and stays
-- valid while the session's lessons are open (the core decides how long).
-- A speaker may hold several (a retried email carries a new one), all valid.
CREATE TABLE answer_tokens (
	token_hash BLOB    PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	email      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX answer_tokens_session ON answer_tokens (session_id, email);
