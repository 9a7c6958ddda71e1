package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Rate pauses are shared by every process on the data: one recorded by
// one is read by all, with the agenda or on its own, and never ends
// before the service said.

func testRatePauses(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := outboxAt
	read := func(now time.Time) map[string]time.Time {
		t.Helper()
		got, err := s.RatePauses(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	set := func(key string, until, now time.Time) {
		t.Helper()
		if err := s.SetRatePause(ctx, key, until, now); err != nil {
			t.Fatal(err)
		}
	}
	if got := read(at); len(got) != 0 {
		t.Fatalf("pauses in a new store: %v", got)
	}

	// Kept to the second, rounded up.
	set("chat.postMessage C1", at.Add(2300*time.Millisecond), at)
	set("views.open", at.Add(time.Minute), at)
	want := map[string]time.Time{"chat.postMessage C1": at.Add(3 * time.Second), "views.open": at.Add(time.Minute)}
	if got := read(at); !maps.EqualFunc(got, want, time.Time.Equal) {
		t.Fatalf("pauses = %v, want %v", got, want)
	}
	// An earlier end does not shorten a pause; a later one extends it.
	set("chat.postMessage C1", at.Add(time.Second), at)
	if got := read(at)["chat.postMessage C1"]; !got.Equal(at.Add(3 * time.Second)) {
		t.Fatalf("an earlier end shortened the pause to %s", got)
	}
	set("chat.postMessage C1", at.Add(5*time.Second), at)
	if got := read(at)["chat.postMessage C1"]; !got.Equal(at.Add(5 * time.Second)) {
		t.Fatalf("a later end left the pause at %s", got)
	}
	// A pause ends at its end.
	if got := read(at.Add(5 * time.Second)); len(got) != 1 || got["views.open"].IsZero() {
		t.Fatalf("pauses at the end of one = %v, want views.open alone", got)
	}

	// The agenda brings the running pauses with its rows, and the pauses
	// change nothing of what is due.
	sess := createSample(t, s)
	enqueue(t, s, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U1", Due: at, Dedupe: "due"},
		store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: at.Add(time.Hour), Dedupe: "later"})
	a, err := s.Agenda(ctx, at.Add(4*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]time.Time{"chat.postMessage C1": at.Add(5 * time.Second), "views.open": at.Add(time.Minute)}
	if !maps.EqualFunc(a.Pauses, want, time.Time.Equal) {
		t.Errorf("agenda pauses = %v, want %v", a.Pauses, want)
	}
	if len(a.Due) != 1 || a.Due[0].Dedupe != "due" || len(a.Sending) != 0 || !a.Next.Equal(at.Add(time.Hour)) {
		t.Errorf("agenda with pauses = %+v, want the due row and next in an hour", a)
	}
	if a, err := s.Agenda(ctx, at.Add(2*time.Minute), 10); err != nil || len(a.Pauses) != 0 {
		t.Errorf("agenda after every pause ended: %v, %v", a.Pauses, err)
	}

	// Recording a pause drops those ended: read as of the start, only the
	// new one is left.
	set("users.info", at.Add(3*time.Minute), at.Add(2*time.Minute))
	if got := read(at); len(got) != 1 || !got["users.info"].Equal(at.Add(3*time.Minute)) {
		t.Fatalf("pauses after ended ones were dropped = %v, want users.info alone", got)
	}
}
