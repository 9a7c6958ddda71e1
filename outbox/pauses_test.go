package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// waitFor is p.Wait, failing the test on a read error.
func waitFor(t *testing.T, p *Pauses, family, conversation string) time.Duration {
	t.Helper()
	d, err := p.Wait(context.Background(), family, conversation)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPausesByFamilyAndConversation(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	p := NewPauses(c.Now, nil)
	if whole, _ := p.Note(ctx, "chat.postMessage", "C1", 30*time.Second); whole {
		t.Error("one conversation limited the whole family")
	}
	for _, tc := range []struct {
		family, conv string
		want         time.Duration
	}{
		{"chat.postMessage", "C1", 30 * time.Second},
		{"chat.postMessage", "C2", 0},
		{"users.info", "", 0},
		{"chat.update", "C1", 0},
	} {
		if got := waitFor(t, p, tc.family, tc.conv); got != tc.want {
			t.Errorf("Wait(%s, %s) = %s, want %s", tc.family, tc.conv, got, tc.want)
		}
	}
	c.Add(10 * time.Second)
	if whole, _ := p.Note(ctx, "chat.postMessage", "C2", 5*time.Second); !whole {
		t.Error("two conversations limited at once did not hold the family")
	}
	if got := waitFor(t, p, "chat.postMessage", "C3"); got != 5*time.Second {
		t.Errorf("family wait %s, want 5s", got)
	}
	if got := waitFor(t, p, "chat.postMessage", "C1"); got != 20*time.Second {
		t.Errorf("C1 wait %s, want its own 20s", got)
	}
	p.Note(ctx, "views.open", "", time.Second)
	if waitFor(t, p, "views.open", "") != time.Second || waitFor(t, p, "users.info", "") != 0 {
		t.Error("a family without conversations is held as a whole, and alone")
	}
	c.Add(time.Minute)
	if got := waitFor(t, p, "chat.postMessage", "C1"); got != 0 {
		t.Errorf("wait %s after every pause ended", got)
	}
}

// readCounter counts the reads of shared pauses, and can make them fail.
type readCounter struct {
	PauseStore
	reads atomic.Int32
	fail  atomic.Bool
}

var errStoreDown = errors.New("store down")

func (r *readCounter) RatePauses(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	r.reads.Add(1)
	if r.fail.Load() {
		return nil, errStoreDown
	}
	return r.PauseStore.RatePauses(ctx, now)
}

// twoProcesses opens one SQLite file twice, as two processes sharing it
// would, and returns each one's pauses on the clock c.
func twoProcesses(t *testing.T, c *clock) (a, b *Pauses, bReads *readCounter, bStore *sqlite.Store) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "shared.db")
	var sts []*sqlite.Store
	for range 2 {
		st, err := sqlite.Open(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts = append(sts, st)
	}
	bReads = &readCounter{PauseStore: sts[1]}
	return NewPauses(c.Now, sts[0]), NewPauses(c.Now, bReads), bReads, sts[1]
}

// TestPausesSharedBetweenProcesses: a pause one process notes holds the
// other too, read at most once a second however many calls it checks;
// limits in two conversations noted by two processes hold the family.
func TestPausesSharedBetweenProcesses(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	a, b, reads, _ := twoProcesses(t, c)
	if got := waitFor(t, b, "chat.postMessage", "C1"); got != 0 {
		t.Fatalf("wait %s before any limit", got)
	}
	if whole, err := a.Note(ctx, "chat.postMessage", "C1", 2300*time.Millisecond); whole || err != nil {
		t.Fatalf("Note = %t, %v", whole, err)
	}
	// Within the second after b's read, b does not read again.
	c.Add(500 * time.Millisecond)
	for range 50 {
		waitFor(t, b, "chat.postMessage", "C1")
	}
	if n := reads.reads.Load(); n != 1 {
		t.Fatalf("%d reads of the shared pauses in half a second, want 1", n)
	}
	c.Add(500 * time.Millisecond)
	// Kept to the second, rounded up: 3 s after t0, 2 s from now.
	if got := waitFor(t, b, "chat.postMessage", "C1"); got != 2*time.Second {
		t.Errorf("the other process waits %s, want 2s", got)
	}
	for range 50 {
		if got := waitFor(t, b, "chat.postMessage", "C2"); got != 0 {
			t.Fatalf("another conversation held %s", got)
		}
	}
	if n := reads.reads.Load(); n != 2 {
		t.Errorf("%d reads of the shared pauses after a second, want 2", n)
	}

	// b's own limit in another conversation: Slack limits the family.
	if whole, err := b.Note(ctx, "chat.postMessage", "C2", 4*time.Second); !whole || err != nil {
		t.Fatalf("a limit in C2 while another process waits in C1: whole = %t, %v", whole, err)
	}
	c.Add(time.Second)
	if got := waitFor(t, a, "chat.postMessage", "C9"); got != 3*time.Second {
		t.Errorf("the first process waits %s in a third conversation, want the family's 3s", got)
	}

	c.Add(10 * time.Second)
	if got := waitFor(t, b, "chat.postMessage", "C1"); got != 0 {
		t.Errorf("wait %s after every pause ended", got)
	}
}

// TestPausesSharedReadFails: while the shared pauses cannot be read, a
// process honours its own and those it last read, says why, and does not
// ask on every call.
func TestPausesSharedReadFails(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	a, b, reads, _ := twoProcesses(t, c)
	a.Note(ctx, "chat.postMessage", "C1", 10*time.Second)
	waitFor(t, b, "chat.postMessage", "C1")
	b.Note(ctx, "views.open", "", 10*time.Second)
	reads.fail.Store(true)
	c.Add(2 * time.Second)
	got, err := b.Wait(ctx, "chat.postMessage", "C1")
	if !errors.Is(err, errStoreDown) || got != 8*time.Second {
		t.Fatalf("Wait with the store down = %s, %v; want the last read's 8s and the error", got, err)
	}
	if got, err := b.Wait(ctx, "views.open", ""); err != nil || got != 8*time.Second {
		t.Fatalf("own pause with the store down = %s, %v", got, err)
	}
	if n := reads.reads.Load(); n != 2 {
		t.Errorf("%d reads, want 2: a failed read waits a second before the next", n)
	}
}

// TestEngineBringsSharedPausesWithItsAgenda: an engine given Pauses hands
// them the pauses its agenda read, so a Sender checking them before each
// call holds a row another process's limit covers, without a query of its
// own.
func TestEngineBringsSharedPausesWithItsAgenda(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	other, mine, reads, st := twoProcesses(t, c)
	sender := newScripted()
	eng := New(Options{Store: st, Sender: sender, Now: c.Now, Workers: 2, Pauses: mine,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, r := range []string{"C1", "C2"} {
		sender.set(r, func(ctx context.Context) (Result, error) {
			if wait, err := mine.Wait(ctx, "post", r); err != nil || wait > 0 {
				return Result{}, limited{after: wait}
			}
			return Result{Channel: r, TS: "1"}, nil
		})
	}
	if _, err := other.Note(ctx, "post", "C1", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx store.Tx) error {
		for _, r := range []string{"C1", "C2"} {
			if err := tx.Enqueue(ctx, store.Delivery{Kind: "thread", Recipient: r, Due: c.Now(), Dedupe: r}, c.Now()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := eng.DeliverNow(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Deliveries(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		switch {
		case d.Recipient == "C1" && (d.State != store.StatePending || !d.NextAttempt.Equal(t0.Add(30*time.Second))):
			t.Errorf("row to the paused C1: %s, next %s; want pending until the pause ends", d.State, d.NextAttempt)
		case d.Recipient == "C2" && d.State != store.StateSent:
			t.Errorf("row to C2: %s, want sent", d.State)
		}
	}
	if n := reads.reads.Load(); n != 0 {
		t.Errorf("%d reads of the pauses beside the agenda, want 0", n)
	}
}

func TestBackoff(t *testing.T) {
	var got []string
	for a := 1; a <= 10; a++ {
		got = append(got, Backoff(a).String())
	}
	if want := "5s 10s 20s 40s 1m20s 2m40s 5m20s 10m0s 10m0s 10m0s"; strings.Join(got, " ") != want {
		t.Errorf("backoff %s, want %s", strings.Join(got, " "), want)
	}
}
