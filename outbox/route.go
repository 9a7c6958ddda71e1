package outbox

import (
	"context"
	"errors"

	"github.com/exchangebot/exchangebot/store"
)

// Route is a Sender that hands each row to the Sender registered for its
// kind (email kinds to the mail surface), and every other row to Default
// (Slack). Errors carry the Sender that made them, so each is classified
// by its own surface.
type Route struct {
	Default Sender
	ByKind  map[string]Sender
}

var _ Sender = Route{}

func (r Route) pick(d store.Delivery) Sender {
	if s, ok := r.ByKind[d.Kind]; ok {
		return s
	}
	return r.Default
}

// routedError remembers which Sender an error came from.
type routedError struct {
	s   Sender
	err error
}

func (e *routedError) Error() string { return e.err.Error() }
func (e *routedError) Unwrap() error { return e.err }

func (r Route) wrap(s Sender, err error) error {
	if err == nil {
		return nil
	}
	return &routedError{s: s, err: err}
}

// Send implements Sender.
func (r Route) Send(ctx context.Context, d store.Delivery) (Result, error) {
	s := r.pick(d)
	res, err := s.Send(ctx, d)
	return res, r.wrap(s, err)
}

// Find implements Sender.
func (r Route) Find(ctx context.Context, d store.Delivery) (Result, bool, error) {
	s := r.pick(d)
	res, found, err := s.Find(ctx, d)
	return res, found, r.wrap(s, err)
}

// Classify implements Sender: the Sender that made err reads it.
func (r Route) Classify(err error) Verdict {
	var re *routedError
	if errors.As(err, &re) {
		return re.s.Classify(re.err)
	}
	return r.Default.Classify(err)
}

// Lane implements Sender.
func (r Route) Lane(d store.Delivery) string { return r.pick(d).Lane(d) }

// Undeliverable implements Sender.
func (r Route) Undeliverable(ctx context.Context, d store.Delivery, cause error) ([]store.Delivery, error) {
	var re *routedError
	if errors.As(cause, &re) {
		cause = re.err
	}
	return r.pick(d).Undeliverable(ctx, d, cause)
}
