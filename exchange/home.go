package exchange

import (
	"context"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// HomeLimit bounds the sessions a Home lists; a surface shows what fits.
const HomeLimit = 200

// Home is what one person's App Home shows.
type Home struct {
	UserID string
	// Sessions are the upcoming ones they created, speak at or joined,
	// soonest first; Total counts them all.
	Sessions []*store.Session
	Total    int
	// Prompts are the lesson questions still waiting on them.
	Prompts []Pending
	// Staff may schedule; Figures are then this month's, in the
	// configured zone, from its first day (Month) on.
	Staff   bool
	Month   time.Time
	Figures store.Report
}

// Pending is a lesson prompt not yet answered to its end.
type Pending struct {
	Session *store.Session
	Prompt  store.Prompt
}

// Home gathers userID's App Home.
func (s *Service) Home(ctx context.Context, userID string) (Home, error) {
	now := s.now()
	h := Home{UserID: userID}
	f := store.Filter{User: userID, OrCreated: true, EndsAfter: now, Status: store.StatusConfirmed}
	var err error
	if h.Total, err = s.st.SessionCount(ctx, f); err != nil {
		return Home{}, err
	}
	f.Limit = HomeLimit
	if h.Sessions, err = s.st.Sessions(ctx, f); err != nil {
		return Home{}, err
	}
	if h.Prompts, err = s.Pending(ctx, userID); err != nil {
		return Home{}, err
	}
	if h.Staff = s.IsStaff(ctx, userID); h.Staff {
		local := now.In(s.p.Location)
		h.Month = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.p.Location)
		if h.Figures, err = s.st.Report(ctx, store.ReportQuery{From: h.Month, To: h.Month.AddDate(0, 1, 0), Now: now, Location: s.p.Location}); err != nil {
			return Home{}, err
		}
	}
	return h, nil
}

// Pending lists the lesson prompts still waiting on userID, latest
// first: asked, not finished, about a session held and not cancelled,
// and still open (before lessons.close_after).
func (s *Service) Pending(ctx context.Context, userID string) ([]Pending, error) {
	ps, err := s.st.UserPrompts(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Pending
	for _, p := range ps {
		if p.Finished() {
			continue
		}
		sess, err := s.st.Session(ctx, p.SessionID)
		if err != nil {
			return nil, err
		}
		if sess.Cancelled() || held(sess, now) != nil || s.closed(sess, now) {
			continue
		}
		out = append(out, Pending{Session: sess, Prompt: p})
	}
	return out, nil
}

// closed reports whether lesson capture for sess has closed
// (lessons.close_after past its end; never when that is zero).
func (s *Service) closed(sess *store.Session, now time.Time) bool {
	return s.p.Lessons.CloseAfter > 0 && !now.Before(sess.End().Add(s.p.Lessons.CloseAfter))
}
