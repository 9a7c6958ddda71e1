-- Secrets the server derives links from, made on first use (see ServerKey);
-- every replica reads the same ones.
CREATE TABLE server_keys (
	name       text   PRIMARY KEY,
	key        bytea  NOT NULL,
	created_at bigint NOT NULL
);

-- The row /healthz writes to prove writes go through (see CheckWrite).
CREATE TABLE health (
	id         integer PRIMARY KEY CHECK (id = 1),
	checked_at bigint  NOT NULL
);
