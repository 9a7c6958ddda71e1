package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func testProcessedKeysActOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	if err := s.MarkProcessed(ctx, "event:Ev1", now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkProcessed(ctx, "event:Ev1", now); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second mark = %v, want ErrDuplicate", err)
	}
}

func testFeedTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	var first, second string
	rotate := func(dst *string) {
		if err := s.Update(ctx, func(tx store.Tx) (err error) { *dst, err = tx.RotateFeedToken(ctx, "U1", time.Now()); return }); err != nil {
			t.Fatal(err)
		}
	}
	rotate(&first)
	if len(first) < 22 { // 128 bits in base64url
		t.Fatalf("token %q too short", first)
	}
	if u, err := s.FeedTokenUser(ctx, first); err != nil || u != "U1" {
		t.Fatalf("FeedTokenUser = %q, %v", u, err)
	}
	rotate(&second)
	if _, err := s.FeedTokenUser(ctx, first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rotated-away token: %v, want ErrNotFound", err)
	}
	if u, err := s.FeedTokenUser(ctx, second); err != nil || u != "U1" {
		t.Fatalf("FeedTokenUser(new token) = %q, %v", u, err)
	}
	if second == first {
		t.Fatal("rotation gave the same token")
	}
}

func testFeedTokenCreated(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.FeedTokenCreated(ctx, "U1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FeedTokenCreated before any token = %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	tokens := map[string]string{}
	for i, user := range []string{"U1", "U2", "U1"} {
		update(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			tokens[user], err = tx.RotateFeedToken(ctx, user, at.Add(time.Duration(i)*time.Hour))
			return err
		})
	}
	for user, want := range map[string]time.Time{"U1": at.Add(2 * time.Hour), "U2": at.Add(time.Hour)} {
		got, err := s.FeedTokenCreated(ctx, user)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("FeedTokenCreated(%s) = %v, %v; want %v", user, got, err, want)
		}
		if u, err := s.FeedTokenUser(ctx, tokens[user]); err != nil || u != user {
			t.Errorf("FeedTokenUser(%s's token) = %q, %v", user, u, err)
		}
	}
	for _, bad := range []string{"", "not-a-token", tokens["U1"] + "x"} {
		if u, err := s.FeedTokenUser(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FeedTokenUser(%q) = %q, %v; want ErrNotFound", bad, u, err)
		}
	}
}

func testPruneProcessed(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	if err := s.MarkProcessed(ctx, "event:old", now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkProcessed(ctx, "event:new", now); err != nil {
		t.Fatal(err)
	}
	kept := store.KeptKeyPrefix + "added:1:U1:1.2"
	if err := s.MarkProcessed(ctx, kept, now.Add(-480*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The prefix, not a key that merely contains it, is kept.
	if err := s.MarkProcessed(ctx, "event:"+kept, now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.PruneProcessed(ctx, now.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkProcessed(ctx, "event:old", now); err != nil {
		t.Errorf("a pruned key is still there: %v", err)
	}
	if err := s.MarkProcessed(ctx, "event:new", now); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a recent key was pruned: %v", err)
	}
	if err := s.MarkProcessed(ctx, kept, now); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a kept key was pruned: %v", err)
	}
	if err := s.MarkProcessed(ctx, "event:"+kept, now); err != nil {
		t.Errorf("a key holding the prefix inside was kept: %v", err)
	}
}

// testRequestKey checks WithRequestKey: the first Update under a request
// records its key in the same transaction, so a redelivered request
// changes nothing, while a request whose change failed may be retried.
func testRequestKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	join := func(ctx context.Context, user string) error {
		return s.Update(ctx, func(tx store.Tx) error { _, err := tx.Join(ctx, sess.ID, user, sess.Created); return err })
	}
	participants := func() []string {
		t.Helper()
		got, err := s.Session(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Participants
	}

	first := store.WithRequestKey(ctx, "cmd:T1:1")
	if err := join(first, "P1"); err != nil {
		t.Fatal(err)
	}
	// A second Update for the same request (a command that writes twice)
	// is not a redelivery.
	if err := join(first, "P2"); err != nil {
		t.Fatalf("second Update of the same request = %v", err)
	}
	// The request delivered again: ErrDuplicate, and its change is not made.
	if err := join(store.WithRequestKey(ctx, "cmd:T1:1"), "P3"); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("redelivered request = %v, want ErrDuplicate", err)
	}
	if got := participants(); !slices.Equal(got, []string{"P1", "P2"}) {
		t.Errorf("participants = %v; want P1 P2, the redelivery changing nothing", got)
	}
	// Request keys and MarkProcessed share one set of keys.
	if err := s.MarkProcessed(ctx, "cmd:T1:1", sess.Created); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("MarkProcessed of a request key already used = %v, want ErrDuplicate", err)
	}
	if err := s.MarkProcessed(ctx, "cmd:T1:2", sess.Created); err != nil {
		t.Fatal(err)
	}
	if err := join(store.WithRequestKey(ctx, "cmd:T1:2"), "P4"); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Update under a key marked processed = %v, want ErrDuplicate", err)
	}

	// A request whose Update failed left no key: its retry goes through.
	boom := errors.New("boom")
	failing := store.WithRequestKey(ctx, "cmd:T1:3")
	if err := s.Update(failing, func(tx store.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing Update = %v", err)
	}
	if err := join(store.WithRequestKey(ctx, "cmd:T1:3"), "P5"); err != nil {
		t.Fatalf("retry after a failed Update = %v", err)
	}
	if got := participants(); !slices.Equal(got, []string{"P1", "P2", "P5"}) {
		t.Errorf("participants = %v; want P1 P2 P5", got)
	}
}

func testServerKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.ServerKey(ctx, "session_feed")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || slices.Equal(a, make([]byte, 32)) {
		t.Fatalf("key %x: want 32 random bytes", a)
	}
	again, err := s.ServerKey(ctx, "session_feed")
	if err != nil || !slices.Equal(a, again) {
		t.Fatalf("second read %x, %v; want the same key %x", again, err, a)
	}
	other, err := s.ServerKey(ctx, "other")
	if err != nil || slices.Equal(a, other) {
		t.Fatalf("another name's key %x, %v; want a different key", other, err)
	}
}

func testCheckWrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	for range 3 {
		if err := s.CheckWrite(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.CheckWrite(cancelled); err == nil {
		t.Error("CheckWrite with a cancelled context succeeded")
	}
}
