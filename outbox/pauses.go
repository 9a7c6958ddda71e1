package outbox

import (
	"sync"
	"time"
)

// Pauses remembers the waits a service asked for (a 429 with Retry-After),
// by method family and conversation, so that a limit on posting to one
// channel holds that channel only: other channels, and other families
// (looking a user up, opening a form), go on. When the same family is
// limited in two conversations at once, the service is limiting the family
// as a whole, and the whole family waits.
type Pauses struct {
	now   func() time.Time
	mu    sync.Mutex
	until map[pauseKey]time.Time
}

type pauseKey struct{ family, conversation string }

// NewPauses returns an empty set of pauses on the clock now.
func NewPauses(now func() time.Time) *Pauses {
	if now == nil {
		now = time.Now
	}
	return &Pauses{now: now, until: map[pauseKey]time.Time{}}
}

// Wait is how long a call of family about conversation ("" for calls
// about none) must still wait; 0 when it may go now.
func (p *Pauses) Wait(family, conversation string) time.Duration {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	until := p.until[pauseKey{family, ""}]
	if conversation != "" {
		if u := p.until[pauseKey{family, conversation}]; u.After(until) {
			until = u
		}
	}
	return max(until.Sub(now), 0)
}

// Note records that a call of family about conversation was told to wait
// after. It reports whether the whole family now waits.
func (p *Pauses) Note(family, conversation string, after time.Duration) (whole bool) {
	now := p.now()
	until := now.Add(after)
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, u := range p.until {
		if !u.After(now) {
			delete(p.until, k)
		}
	}
	extend := func(k pauseKey) {
		if until.After(p.until[k]) {
			p.until[k] = until
		}
	}
	if conversation == "" {
		extend(pauseKey{family, ""})
		return true
	}
	for k := range p.until {
		if k.family == family && k.conversation != "" && k.conversation != conversation {
			whole = true
		}
	}
	extend(pauseKey{family, conversation})
	if whole {
		extend(pauseKey{family, ""})
	}
	return whole
}
