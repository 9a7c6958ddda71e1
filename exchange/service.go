// Package exchange is the product without any surface: the operations
// every surface (Slack, the command line, a web page, email) calls to
// schedule, change and attend sessions and to capture their lessons, with
// the rules each of them follows written once here: the defaults of a new
// session, who may do what, the kinds, the limits and the plan of what
// the bot owes (outbox rows and their keys).
//
// It speaks no Slack, no HTTP and no SQL. Errors a person must read come
// back as *Error, a stable code with its values, for each surface to word
// in its reader's language.
package exchange

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Policy is the configuration the product's rules read.
type Policy struct {
	// Staff lists user ids, or user-group ids (Slack's start with S),
	// who may schedule; empty means everyone.
	Staff []string
	// Location is the zone of a session given none, and of dates a
	// person writes when their own zone is unknown.
	Location *time.Location
	// AnnounceChannel is where a session is announced when no channel is
	// given; else the channel the command was typed in.
	AnnounceChannel string
	Reminders       Reminders
	Lessons         Lessons
	Evaluation      Evaluation
	// DigestChannel receives the weekly digest; "" means none.
	DigestChannel string
	// FeedsPublic lets anyone read the feed of every session; otherwise
	// it needs a personal feed token.
	FeedsPublic bool
	// Language is the language (one of Langs) of sessions without one.
	Language string
	// Mail says speakers outside Slack are reached by email; otherwise
	// their answer link goes to the session's creator in Slack.
	Mail bool
}

// Reminders says when and to whom reminders go.
type Reminders struct {
	Before         []time.Duration
	ToChannel      bool
	ToSpeakers     bool
	ToParticipants bool
}

// Lessons drives lesson capture after a session.
type Lessons struct {
	PromptAfter time.Duration
	NudgeAfter  time.Duration
	CloseAfter  time.Duration
	Channel     string
	// Questions are asked after every session, in this order; a
	// person answers by question index, whatever language they read.
	Questions []string
	// ByLang gives a language ("en", "es") its own wording of Questions:
	// as many, in the same order. A language it does not name reads
	// Questions.
	ByLang map[string][]string
}

// Evaluation drives what participants are asked after a session. Every
// moment is counted from the session's end: the ratings DM at After, its
// one nudge NudgeAfter later, answers taken until CloseAfter after the
// DM; the follow-up at FollowUp, with the same nudge and close.
type Evaluation struct {
	Enabled    bool
	After      time.Duration
	NudgeAfter time.Duration
	CloseAfter time.Duration
	FollowUp   time.Duration
}

// QuestionsIn returns the questions as a reader of lang reads them.
func (l Lessons) QuestionsIn(lang string) []string {
	if qs, ok := l.ByLang[lang]; ok && len(qs) == len(l.Questions) {
		return qs
	}
	return l.Questions
}

// Groups answers whether a user belongs to a group of users; the Slack
// surface implements it with user groups.
type Groups interface {
	InGroup(ctx context.Context, group, userID string) (bool, error)
}

// Options build a Service.
type Options struct {
	Store  store.Store
	Now    func() time.Time // nil means time.Now
	Policy Policy
	// Groups resolves group ids in Policy.Staff; nil means a group
	// matches no one.
	Groups Groups
	// Changed is called after a commit that made the bot owe something
	// new, to wake whatever delivers it; nil means nobody is told.
	Changed func()
}

// Service is the product's operations. It is safe for concurrent use.
type Service struct {
	st      store.Store
	now     func() time.Time
	p       Policy
	groups  Groups
	changed func()
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{st: o.Store, now: o.Now, p: o.Policy, groups: o.Groups, changed: o.Changed}
	if s.now == nil {
		s.now = time.Now
	}
	if s.p.Location == nil {
		s.p.Location = time.UTC
	}
	if s.changed == nil {
		s.changed = func() {}
	}
	return s
}

// Policy returns the configuration the Service runs with.
func (s *Service) Policy() Policy { return s.p }

// Actor is who asks for an operation, and where they asked.
type Actor struct {
	UserID string
	// Channel is where the request was made (a Slack channel); a new
	// session is announced there when nothing else says where.
	Channel string
}

// IsStaff reports whether userID is staff: everyone when the staff list
// is empty, else a listed user or a member of a listed group. A group
// that cannot be asked right now counts as not matching.
func (s *Service) IsStaff(ctx context.Context, userID string) bool {
	staff := s.p.Staff
	if len(staff) == 0 || slices.Contains(staff, userID) {
		return true
	}
	if s.groups == nil {
		return false
	}
	for _, g := range staff {
		if !isGroup(g) {
			continue
		}
		if ok, err := s.groups.InGroup(ctx, g, userID); err == nil && ok {
			return true
		}
	}
	return false
}

// isGroup tells a group id in the staff list from a user id: Slack's
// user groups start with S, users with U or W.
func isGroup(id string) bool { return strings.HasPrefix(id, "S") }

// RequireStaff returns an *Error with CodeNotStaff unless userID is
// staff, who alone may do op (OpSchedule, OpReport); surfaces check it
// before they ask for the details of op.
func (s *Service) RequireStaff(ctx context.Context, userID, op string) error {
	if !s.IsStaff(ctx, userID) {
		return fail(CodeNotStaff, "op", op)
	}
	return nil
}

// CanManage reports whether userID may edit, move or cancel sess or
// change its speakers: staff, or the person who scheduled it.
func (s *Service) CanManage(ctx context.Context, userID string, sess *store.Session) bool {
	return userID == sess.Creator || s.IsStaff(ctx, userID)
}

// Session returns one session, or an *Error with CodeNotFound.
func (s *Service) Session(ctx context.Context, id int64) (*store.Session, error) {
	sess, err := s.st.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(CodeNotFound, "id", id)
	}
	return sess, err
}

// Manageable loads a session by.UserID wants to change with op and
// checks they may: it exists, they are staff or its creator, and it was
// not cancelled. Surfaces call it before asking for the change's details.
func (s *Service) Manageable(ctx context.Context, by Actor, id int64, op string) (*store.Session, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.CanManage(ctx, by.UserID, sess) {
		return nil, fail(CodeNotAllowed, "op", op, "id", sess.ID, "creator", sess.Creator)
	}
	if sess.Cancelled() {
		return nil, fail(CodeCancelled, "op", op, "id", sess.ID)
	}
	return sess, nil
}

// Zone is the session's own time zone, else the configured one.
func (s *Service) Zone(sess *store.Session) *time.Location {
	if loc, err := LoadZone(sess.TZ); err == nil {
		return loc
	}
	return s.p.Location
}

// update runs fn in one transaction and, when it committed something
// owed, wakes the deliveries.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) (owed bool, err error)) error {
	var owed bool
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		owed, err = fn(tx)
		return err
	})
	if err == nil && owed {
		s.changed()
	}
	return err
}
