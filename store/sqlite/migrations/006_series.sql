-- Series: sessions scheduled together to repeat (every week, two weeks or
-- month). Each occurrence stays a session of its own, with its own id,
-- reminders, lessons and feed event; series_id only links them.
CREATE TABLE series (
	id         INTEGER PRIMARY KEY,
	every      TEXT    NOT NULL CHECK (every IN ('week', '2w', 'month')),
	creator    TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);

ALTER TABLE sessions ADD COLUMN series_id INTEGER REFERENCES series (id);
-- Reading a series' occurrences in order, and placing one in its series.
CREATE INDEX sessions_series ON sessions (series_id, starts_at) WHERE series_id IS NOT NULL;
