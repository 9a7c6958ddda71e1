-- Secrets the server derives links from, made on first use (see ServerKey).
CREATE TABLE server_keys (
	name       TEXT PRIMARY KEY,
	key        BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
