package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// remStart is when the reminder tests' session starts; the clock begins
// two days and three hours before it.
var (
	remStart = time.Date(2030, 1, 9, 15, 0, 0, 0, time.UTC)
	remT0    = remStart.Add(-51 * time.Hour)
)

const remNew = `new "Reminder test" 2030-01-09 15:00 tz:UTC <@U2SPK|ana> <#C9ROOM|room> link:https://meet.example.org/r`

// remEnv is a bot whose session #1 (speaker U2SPK, channel C9ROOM) was
// scheduled at remT0, with U3P and U4P joined and the announcement out.
func remEnv(t *testing.T, mutate ...func(*Config)) (*testEnv, *store.Session) {
	t.Helper()
	e := newTestBot(t, mutate...)
	e.clock.Set(remT0)
	if r := e.run("U1", remNew); !strings.Contains(r, "#1") {
		t.Fatalf("new: %q", r)
	}
	for _, u := range []string{"U3P", "U4P"} {
		if r := e.run(u, "join 1"); !strings.Contains(r, "You joined") {
			t.Fatalf("join %s: %q", u, r)
		}
	}
	// Past the window the joins' refreshes (announcement, Homes) wait for.
	e.clock.Set(remT0.Add(exchange.Coalesce))
	e.deliver()
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Start.Equal(remStart) || s.AnnounceTS == "" || s.AnnounceChannel != "C9ROOM" {
		t.Fatalf("session %+v", s)
	}
	e.slack.Reset()
	return e, s
}

// reminderRows lists session 1's reminder rows in a state ("" = any).
func (e *testEnv) reminderRows(state string) []store.Delivery {
	e.t.Helper()
	all, err := e.store.Deliveries(context.Background(), 1)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range all {
		if d.Kind == kindReminder && (state == "" || d.State == state) {
			out = append(out, d)
		}
	}
	return out
}

// dueTimes maps "recipient offset" to the due time of pending reminders.
func dueTimes(rows []store.Delivery) map[string]time.Time {
	out := map[string]time.Time{}
	for _, d := range rows {
		out[d.Recipient+" "+d.Payload] = d.Due
	}
	return out
}

func TestReminderEachOffsetToThreadAndDMs(t *testing.T) {
	e, s := remEnv(t)
	for _, off := range []time.Duration{24 * time.Hour, time.Hour} {
		due := remStart.Add(-off)
		e.clock.Set(due.Add(-time.Second))
		e.deliver()
		if calls := e.slack.Calls(); len(calls) != 0 {
			t.Fatalf("%s: %d calls a second before the due time", off, len(calls))
		}
		e.clock.Set(due)
		e.deliver()

		posts := e.slack.Calls("chat.postMessage")
		if len(posts) != 4 {
			t.Fatalf("%s: %d posts, want thread + 3 DMs", off, len(posts))
		}
		byChannel := map[string]string{}
		for _, p := range posts {
			text := p.Form.Get("text")
			if !strings.Contains(text, "Reminder: *Reminder test*") || !strings.Contains(text, "(in "+humanOffset(i18n.English, off)+")") ||
				!strings.Contains(text, "https://meet.example.org/r") {
				t.Errorf("%s: text %q", off, text)
			}
			id := deliveryIDOf(t, p)
			row, err := e.store.Delivery(context.Background(), id)
			if err != nil || row.Kind != kindReminder || row.Payload != off.String() || row.State != store.StateSent {
				t.Errorf("%s: post names delivery %d = %+v, %v", off, id, row, err)
			}
			byChannel[p.Form.Get("channel")] = p.Form.Get("thread_ts")
		}
		want := map[string]string{"C9ROOM": s.AnnounceTS, "DU2SPK": "", "DU3P": "", "DU4P": ""}
		for ch, thread := range want {
			got, ok := byChannel[ch]
			if !ok || got != thread {
				t.Errorf("%s: post to %s with thread_ts %q (posted: %v), want thread_ts %q", off, ch, got, ok, thread)
			}
		}
		var opened []string
		for _, c := range e.slack.Calls("conversations.open") {
			opened = append(opened, c.Form.Get("users"))
		}
		slices.Sort(opened)
		if strings.Join(opened, " ") != "U2SPK U3P U4P" {
			t.Errorf("%s: conversations.open for %v", off, opened)
		}
		e.slack.Reset()
		e.deliver() // nothing twice
		if calls := e.slack.Calls("chat.postMessage"); len(calls) != 0 {
			t.Fatalf("%s: second run posted %d", off, len(calls))
		}
	}
	if left := e.reminderRows(store.StatePending); len(left) != 0 {
		t.Errorf("pending reminders after both offsets: %+v", left)
	}
	if sent := e.reminderRows(store.StateSent); len(sent) != 8 {
		t.Errorf("%d reminders sent, want 8", len(sent))
	}
}

func TestReminderRecipientsFollowConfig(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		channel, spk, partcpt bool
		want                  string
	}{
		{"all", true, true, true, "C9ROOM U2SPK U3P U4P"},
		{"channel only", true, false, false, "C9ROOM"},
		{"speakers only", false, true, false, "U2SPK"},
		{"participants only", false, false, true, "U3P U4P"},
		{"none", false, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := remEnv(t, func(c *Config) {
				c.Reminders.Before = []time.Duration{time.Hour}
				c.Reminders.ToChannel, c.Reminders.ToSpeakers, c.Reminders.ToParticipants = tc.channel, tc.spk, tc.partcpt
			})
			var got []string
			for _, d := range e.reminderRows(store.StatePending) {
				got = append(got, d.Recipient)
				if d.InThread != (d.Recipient == "C9ROOM") || !d.Due.Equal(remStart.Add(-time.Hour)) || !d.Deadline.Equal(remStart) {
					t.Errorf("row %+v", d)
				}
			}
			slices.Sort(got)
			if strings.Join(got, " ") != tc.want {
				t.Errorf("recipients %v, want %q", got, tc.want)
			}
		})
	}
}

func TestReminderOnlyOffsetsStillAhead(t *testing.T) {
	for _, tc := range []struct {
		ahead time.Duration
		want  []string
	}{
		{30 * time.Minute, nil},
		{90 * time.Minute, []string{"1h0m0s"}},
		{25 * time.Hour, []string{"1h0m0s", "24h0m0s"}},
	} {
		t.Run(tc.ahead.String(), func(t *testing.T) {
			e := newTestBot(t)
			e.clock.Set(remStart.Add(-tc.ahead))
			if r := e.run("U1", remNew); !strings.Contains(r, "#1") {
				t.Fatalf("new: %q", r)
			}
			offsets := map[string]bool{}
			for _, d := range e.reminderRows("") {
				offsets[d.Payload] = true
			}
			var got []string
			for o := range offsets {
				got = append(got, o)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%s ahead: reminder offsets %v, want %v", tc.ahead, got, tc.want)
			}
			// Walking the clock to the start sends each planned reminder
			// once, and no 24-hour reminder when it was not planned.
			for at := remStart.Add(-tc.ahead); at.Before(remStart); at = at.Add(10 * time.Minute) {
				e.clock.Set(at)
				e.deliver()
			}
			says := map[string]int{}
			for _, p := range e.slack.Calls("chat.postMessage") {
				for _, w := range []string{"(in 24 hours)", "(in 1 hour)"} {
					if strings.Contains(p.Form.Get("text"), w) {
						says[w]++
					}
				}
			}
			want := map[string]int{}
			for _, o := range tc.want {
				want[map[string]string{"1h0m0s": "(in 1 hour)", "24h0m0s": "(in 24 hours)"}[o]] = 2 // thread and the speaker
			}
			if fmt.Sprint(says) != fmt.Sprint(want) {
				t.Errorf("reminders sent %v, want %v", says, want)
			}
		})
	}
}

func TestReminderMoveShiftsPendingDueTimes(t *testing.T) {
	e, _ := remEnv(t)
	newStart := remStart.Add(26 * time.Hour) // 2030-01-10 17:00
	if r := e.run("U1", "move 1 2030-01-10 17:00"); !strings.Contains(r, "Moved *#1*") {
		t.Fatalf("move: %q", r)
	}
	pending := dueTimes(e.reminderRows(store.StatePending))
	if len(pending) != 8 {
		t.Fatalf("%d pending reminders after move, want 8: %v", len(pending), pending)
	}
	for key, due := range pending {
		off, _ := time.ParseDuration(strings.Fields(key)[1])
		if !due.Equal(newStart.Add(-off)) {
			t.Errorf("%s due %s, want %s", key, due, newStart.Add(-off))
		}
	}
	for _, d := range e.reminderRows(store.StatePending) {
		if !d.Deadline.Equal(newStart) {
			t.Errorf("deadline %s, want the new start", d.Deadline)
		}
	}
	if dropped := e.reminderRows(store.StateDropped); len(dropped) != 8 {
		t.Errorf("%d old reminders dropped, want 8", len(dropped))
	}

	// At the old marks nothing is reminded; at the new ones it is.
	e.deliver() // the move's thread note and update
	e.slack.Reset()
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	if posts := e.slack.Calls("chat.postMessage"); len(posts) != 0 {
		t.Fatalf("reminders at the old time: %d", len(posts))
	}
	for _, off := range []time.Duration{24 * time.Hour, time.Hour} {
		e.slack.Reset()
		e.clock.Set(newStart.Add(-off))
		e.deliver()
		posts := e.slack.Calls("chat.postMessage")
		if len(posts) != 4 {
			t.Fatalf("at the new %s mark: %d posts, want 4", off, len(posts))
		}
		for _, p := range posts {
			if !strings.Contains(p.Form.Get("text"), "<!date^"+fmt.Sprint(newStart.Unix())) {
				t.Errorf("reminder names the wrong time: %q", p.Form.Get("text"))
			}
		}
	}

	// Moving back revives the original rows rather than adding new ones.
	e2, _ := remEnv(t)
	e2.run("U1", "move 1 2030-01-10 17:00")
	e2.run("U1", "move 1 2030-01-09 15:00")
	if all := e2.reminderRows(""); len(all) != 16 {
		t.Errorf("%d reminder rows after moving back, want 16 (8 live, 8 dropped)", len(all))
	}
	back := dueTimes(e2.reminderRows(store.StatePending))
	if len(back) != 8 || !back["U3P 1h0m0s"].Equal(remStart.Add(-time.Hour)) {
		t.Errorf("after moving back: %v", back)
	}
}

func TestReminderCancelDropsThem(t *testing.T) {
	e, s := remEnv(t)
	if r := e.run("U1", "cancel 1 speaker ill"); !strings.Contains(r, "Cancelled *#1*") {
		t.Fatalf("cancel: %q", r)
	}
	if pending := e.reminderRows(store.StatePending); len(pending) != 0 {
		t.Fatalf("pending reminders after cancel: %+v", pending)
	}
	if dropped := e.reminderRows(store.StateDropped); len(dropped) != 8 {
		t.Errorf("%d dropped, want 8", len(dropped))
	}
	for _, at := range []time.Time{remT0, remStart.Add(-24 * time.Hour), remStart.Add(-time.Hour), remStart.Add(time.Hour)} {
		e.clock.Set(at)
		e.deliver()
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != s.AnnounceTS || !strings.Contains(posts[0].Form.Get("text"), "Cancelled") {
		t.Fatalf("after cancel, posts = %+v; want only the cancellation note", posts)
	}
	if len(e.slack.Calls("conversations.open")) != 0 {
		t.Error("a DM was opened after cancel")
	}
}

func TestReminderJoinAfterDueTimeDoesNotBackfill(t *testing.T) {
	e, _ := remEnv(t)
	e.clock.Set(remStart.Add(-24 * time.Hour))
	e.deliver()
	e.clock.Add(time.Minute)
	if r := e.run("U5LATE", "join 1"); !strings.Contains(r, "You joined") {
		t.Fatalf("join: %q", r)
	}
	var late []string
	for _, d := range e.reminderRows("") {
		if d.Recipient == "U5LATE" {
			late = append(late, d.Payload+" "+d.State)
		}
	}
	if strings.Join(late, ",") != "1h0m0s pending" {
		t.Fatalf("late joiner's reminders: %v, want only the 1-hour one", late)
	}
	e.slack.Reset()
	e.deliver()
	if posts := e.slack.Calls("chat.postMessage"); len(posts) != 0 {
		t.Fatalf("join after the 24-hour mark sent %d posts", len(posts))
	}
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	got := 0
	for _, p := range e.slack.Calls("chat.postMessage") {
		if p.Form.Get("channel") == "DU5LATE" {
			got++
			if !strings.Contains(p.Form.Get("text"), "1 hour") {
				t.Errorf("late joiner got %q", p.Form.Get("text"))
			}
		}
	}
	if got != 1 {
		t.Errorf("late joiner got %d reminders, want 1", got)
	}
}

func TestReminderLeaveDropsParticipantsOnly(t *testing.T) {
	e, _ := remEnv(t)
	// A speaker who also joined keeps the speaker reminders after leaving.
	e.run("U2SPK", "join 1")
	if r := e.run("U2SPK", "leave 1"); !strings.Contains(r, "You left") {
		t.Fatalf("speaker leave: %q", r)
	}
	if r := e.run("U3P", "leave 1"); !strings.Contains(r, "You left") {
		t.Fatalf("leave: %q", r)
	}
	pending := dueTimes(e.reminderRows(store.StatePending))
	for _, key := range []string{"U3P 24h0m0s", "U3P 1h0m0s"} {
		if _, ok := pending[key]; ok {
			t.Errorf("%s still pending after leave", key)
		}
	}
	for _, key := range []string{"U2SPK 24h0m0s", "U2SPK 1h0m0s", "U4P 1h0m0s", "C9ROOM 1h0m0s"} {
		if _, ok := pending[key]; !ok {
			t.Errorf("%s was dropped by someone else's leave", key)
		}
	}
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	for _, p := range e.slack.Calls("chat.postMessage") {
		if p.Form.Get("channel") == "DU3P" {
			t.Errorf("reminder sent after leave: %q", p.Form.Get("text"))
		}
	}
	// Joining again plans what is still ahead, once.
	e2, _ := remEnv(t)
	e2.run("U3P", "leave 1")
	e2.run("U3P", "join 1")
	if again := dueTimes(e2.reminderRows(store.StatePending)); len(again) != 8 {
		t.Errorf("after leave and join: %d pending, want 8", len(again))
	}
}

func TestReminderSkippedWhenSlackWasDownPastTheStart(t *testing.T) {
	e, _ := remEnv(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
	flaky := e.flaky()
	flaky.setErr(errUnavailable)
	e.clock.Set(remStart.Add(-time.Hour))
	for e.clock.Now().Before(remStart.Add(time.Minute)) {
		e.deliver()
		e.clock.Add(time.Minute)
	}
	if flaky.calls() == 0 {
		t.Fatal("the bot never tried Slack")
	}
	flaky.setErr(nil)
	e.slack.Reset()
	for range 3 {
		e.deliver()
		e.clock.Add(10 * time.Minute)
	}
	if posts := e.slack.Calls("chat.postMessage"); len(posts) != 0 {
		t.Fatalf("%d reminders sent after the session started", len(posts))
	}
	rows := e.reminderRows("")
	if len(rows) != 4 {
		t.Fatalf("%d reminder rows, want 4", len(rows))
	}
	for _, d := range rows {
		if d.State != store.StateSkipped || !strings.Contains(d.LastError, "too late") {
			t.Errorf("row %s: state %s, reason %q; want skipped as too late", d.Recipient, d.State, d.LastError)
		}
	}
}

func TestReminderAfterAnOutageSaysTheTimeLeft(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backAt  time.Duration // before the start, when Slack answers again
		wantSay []string      // what the thread hears, in order
	}{
		{"24-hour reminder late but useful", 3 * time.Hour, []string{"(in 3 hours)", "(in 1 hour)"}},
		{"overtaken by the 1-hour reminder", 30 * time.Minute, []string{"(in 30 minutes)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := remEnv(t, func(c *Config) { c.Reminders.ToSpeakers, c.Reminders.ToParticipants = false, false })
			flaky := e.flaky()
			flaky.setErr(errUnavailable)
			for at := remStart.Add(-24 * time.Hour); at.Before(remStart.Add(-tc.backAt)); at = at.Add(10 * time.Minute) {
				e.clock.Set(at)
				e.deliver()
			}
			flaky.setErr(nil)
			for _, at := range []time.Duration{tc.backAt, time.Hour, 30 * time.Minute, 0} {
				if at <= tc.backAt {
					e.clock.Set(remStart.Add(-at))
					e.deliver()
				}
			}
			var said []string
			for _, p := range e.slack.Calls("chat.postMessage") {
				if p.Form.Get("thread_ts") == s.AnnounceTS {
					text := p.Form.Get("text")
					said = append(said, text[strings.LastIndex(text, "("):strings.LastIndex(text, ")")+1])
				}
			}
			if !slices.Equal(said, tc.wantSay) {
				t.Errorf("thread heard %v, want %v", said, tc.wantSay)
			}
		})
	}
}

func TestReminderHumanOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		72 * time.Hour: "3 days", 48 * time.Hour: "2 days", 24 * time.Hour: "24 hours", 25 * time.Hour: "25 hours",
		time.Hour: "1 hour", 90 * time.Minute: "1 hour 30 minutes", 61 * time.Minute: "1 hour 1 minute",
		15 * time.Minute: "15 minutes", time.Minute: "1 minute", 40 * time.Second: "40 seconds", 1500 * time.Millisecond: "1.5s",
	} {
		if got := humanOffset(i18n.English, d); got != want {
			t.Errorf("humanOffset(%s) = %q, want %q", d, got, want)
		}
	}
}
