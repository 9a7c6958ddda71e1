-- Secrets the server derives links from, made on first use (see ServerKey).
CREATE TABLE server_keys (
	name       TEXT PRIMARY KEY,
	key        BLOB NOT NULL,
	created_at INTEGER NOT NULL
);

-- The row /healthz writes to prove writes go through (see CheckWrite).
CREATE TABLE health (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	checked_at INTEGER NOT NULL
);
