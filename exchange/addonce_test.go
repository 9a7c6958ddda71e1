package exchange

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// addedAnswer is U2's answer to the question they stopped at (the second).
func addedAnswer(t *testing.T, e *testEnv, id int64) string {
	t.Helper()
	lessons, err := e.store.Lessons(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons {
		if l.UserID == "U2" && l.QuestionIdx == 1 {
			return l.Answer
		}
	}
	return ""
}

// stoppedAtSecond is a held session whose speaker U2 answered the first
// question and said stop.
func stoppedAtSecond(t *testing.T, e *testEnv) *store.Session {
	t.Helper()
	s := promptedWalk(t, e, "Youth employment")
	ctx := context.Background()
	w := Walk{UserID: "U2", Channel: "DU2"}
	if _, err := e.svc.Answer(ctx, w, "First."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Stop(ctx, w); err != nil {
		t.Fatal(err)
	}
	return s
}

// Two offers pressed at the same moment both land: the answer grows in
// the transaction, so neither press overwrites the other's message.
func TestAddAnswerConcurrentMessagesBothLand(t *testing.T) {
	e := newTestService(t)
	s := stoppedAtSecond(t, e)
	const rounds = 30
	for r := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := store.WithRequestKey(context.Background(), fmt.Sprintf("interaction:trig-%d-%d", r, g))
				_, _, errs[g] = e.svc.AddAnswer(ctx, "U2", s.ID, fmt.Sprintf("%d.%06d", 1764331201+r, g), fmt.Sprintf("msg-%d-%d", r, g), nil)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
	}
	parts := strings.Split(addedAnswer(t, e, s.ID), "\n\n")
	if len(parts) != 2*rounds {
		t.Fatalf("answer holds %d messages, want %d: %q", len(parts), 2*rounds, parts)
	}
	seen := map[string]bool{}
	for _, p := range parts {
		seen[p] = true
	}
	for r := range rounds {
		for g := range 2 {
			if m := fmt.Sprintf("msg-%d-%d", r, g); !seen[m] {
				t.Errorf("%s lost", m)
			}
		}
	}
}

// The same offer pressed twice, each press with its own request key (a
// second press before the offer is replaced): the message is added once,
// the second press is refused as already added, and owes nothing.
func TestAddAnswerSameOfferTwiceAddsOnce(t *testing.T) {
	e := newTestService(t)
	s := stoppedAtSecond(t, e)
	const ts = "1764331201.000001"
	first := store.WithRequestKey(context.Background(), "interaction:trig-1")
	if _, _, err := e.svc.AddAnswer(first, "U2", s.ID, ts, "More.", &ConfirmTo{Channel: "DU2"}); err != nil {
		t.Fatal(err)
	}
	second := store.WithRequestKey(context.Background(), "interaction:trig-2")
	_, _, err := e.svc.AddAnswer(second, "U2", s.ID, ts, "More.", &ConfirmTo{Channel: "DU2"})
	if e, ok := AsError(err); !ok || e.Code != CodeAlreadyAdded || e.Arg("id") != s.ID {
		t.Fatalf("second press = %v, want %s for #%d", err, CodeAlreadyAdded, s.ID)
	}
	if got := addedAnswer(t, e, s.ID); got != "More." {
		t.Errorf("answer = %q, want the message once", got)
	}
	if got := e.formReplies("U2"); len(got) != 1 {
		t.Errorf("%d confirmations owed, want 1", len(got))
	}
	// Another message of the same person is another offer: it adds.
	third := store.WithRequestKey(context.Background(), "interaction:trig-3")
	if _, _, err := e.svc.AddAnswer(third, "U2", s.ID, "1764331202.000001", "More.", nil); err != nil {
		t.Fatal(err)
	}
	if got := addedAnswer(t, e, s.ID); got != "More.\n\nMore." {
		t.Errorf("answer after a second message = %q", got)
	}
}

// An offer pressed again days later, after the day's redelivery keys
// were pruned, still adds nothing: the added key is a kept one.
func TestAddAnswerSameOfferAfterThePruneAddsOnce(t *testing.T) {
	e := newTestService(t)
	s := stoppedAtSecond(t, e)
	const ts = "1764331201.000001"
	first := store.WithRequestKey(context.Background(), "interaction:trig-1")
	if _, _, err := e.svc.AddAnswer(first, "U2", s.ID, ts, "More.", nil); err != nil {
		t.Fatal(err)
	}
	// The store stamps keys with its own clock, not the test's.
	if err := e.store.PruneProcessed(context.Background(), time.Now().Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	later := store.WithRequestKey(context.Background(), "interaction:trig-2")
	_, _, err := e.svc.AddAnswer(later, "U2", s.ID, ts, "More.", nil)
	if e, ok := AsError(err); !ok || e.Code != CodeAlreadyAdded {
		t.Fatalf("press after the prune = %v, want %s", err, CodeAlreadyAdded)
	}
	if got := addedAnswer(t, e, s.ID); got != "More." {
		t.Errorf("answer = %q, want the message once", got)
	}
}
