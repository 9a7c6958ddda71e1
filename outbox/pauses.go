package outbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// Pauses remembers the waits a service asked for (a 429 with Retry-After),
// by method family and conversation, so that a limit on posting to one
// channel holds that channel only: other channels, and other families
// (looking a user up, opening a form), go on. When the same family is
// limited in two conversations at once, the service is limiting the family
// as a whole, and the whole family waits.
//
// With a PauseStore, the pauses are shared: each one noted is recorded
// there, and those every process sharing the store recorded are honoured
// too, so a replica does not call inside a Retry-After another was given.
// They are read with each look of the engine (Store.Agenda brings them) and,
// between looks, at most once a second, and only when a call is checked.
type Pauses struct {
	now    func() time.Time
	shared PauseStore

	mu     sync.Mutex
	until  map[pauseKey]time.Time // noted by this process
	others map[pauseKey]time.Time // read from shared: every process's
	read   time.Time              // when others was read

	// reading lets one caller at a time read shared; the others wait for
	// its answer rather than ask again.
	reading sync.Mutex
}

// PauseStore keeps pauses where every process sharing it sees them (the
// store's rate_pauses).
type PauseStore interface {
	SetRatePause(ctx context.Context, key string, until, now time.Time) error
	RatePauses(ctx context.Context, now time.Time) (map[string]time.Time, error)
}

// rereadAfter is how stale the shared pauses may get before a check reads
// them again: a query a second at most, only while calls are being made.
const rereadAfter = time.Second

// sharedTimeout bounds one read or write of the shared pauses.
const sharedTimeout = 5 * time.Second

type pauseKey struct{ family, conversation string }

// key is how k is named in the store: "chat.postMessage C123", or the
// family alone for the whole family.
func (k pauseKey) key() string {
	if k.conversation == "" {
		return k.family
	}
	return k.family + " " + k.conversation
}

func parsePauseKey(s string) pauseKey {
	family, conversation, _ := strings.Cut(s, " ")
	return pauseKey{family, conversation}
}

// NewPauses returns an empty set of pauses on the clock now, shared
// through shared (nil: this process only).
func NewPauses(now func() time.Time, shared PauseStore) *Pauses {
	if now == nil {
		now = time.Now
	}
	return &Pauses{now: now, shared: shared, until: map[pauseKey]time.Time{}, others: map[pauseKey]time.Time{}}
}

// Wait is how long a call of family about conversation ("" for calls
// about none) must still wait; 0 when it may go now. When the shared
// pauses are over a second old it reads them first; if that read fails,
// the wait is from what is known and the error says why.
func (p *Pauses) Wait(ctx context.Context, family, conversation string) (time.Duration, error) {
	var err error
	if p.shared != nil {
		err = p.reread(ctx)
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	until := p.ends(pauseKey{family, ""})
	if conversation != "" {
		if u := p.ends(pauseKey{family, conversation}); u.After(until) {
			until = u
		}
	}
	return max(until.Sub(now), 0), err
}

// ends is when the pause on k ends, whoever noted it. p.mu is held.
func (p *Pauses) ends(k pauseKey) time.Time {
	u := p.until[k]
	if o := p.others[k]; o.After(u) {
		return o
	}
	return u
}

// stale reports whether the shared pauses need reading at now. A clock
// that went back counts as stale. p.mu is held.
func (p *Pauses) stale(now time.Time) bool {
	return p.read.IsZero() || now.Before(p.read) || now.Sub(p.read) >= rereadAfter
}

func (p *Pauses) reread(ctx context.Context) error {
	p.reading.Lock()
	defer p.reading.Unlock()
	now := p.now()
	p.mu.Lock()
	stale := p.stale(now)
	p.mu.Unlock()
	if !stale {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	m, err := p.shared.RatePauses(ctx, now)
	if err != nil {
		// Keep what was known, and do not ask again on every call while
		// the store is unwell.
		p.mu.Lock()
		p.read = now
		p.mu.Unlock()
		return err
	}
	p.Shared(m, now)
	return nil
}

// Shared takes the pauses every process recorded, by key, as read at at
// (the engine passes those its agenda brought).
func (p *Pauses) Shared(pauses map[string]time.Time, at time.Time) {
	others := make(map[pauseKey]time.Time, len(pauses))
	for k, u := range pauses {
		others[parsePauseKey(k)] = u
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.others, p.read = others, at
}

// Note records that a call of family about conversation was told to wait
// after. It reports whether the whole family now waits; with shared
// pauses, the error says the pause could not be shared (this process
// honours it all the same).
func (p *Pauses) Note(ctx context.Context, family, conversation string, after time.Duration) (whole bool, err error) {
	now := p.now()
	until := now.Add(after)
	p.mu.Lock()
	for k, u := range p.until {
		if !u.After(now) {
			delete(p.until, k)
		}
	}
	var noted []pauseKey
	extend := func(k pauseKey) {
		if until.After(p.until[k]) {
			p.until[k] = until
		}
		noted = append(noted, k)
	}
	if conversation == "" {
		extend(pauseKey{family, ""})
		whole = true
	} else {
		// Another process's limit in another conversation counts: the
		// service limits the family, whoever asked.
		for _, m := range []map[pauseKey]time.Time{p.until, p.others} {
			for k, u := range m {
				if k.family == family && k.conversation != "" && k.conversation != conversation && u.After(now) {
					whole = true
				}
			}
		}
		extend(pauseKey{family, conversation})
		if whole {
			extend(pauseKey{family, ""})
		}
	}
	p.mu.Unlock()
	if p.shared == nil {
		return whole, nil
	}
	// Recorded before the caller hears of the 429: by the time it has
	// put its row back, every process that reads the store can know.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
	defer cancel()
	var errs []error
	for _, k := range noted {
		errs = append(errs, p.shared.SetRatePause(ctx, k.key(), until, now))
	}
	return whole, errors.Join(errs...)
}
