-- Waits a service asked for (a 429's Retry-After), by method and
-- conversation, so that every process sharing the database honours a limit
-- one of them was told about. Rows that have ended are dropped as new ones
-- come (see SetRatePause).
CREATE TABLE rate_pauses (
	key      TEXT    PRIMARY KEY,
	until_at INTEGER NOT NULL
) WITHOUT ROWID;
