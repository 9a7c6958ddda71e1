package store

import "time"

// AnswerToken is what an answer link stands for: a speaker outside Slack
// (by email, lower case) answering one session's questions.
type AnswerToken struct {
	SessionID int64
	Email     string
	Created   time.Time
}

// LessonQuery selects lessons for the library. Zero values mean "any".
type LessonQuery struct {
	// Words are searched as Store.Search reads them; empty lists the
	// latest answers first.
	Words   string
	Partner string // a partner of the session, exactly as stored (case ignored)
	Kind    string
	// From and To bound the session's start: [From, To).
	From, To time.Time
	Limit    int
}

// Month holds the figures of the sessions held in one calendar month of
// the report's Location, for charts.
type Month struct {
	Start    time.Time // the first instant of the month, in the report's Location
	Held     int
	Captured int     // held sessions with at least one lesson
	ByKind   []Count // in the order of Report.ByKind
}
