-- Answer links for speakers outside Slack: each token is stored only as
-- its SHA-256 hash, names the session and the speaker's email. A speaker
-- may hold several (a retried email carries a new one), all valid.
CREATE TABLE answer_tokens (
	token_hash bytea  PRIMARY KEY,
	session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	email      text   NOT NULL,
	created_at bigint NOT NULL
);
CREATE INDEX answer_tokens_session ON answer_tokens (session_id, email);
