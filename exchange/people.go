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
	ScopeMine     = "mine" // upcoming, and I speak at or joined it
	ScopePast     = "past" // held, latest first
	ScopeAll      = "all"  // everything from 90 days back, cancelled included
)

// ListLimit bounds the sessions List returns (ScopeAll: twice as many).
const ListLimit = 25

// List returns sessions for userID in scope.
func (s *Service) List(ctx context.Context, userID, scope string) ([]*store.Session, error) {
	now := s.now()
	f := store.Filter{From: now.Add(-12 * time.Hour), Status: store.StatusConfirmed, Limit: ListLimit}
	switch scope {
	case ScopeMine:
		f.User = userID
	case ScopePast:
		f = store.Filter{EndedBefore: now, Status: store.StatusConfirmed, Newest: true, Limit: ListLimit}
	case ScopeAll:
		f = store.Filter{From: now.AddDate(0, 0, -90), Limit: 2 * ListLimit}
	}
	sessions, err := s.st.Sessions(ctx, f)
	if err != nil {
		return nil, err
	}
	if scope == ScopePast || scope == ScopeAll {
		return sessions, nil
	}
	// Upcoming keeps sessions still running, but not ones already over.
	kept := sessions[:0]
	for _, sess := range sessions {
		if sess.End().After(now) {
			kept = append(kept, sess)
		}
	}
	return kept, nil
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

// Report computes the M&E figures for sessions held in [from, to), for staff.
func (s *Service) Report(ctx context.Context, by Actor, from, to time.Time) (store.Report, error) {
	if err := s.RequireStaff(ctx, by.UserID, OpReport); err != nil {
		return store.Report{}, err
	}
	if from.After(to) {
		return store.Report{}, fail(CodePeriod, "from", from, "to", to)
	}
	return s.st.Report(ctx, from, to, s.now())
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
