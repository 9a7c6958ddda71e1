package outbox

import "time"

// health is what one delivery showed about the service.
type health int

const (
	unknown health = iota // no call, or nothing learned
	up                    // the service answered
	down                  // the service failed or refused our credentials
)

// breaker stops deliveries while the service is down: after a failure,
// one probe at a time, at growing intervals, until one gets an answer.
type breaker struct {
	open     bool
	probing  bool
	until    time.Time
	failures int
}

// allow reports whether a row may go now, and whether it is the probe.
// forced asks for a probe now, open or not: a DeliverNow run starts with
// one row, so an outage costs it one call.
func (b *breaker) allow(now time.Time, forced bool) (probe, ok bool) {
	switch {
	case b.probing:
		return false, false
	case !b.open && !forced:
		return false, true
	case b.open && now.Before(b.until) && !forced:
		return false, false
	}
	b.probing = true
	return true, true
}

func (b *breaker) record(now time.Time, probe bool, h health) {
	if probe {
		b.probing = false
	}
	switch h {
	case up:
		b.open, b.failures = false, 0
	case down:
		b.failures++
		b.open, b.until = true, now.Add(Backoff(b.failures))
	}
}
