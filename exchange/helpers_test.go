package exchange

// Shared test helpers: a Service on a real SQLite file with a clock the
// tests move by hand. No Slack and no HTTP anywhere.

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// groups is a directory of user groups for the staff rule.
type groups map[string][]string

func (g groups) InGroup(_ context.Context, group, user string) (bool, error) {
	return slices.Contains(g[group], user), nil
}

type testEnv struct {
	t       testing.TB
	svc     *Service
	store   store.Store
	clock   *testClock
	changed atomic.Int32 // calls of Options.Changed
}

// t0 is the tests' present: Monday 2 March 2026, 12:00 UTC.
var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func testPolicy() Policy {
	return Policy{
		Location:        mustZone("America/Santiago"),
		AnnounceChannel: "",
		Reminders:       Reminders{Before: []time.Duration{24 * time.Hour, time.Hour}, ToChannel: true, ToSpeakers: true, ToParticipants: true},
		Lessons: Lessons{
			PromptAfter: 15 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour, Channel: "CLESSONS",
			Questions: []string{"What worked well?", "What would you do differently?", "What should peers replicate?"},
		},
		DigestChannel: "CDIGEST",
	}
}

func mustZone(name string) *time.Location {
	loc, err := LoadZone(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// newTestService builds a Service on a fresh database; mutate changes
// its policy first.
func newTestService(t testing.TB, mutate ...func(*Policy)) *testEnv {
	t.Helper()
	p := testPolicy()
	for _, m := range mutate {
		m(&p)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "exchange.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &testEnv{t: t, store: st, clock: &testClock{t: t0}}
	e.svc = New(Options{Store: st, Now: e.clock.Now, Policy: p, Groups: groups{"SSTAFF": {"UGROUPIE"}}, Changed: func() { e.changed.Add(1) }})
	return e
}

// rows lists the session's outbox rows of kind in the given states (any
// when none), by recipient then due time.
func (e *testEnv) rows(id int64, kind string, states ...string) []store.Delivery {
	e.t.Helper()
	all, err := e.store.Deliveries(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range all {
		if d.Kind == kind && (len(states) == 0 || slices.Contains(states, d.State)) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Recipient != out[j].Recipient {
			return out[i].Recipient < out[j].Recipient
		}
		return out[i].Due.Before(out[j].Due)
	})
	return out
}

func (e *testEnv) session(id int64) *store.Session {
	e.t.Helper()
	s, err := e.store.Session(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// code is the exchange error code of err, "" for nil, "?" for another error.
func code(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return "?" + err.Error()
}
