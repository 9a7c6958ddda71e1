package store

import (
	"strings"
	"time"
)

// Session statuses.
const (
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
)

// Session is one webinar, exchange or workshop.
type Session struct {
	ID           int64
	Title        string
	Kind         string
	Start        time.Time // UTC
	Duration     time.Duration
	TZ           string // IANA zone it was scheduled in
	Description  string
	Link         string
	Channel      string // where it is announced
	Lang         string
	Creator      string // Slack user id
	Status       string
	CancelReason string
	Sequence     int
	Created      time.Time
	Updated      time.Time
	// AnnounceChannel and AnnounceTS locate the announcement once posted.
	AnnounceChannel string
	AnnounceTS      string

	Partners     []string
	Speakers     []Speaker
	Participants []string // user ids, in joining order

	// SeriesID links the occurrences of a series (0: a one-off session).
	// SeriesPlace and SeriesSize are read, never written: the session is
	// the SeriesPlace-th of its series' SeriesSize confirmed occurrences,
	// by start ("3 of 6"); SeriesPlace is 0 once it is cancelled.
	SeriesID    int64
	SeriesPlace int
	SeriesSize  int
}

// End is when the session finishes.
func (s *Session) End() time.Time { return s.Start.Add(s.Duration) }

// Cancelled reports whether the session was cancelled.
func (s *Session) Cancelled() bool { return s.Status == StatusCancelled }

// HasSpeaker reports whether the Slack user speaks at the session.
func (s *Session) HasSpeaker(userID string) bool {
	for _, sp := range s.Speakers {
		if sp.UserID == userID {
			return true
		}
	}
	return false
}

// HasParticipant reports whether the Slack user joined the session.
func (s *Session) HasParticipant(userID string) bool {
	for _, p := range s.Participants {
		if p == userID {
			return true
		}
	}
	return false
}

// Details are what an edit of a session may change; its time changes
// with Reschedule.
type Details struct {
	Title, Kind, Link, Description, Lang string
}

// Speaker is a Slack user (UserID set) or an external person with no Slack
// account (Name and Email).
type Speaker struct {
	ID     int64
	UserID string
	Name   string
	Email  string
}

// Key identifies the speaker across sessions: the Slack id, else the email.
func (sp Speaker) Key() string {
	if sp.UserID != "" {
		return sp.UserID
	}
	return strings.ToLower(sp.Email)
}

// Filter selects sessions for Sessions. Zero values mean "no limit".
type Filter struct {
	From, To time.Time // session start in [From, To)
	// EndedBefore keeps sessions whose end is before it.
	EndedBefore time.Time
	// User keeps sessions the user speaks at or joined.
	User string
	// SeriesID keeps the occurrences of one series.
	SeriesID int64
	// OrCreated widens User to the sessions the user created too.
	OrCreated bool
	// EndsAfter keeps sessions still running or to come at that time.
	EndsAfter time.Time
	// Status keeps only that status ("" = any).
	Status string
	// CancelledSince drops cancelled sessions last changed before it.
	CancelledSince time.Time
	// Newest lists latest first instead of soonest first.
	Newest bool
	Limit  int
	// Offset skips that many sessions first (paging, with Limit).
	Offset int
}
