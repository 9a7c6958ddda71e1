-- From demand to evaluation: the requests people make for sessions, and
-- what participants say of a session after it and at the follow-up.
CREATE TABLE requests (
	id          INTEGER PRIMARY KEY,
	topic       TEXT    NOT NULL,
	asker       TEXT    NOT NULL, -- Slack user id
	channel     TEXT    NOT NULL DEFAULT '', -- the office or channel it is for
	status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'planned', 'declined', 'merged')),
	reason      TEXT    NOT NULL DEFAULT '', -- declined: why
	merged_into INTEGER REFERENCES requests (id),
	session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL, -- planned: the session
	decided_by  TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX requests_status ON requests (status, created_at);
CREATE INDEX requests_created ON requests (created_at);
CREATE INDEX requests_merged_into ON requests (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX requests_session ON requests (session_id) WHERE session_id IS NOT NULL;

CREATE TABLE request_partners (
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	PRIMARY KEY (request_id, position)
);

-- One row per participant asked about a session. Times are unix seconds,
-- 0 for "not yet"; rating is 0 until given.
CREATE TABLE evaluations (
	session_id     INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	user_id        TEXT    NOT NULL,
	dm_channel     TEXT    NOT NULL DEFAULT '',
	-- What a reply in dm_channel answers now: '' nothing, 'plan' what they
	-- will apply, 'change' what changed (after the follow-up).
	awaiting       TEXT    NOT NULL DEFAULT '' CHECK (awaiting IN ('', 'plan', 'change')),
	awaiting_at    INTEGER NOT NULL DEFAULT 0,
	asked_at       INTEGER NOT NULL,
	rating         INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
	rated_at       INTEGER NOT NULL DEFAULT 0,
	plan           TEXT    NOT NULL DEFAULT '',
	plan_at        INTEGER NOT NULL DEFAULT 0,
	followed_up_at INTEGER NOT NULL DEFAULT 0,
	applied        TEXT    NOT NULL DEFAULT '' CHECK (applied IN ('', 'yes', 'partly', 'not_yet')),
	applied_at     INTEGER NOT NULL DEFAULT 0,
	changed        TEXT    NOT NULL DEFAULT '',
	changed_at     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (session_id, user_id)
);
-- A DM reply finds what it answers by channel and user.
CREATE INDEX evaluations_dm ON evaluations (dm_channel, user_id, awaiting);

-- People who asked never to be asked to evaluate again.
CREATE TABLE evaluation_optouts (
	user_id TEXT PRIMARY KEY,
	at      INTEGER NOT NULL
) WITHOUT ROWID;
