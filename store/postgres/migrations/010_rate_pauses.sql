-- Waits a service asked for (a 429's Retry-After), by method and
-- conversation, so that every replica honours a limit one of them was told
-- about. Rows that have ended are dropped as new ones come (see
-- SetRatePause).
CREATE TABLE rate_pauses (
	key      text   PRIMARY KEY,
	until_at bigint NOT NULL
);
