package exchange

import (
	"context"
	"errors"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Scopes of List.
const (
	ScopeUpcoming = ""     // what is still to come or running
	ScopeMine     = "mine" // upcoming, and I created it, speak at or joined it
	ScopePast     = "past" // held, latest first
	ScopeAll      = "all"  // everything from 90 days back, cancelled included
)

// ListLimit is how many sessions one page of List holds.
const ListLimit = 25

// Page is one page of a list of sessions.
type Page struct {
	Sessions []*store.Session
	// Number is this page (1-based); Total counts the sessions on every page.
	Number, Total int
}

// More is how many sessions come after this page.
func (p Page) More() int { return max(0, p.Total-(p.Number-1)*ListLimit-len(p.Sessions)) }

// Pages is how many pages the list has (at least one).
func (p Page) Pages() int { return max(1, (p.Total+ListLimit-1)/ListLimit) }

// List returns page (1-based; 0 means 1) of the sessions for userID in scope.
func (s *Service) List(ctx context.Context, userID, scope string, page int) (Page, error) {
	now := s.now()
	f := store.Filter{EndsAfter: now, Status: store.StatusConfirmed}
	switch scope {
	case ScopeMine:
		f.User, f.OrCreated = userID, true
	case ScopePast:
		f = store.Filter{EndedBefore: now, Status: store.StatusConfirmed, Newest: true}
	case ScopeAll:
		f = store.Filter{From: now.AddDate(0, 0, -90)}
	}
	total, err := s.st.SessionCount(ctx, f)
	if err != nil {
		return Page{}, err
	}
	page = max(page, 1)
	f.Limit, f.Offset = ListLimit, (page-1)*ListLimit
	sessions, err := s.st.Sessions(ctx, f)
	if err != nil {
		return Page{}, err
	}
	return Page{Sessions: sessions, Number: page, Total: total}, nil
}

// digestWindow is how far ahead the weekly digest looks.
const digestWindow = 7 * 24 * time.Hour

// OweDigest owes the digest channel this week's digest, once a day at
// most; it does nothing without a digest channel.
func (s *Service) OweDigest(ctx context.Context) error {
	ch := s.p.DigestChannel
	if ch == "" {
		return nil
	}
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) {
		return true, tx.Enqueue(ctx, store.Delivery{
			Kind: KindDigest, Recipient: ch, Due: now, Deadline: now.Add(digestLate),
			Dedupe: DigestKey(now, s.p.Location),
		}, now)
	})
}

// Digest lists the confirmed sessions in the week from from (when the
// digest was due, however late it goes out).
func (s *Service) Digest(ctx context.Context, from time.Time) ([]*store.Session, error) {
	return s.st.Sessions(ctx, store.Filter{From: from, To: from.Add(digestWindow), Status: store.StatusConfirmed})
}

// backwards reports whether the period [from, to) starts after it ends.
// The end is exclusive, so from == to is backwards too: it is what a
// person's last day before their first day becomes ("from 2 Feb to 1 Feb"
// ends at the start of 2 Feb), and no one asks for an empty period.
func backwards(from, to time.Time) bool { return !from.Before(to) }

// Report computes the M&E figures for sessions held in [from, to), for
// staff, with the demand of the period (requests made in it) and what the
// participants of those sessions said. Its months are the institution's
// (Policy.Location).
func (s *Service) Report(ctx context.Context, by Actor, from, to time.Time) (store.Report, error) {
	if err := s.RequireStaff(ctx, by.UserID, OpReport); err != nil {
		return store.Report{}, err
	}
	if backwards(from, to) {
		return store.Report{}, fail(CodePeriod, "from", from, "to", to)
	}
	r, err := s.st.Report(ctx, store.ReportQuery{From: from, To: to, Now: s.now(), Location: s.p.Location})
	if err != nil {
		return store.Report{}, err
	}
	if err := s.addFigures(ctx, &r, from, to); err != nil {
		return store.Report{}, err
	}
	return r, nil
}

// FeedToken reports when userID's personal feed token was made; ok is
// false when they have none. The token itself is stored only hashed.
func (s *Service) FeedToken(ctx context.Context, userID string) (created time.Time, ok bool, err error) {
	created, err = s.st.FeedTokenCreated(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, false, nil
	}
	return created, err == nil, err
}

// RotateFeedToken gives userID a new personal feed token, revoking the
// old one. It is returned once and never again.
func (s *Service) RotateFeedToken(ctx context.Context, userID string) (string, error) {
	var token string
	err := s.st.Update(ctx, func(tx store.Tx) (err error) {
		token, err = tx.RotateFeedToken(ctx, userID, s.now())
		return err
	})
	return token, err
}
