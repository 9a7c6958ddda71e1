package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// TestDeliverTwoProcessesShareTheDatabase runs two bots on one SQLite
// file, as the server and `exchangebot run` do: claims keep every row to
// one sender.
func TestDeliverTwoProcessesShareTheDatabase(t *testing.T) {
	e, _ := remEnv(t)
	ctx := context.Background()
	other := e.otherProcess(0)
	e.slack.SetDelay(5 * time.Millisecond)
	for _, off := range []time.Duration{24 * time.Hour, time.Hour} {
		e.clock.Set(remStart.Add(-off))
		var wg sync.WaitGroup
		for _, b := range []*Bot{e.bot, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if err := b.DeliverNow(ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	posts := postsPerDelivery(t, e.slack.Messages())
	if len(posts) != 9 { // the announcement and 8 reminders
		t.Fatalf("%d deliveries in Slack, want 9", len(posts))
	}
	for id, n := range posts {
		if n != 1 {
			t.Errorf("delivery %d posted %d times", id, n)
		}
	}
}

// TestDeliverOwedRowsCommitWithTheChange makes every outbox write fail and
// checks that each command then changes nothing: the change and the
// messages it makes the bot owe are one transaction.
func TestDeliverOwedRowsCommitWithTheChange(t *testing.T) {
	for _, tc := range []struct {
		name, user, text string
		unchanged        func(e *testEnv, s *store.Session) bool
	}{
		{"new", "U1", `new "Second" 2030-01-10 15:00 tz:UTC <#C9ROOM|room>`, func(e *testEnv, _ *store.Session) bool {
			return e.sessionCount() == 1
		}},
		{"move", "U1", "move 1 2030-01-10 17:00", func(_ *testEnv, s *store.Session) bool { return s.Start.Equal(remStart) && s.Sequence == 0 }},
		{"cancel", "U1", "cancel 1", func(_ *testEnv, s *store.Session) bool { return !s.Cancelled() }},
		{"join", "U7NEW", "join 1", func(_ *testEnv, s *store.Session) bool { return !s.HasParticipant("U7NEW") }},
		{"leave", "U3P", "leave 1", func(_ *testEnv, s *store.Session) bool { return s.HasParticipant("U3P") }},
		{"speakers", "U1", "speakers 1 add <@U8NEW>", func(_ *testEnv, s *store.Session) bool { return !s.HasSpeaker("U8NEW") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := remEnv(t)
			for _, trig := range []string{"INSERT", "UPDATE"} {
				if _, err := e.store.DB().Exec(fmt.Sprintf(`CREATE TRIGGER fail_outbox_%s BEFORE %s ON outbox
					BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END`, strings.ToLower(trig), trig)); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := e.store.Deliveries(context.Background(), 0)
			if r := e.run(tc.user, tc.text); r != tr(i18n.English, msgInternal) {
				t.Fatalf("reply %q, want the internal-error reply", r)
			}
			s, err := e.store.Session(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.unchanged(e, s) {
				t.Errorf("%s changed the session without its outbox rows: %+v", tc.name, s)
			}
			if after, _ := e.store.Deliveries(context.Background(), 0); len(after) != len(before) {
				t.Errorf("outbox rows %d -> %d", len(before), len(after))
			}
		})
	}
}
