-- Every message the bot owes is a row here before it is sent.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	kind            TEXT    NOT NULL, -- announce, update, thread, reminder, prompt, nudge, summary, digest
	session_id      INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
	recipient       TEXT    NOT NULL, -- a channel id, or a user id for a DM
	in_thread       INTEGER NOT NULL DEFAULT 0, -- post in the session announcement's thread
	payload         TEXT    NOT NULL DEFAULT '', -- kind-specific detail, e.g. the text of a thread note
	due_at          INTEGER NOT NULL,
	deadline        INTEGER NOT NULL DEFAULT 0, -- 0, or the moment after which sending is pointless
	state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'dropped', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT    NOT NULL DEFAULT '',
	channel         TEXT    NOT NULL DEFAULT '', -- where it was (or is being) posted
	ts              TEXT    NOT NULL DEFAULT '',
	dedupe          TEXT UNIQUE,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (state) WHERE state = 'sending';
CREATE INDEX outbox_session ON outbox (session_id, state);
