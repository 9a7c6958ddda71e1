-- Sessions, speakers, RSVPs and request de-duplication: the foundation.
CREATE TABLE sessions (
	id               INTEGER PRIMARY KEY,
	title            TEXT    NOT NULL,
	kind             TEXT    NOT NULL,
	starts_at        INTEGER NOT NULL, -- unix seconds, UTC
	duration_s       INTEGER NOT NULL,
	tz               TEXT    NOT NULL, -- IANA zone the session was scheduled in
	description      TEXT    NOT NULL DEFAULT '',
	link             TEXT    NOT NULL DEFAULT '',
	channel          TEXT    NOT NULL DEFAULT '',
	lang             TEXT    NOT NULL DEFAULT '',
	creator          TEXT    NOT NULL,
	status           TEXT    NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
	cancel_reason    TEXT    NOT NULL DEFAULT '',
	sequence         INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	announce_channel TEXT    NOT NULL DEFAULT '',
	announce_ts      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_starts_at ON sessions (starts_at);

CREATE TABLE session_partners (
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	PRIMARY KEY (session_id, position)
);

-- A speaker is a Slack user (user_id set) or an external person (name and email).
CREATE TABLE speakers (
	id      INTEGER PRIMARY KEY,
	user_id TEXT UNIQUE,
	name    TEXT NOT NULL DEFAULT '',
	email   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX speakers_external ON speakers (lower(email)) WHERE user_id IS NULL;

CREATE TABLE session_speakers (
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	speaker_id INTEGER NOT NULL REFERENCES speakers (id),
	position   INTEGER NOT NULL,
	PRIMARY KEY (session_id, speaker_id)
);
CREATE INDEX session_speakers_speaker ON session_speakers (speaker_id);

CREATE TABLE participants (
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	user_id    TEXT    NOT NULL,
	joined_at  INTEGER NOT NULL,
	PRIMARY KEY (session_id, user_id)
);
CREATE INDEX participants_user ON participants (user_id);

-- Keys of requests already acted on (slash command bodies, event ids, actions),
-- so a redelivery acts once.
CREATE TABLE processed (
	key TEXT PRIMARY KEY,
	at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Feed tokens are stored only as SHA-256 hashes; one live token per user.
CREATE TABLE feed_tokens (
	user_id    TEXT PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

-- One row whose version moves on every change a feed can show, so a feed
-- request can answer 304 after reading a single integer.
CREATE TABLE feed_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	version    INTEGER NOT NULL,
	changed_at INTEGER NOT NULL
);
INSERT INTO feed_state (id, version, changed_at) VALUES (1, 1, unixepoch());

CREATE TRIGGER sessions_ai AFTER INSERT ON sessions BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER sessions_au AFTER UPDATE ON sessions BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER sessions_ad AFTER DELETE ON sessions BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER partners_ai AFTER INSERT ON session_partners BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER partners_ad AFTER DELETE ON session_partners BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER session_speakers_ai AFTER INSERT ON session_speakers BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER session_speakers_ad AFTER DELETE ON session_speakers BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER speakers_au AFTER UPDATE ON speakers BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER participants_ai AFTER INSERT ON participants BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
CREATE TRIGGER participants_ad AFTER DELETE ON participants BEGIN UPDATE feed_state SET version = version + 1, changed_at = unixepoch(); END;
