package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Warnings and errors are rate-limited per cause: a client that can make
// the server log (malformed requests, a flood of connections past the
// file limit) must not be able to fill the disk or bury the one line that
// matters. Each cause may log logBurst records at once and one more every
// logEvery; what is held back is counted and reported on its next record.
const (
	logBurst  = 10
	logEvery  = 6 * time.Second
	logCauses = 1024 // causes tracked; past that they share one budget
)

// limitHandler wraps a slog.Handler with the limit above. Records below
// Warn pass untouched.
type limitHandler struct {
	next slog.Handler
	l    *logLimiter // shared by the handlers WithAttrs and WithGroup make
}

func newLimitHandler(next slog.Handler, now func() time.Time) *limitHandler {
	return &limitHandler{next: next, l: &logLimiter{now: now, causes: make(map[string]*logBucket)}}
}

func (h *limitHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *limitHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	ok, held := h.l.allow(logCause(r))
	if !ok {
		return nil
	}
	if held > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", held))
	}
	return h.next.Handle(ctx, r)
}

func (h *limitHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &limitHandler{next: h.next.WithAttrs(as), l: h.l}
}

func (h *limitHandler) WithGroup(name string) slog.Handler {
	return &limitHandler{next: h.next.WithGroup(name), l: h.l}
}

// logCause is what records of one cause share: the level and the message
// without its digits, so net/http's "http: TLS handshake error from
// 10.0.0.7:51234: EOF" is one cause whatever the client, cut to a length
// that bounds the key.
func logCause(r slog.Record) string {
	msg := strings.Map(func(c rune) rune {
		if unicode.IsDigit(c) {
			return -1
		}
		return c
	}, r.Message)
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return r.Level.String() + " " + msg
}

type logLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	causes map[string]*logBucket
}

// logBucket is a token bucket for one cause.
type logBucket struct {
	tokens float64
	last   time.Time
	held   int // records dropped since the last one passed
}

// allow takes a token for cause, and says how many records of it were
// held back since the last that passed.
func (l *logLimiter) allow(cause string) (ok bool, held int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.causes[cause]
	if b == nil {
		if len(l.causes) >= logCauses {
			cause = "(other causes)"
			b = l.causes[cause]
		}
		if b == nil {
			b = &logBucket{tokens: logBurst, last: now}
			l.causes[cause] = b
		}
	}
	b.tokens = min(logBurst, b.tokens+float64(now.Sub(b.last))/float64(logEvery))
	b.last = now
	if b.tokens < 1 {
		b.held++
		return false, 0
	}
	b.tokens--
	held, b.held = b.held, 0
	return true, held
}
