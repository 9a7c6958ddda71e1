package exchange

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestSessionLife walks one session from scheduling to its report
// through the Service alone, on a real database, checking what is stored
// and what the bot is left owing after every step.
func TestSessionLife(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	coord := Actor{UserID: "U1", Channel: "C1"}
	santiago := mustZone("America/Santiago")
	start := time.Date(2026, 3, 5, 15, 0, 0, 0, santiago)

	// Schedule: defaults filled, text cleaned, everything owed planned.
	s, err := e.svc.Schedule(ctx, coord, Draft{
		Title: "  Youth \u202eemployment\n", Start: start,
		Speakers: []store.Speaker{{UserID: "U2"}, {Name: "Jane\u200f Doe", Email: "jane@example.org"}},
		Partners: []string{"FISDL El Salvador", "  "},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.session(s.ID)
	if got.Title != "Youth employment" || got.Kind != "webinar" || got.Duration != time.Hour || got.TZ != "America/Santiago" ||
		got.Channel != "C1" || got.Creator != "U1" || !got.Start.Equal(start) || got.Status != store.StatusConfirmed {
		t.Fatalf("scheduled %+v", got)
	}
	if strings.Join(got.Partners, "|") != "FISDL El Salvador" || len(got.Speakers) != 2 || got.Speakers[1].Name != "Jane Doe" {
		t.Fatalf("partners %q, speakers %+v", got.Partners, got.Speakers)
	}
	key := fmt.Sprintf("%d:%d", s.ID, start.Unix())
	if a := e.rows(s.ID, KindAnnounce); len(a) != 1 || a[0].Recipient != "C1" || !a[0].Due.Equal(t0) || a[0].Dedupe != "announce:1" {
		t.Fatalf("announce rows %+v", a)
	}
	wantReminders := func(step string, recipients ...string) {
		t.Helper()
		rows := e.rows(s.ID, KindReminder, store.StatePending)
		var have []string
		for _, d := range rows {
			have = append(have, fmt.Sprintf("%s@%s", d.Recipient, d.Payload))
			if !d.Deadline.Equal(e.session(s.ID).Start) || d.InThread != strings.HasPrefix(d.Recipient, "C") {
				t.Errorf("%s: reminder %+v", step, d)
			}
			off, _ := time.ParseDuration(d.Payload)
			if !d.Due.Equal(d.Deadline.Add(-off)) || d.Dedupe != fmt.Sprintf("reminder:%d:%d:%s:%s", s.ID, d.Deadline.Unix(), d.Payload, d.Recipient) {
				t.Errorf("%s: reminder due %s key %s", step, d.Due, d.Dedupe)
			}
		}
		var want []string
		for _, r := range recipients {
			want = append(want, r+"@24h0m0s", r+"@1h0m0s")
		}
		if strings.Join(have, " ") != strings.Join(want, " ") {
			t.Errorf("%s: pending reminders %v, want %v", step, have, want)
		}
	}
	wantReminders("scheduled", "C1", "U2")
	end := start.Add(time.Hour)
	for _, k := range []struct {
		kind string
		due  time.Time
	}{{KindPrompt, end.Add(15 * time.Minute)}, {KindNudge, end.Add(15*time.Minute + 48*time.Hour)}} {
		rows := e.rows(s.ID, k.kind)
		if len(rows) != 2 || rows[0].Recipient != "U1" || rows[1].Recipient != "U2" || !rows[0].Due.Equal(k.due) ||
			rows[1].Dedupe != k.kind+":"+key+":U2" {
			t.Fatalf("%s rows %+v", k.kind, rows)
		}
	}
	if sum := e.rows(s.ID, KindSummary); len(sum) != 1 || sum[0].Recipient != "CLESSONS" || sum[0].Dedupe != "summary:"+key ||
		!sum[0].Due.Equal(end.Add(168*time.Hour)) {
		t.Fatalf("summary rows %+v", sum)
	}
	if n := e.changed.Load(); n != 1 {
		t.Errorf("deliveries woken %d times, want 1", n)
	}

	// Join, again, and leave: the joiner's reminders come and go.
	if _, joined, err := e.svc.Join(ctx, "U3", s.ID); err != nil || !joined {
		t.Fatalf("join: %v %v", joined, err)
	}
	if _, joined, err := e.svc.Join(ctx, "U3", s.ID); err != nil || joined {
		t.Fatalf("second join: %v %v", joined, err)
	}
	if _, _, err := e.svc.Join(ctx, "U5", s.ID); err != nil {
		t.Fatal(err)
	}
	wantReminders("joined", "C1", "U2", "U3", "U5")
	if _, left, err := e.svc.Leave(ctx, "U3", s.ID); err != nil || !left {
		t.Fatalf("leave: %v %v", left, err)
	}
	if _, left, err := e.svc.Leave(ctx, "U3", s.ID); err != nil || left {
		t.Fatalf("second leave: %v %v", left, err)
	}
	wantReminders("left", "C1", "U2", "U5")
	if p := e.session(s.ID).Participants; strings.Join(p, " ") != "U5" {
		t.Errorf("participants %v", p)
	}

	// Edit: what was said changes, the announcement is refreshed.
	title, link, kind := "Youth employment II", "https://meet.example.org/abc", "exchange"
	if _, err := e.svc.Edit(ctx, coord, s.ID, Changes{Title: &title, Link: &link, Kind: &kind}); err != nil {
		t.Fatal(err)
	}
	evil := "https://meet.example.org@evil.example/"
	if _, err := e.svc.Edit(ctx, coord, s.ID, Changes{Link: &evil}); code(err) != CodeLink {
		t.Fatalf("edit to a link with user info: %v", err)
	}
	got = e.session(s.ID)
	if got.Title != title || got.Link != link || got.Kind != kind || got.Sequence != 1 {
		t.Fatalf("edited %+v", got)
	}
	// One refresh owed now for the edit; the joins' and leaves' one waits
	// for the end of its coalescing window, keyed by it.
	var due, coalesced []store.Delivery
	for _, u := range e.rows(s.ID, KindUpdate) {
		if u.Dedupe == "" {
			due = append(due, u)
		} else {
			coalesced = append(coalesced, u)
		}
	}
	if len(due) != 1 || due[0].Recipient != "C1" || len(coalesced) != 1 || !coalesced[0].Due.After(due[0].Due) {
		t.Fatalf("update rows after edit: now %+v, coalesced %+v", due, coalesced)
	}

	// Speakers: U4 added gets reminders and a prompt; Jane removed; a
	// repeat changes nothing.
	added, _, err := e.svc.AddSpeakers(ctx, coord, s.ID, []store.Speaker{{UserID: "U4"}})
	if err != nil || len(added) != 1 {
		t.Fatalf("add speaker: %v %v", added, err)
	}
	if again, _, err := e.svc.AddSpeakers(ctx, coord, s.ID, []store.Speaker{{UserID: "U4"}}); err != nil || len(again) != 0 {
		t.Fatalf("add again: %v %v", again, err)
	}
	removed, now, err := e.svc.RemoveSpeakers(ctx, coord, s.ID, []store.Speaker{{Name: "Jane", Email: "JANE@example.org"}})
	if err != nil || len(removed) != 1 || len(now.Speakers) != 2 {
		t.Fatalf("remove speaker: %v %+v %v", removed, now, err)
	}
	wantReminders("speakers", "C1", "U2", "U4", "U5")
	if p := e.rows(s.ID, KindPrompt, store.StatePending); len(p) != 3 {
		t.Errorf("prompts after adding U4: %+v", p)
	}

	// Move a day later: the old plan is dropped, the new one keyed by the
	// new start, and a note goes under the announcement.
	newStart := start.AddDate(0, 0, 1)
	if _, _, err := e.svc.Move(ctx, coord, s.ID, t0.Add(-time.Minute), 0); code(err) != CodePast {
		t.Fatalf("move into the past: %v", err)
	}
	moved, was, err := e.svc.Move(ctx, coord, s.ID, newStart, 90*time.Minute)
	if err != nil || !was.Equal(start) || !moved.Start.Equal(newStart) || moved.Duration != 90*time.Minute {
		t.Fatalf("move: %+v was %s: %v", moved, was, err)
	}
	wantReminders("moved", "C1", "U2", "U4", "U5")
	for _, d := range e.rows(s.ID, KindSummary, store.StatePending) {
		if d.Dedupe != fmt.Sprintf("summary:%d:%d", s.ID, newStart.Unix()) {
			t.Errorf("pending summary after the move: %+v", d)
		}
	}
	if dropped := e.rows(s.ID, KindPrompt, store.StateDropped); len(dropped) != 3 {
		t.Errorf("prompts of the old time not dropped: %+v", dropped)
	}
	// The edit's new link, then the move, each got a note.
	notes := e.rows(s.ID, KindThread)
	if len(notes) != 2 {
		t.Fatalf("thread notes %+v", notes)
	}
	if n, ok := ReadNotice(notes[0].Payload); !ok || n.Event != NoticeLink || n.Link != link {
		t.Errorf("link notice %+v from %q", n, notes[0].Payload)
	}
	notes = notes[1:]
	if n, ok := ReadNotice(notes[0].Payload); !ok || n.Event != NoticeMoved || !n.Was.Equal(start) || !n.Start.Equal(newStart) || n.Title != title {
		t.Errorf("move notice %+v from %q", n, notes[0].Payload)
	}

	// Lessons before it is held are refused; after, the walk-through
	// stores answers, skips and stops, and the summary is brought forward
	// once every Slack speaker is through.
	if _, _, err := e.svc.SubmitAnswers(ctx, "U2", "", s.ID, map[int]string{0: "early"}, nil); code(err) != CodeNotHeld {
		t.Fatalf("form before the session: %v", err)
	}
	e.clock.Add(newStart.Add(2*time.Hour).Sub(t0) + time.Minute)
	for _, p := range []struct{ user, dm string }{{"U2", "DU2"}, {"U4", "DU4"}} {
		if _, err := e.svc.RecordPrompt(ctx, s.ID, p.user, p.dm); err != nil {
			t.Fatal(err)
		}
	}
	u2 := Walk{UserID: "U2", Channel: "DU2"}
	steps := []struct {
		do   func() (Step, error)
		next int
		done bool
	}{
		{func() (Step, error) { return e.svc.Answer(ctx, u2, "Mirror teams made the evaluation credible.") }, 1, false},
		{func() (Step, error) { return e.svc.Skip(ctx, u2) }, 2, false},
		{func() (Step, error) { return e.svc.Answer(ctx, u2, "Peers should replicate the mirror teams.") }, 3, true},
	}
	for i, st := range steps {
		got, err := st.do()
		if err != nil || got.Session == nil || got.Next != st.next || got.Done != st.done {
			t.Fatalf("step %d: %+v %v", i, got, err)
		}
	}
	if st, err := e.svc.Answer(ctx, u2, "after the end"); err != nil || st.Session != nil {
		t.Fatalf("a reply after the walk-through: %+v %v", st, err)
	}
	summaryDue := e.rows(s.ID, KindSummary, store.StatePending)[0].Due
	stop, err := e.svc.Stop(ctx, Walk{UserID: "U4", Channel: "DU4"})
	if err != nil || !stop.Stopped || stop.Answers != 0 {
		t.Fatalf("stop: %+v %v", stop, err)
	}
	if sum := e.rows(s.ID, KindSummary, store.StatePending); len(sum) != 1 || !sum[0].Due.Equal(e.clock.Now().Truncate(time.Second)) ||
		sum[0].Due.Equal(summaryDue) {
		t.Errorf("summary not brought forward once everyone was through: %+v (was due %s)", sum, summaryDue)
	}
	_, lessons, err := e.svc.Lessons(ctx, s.ID)
	if err != nil || len(lessons) != 2 || lessons[0].QuestionIdx != 0 || lessons[1].QuestionIdx != 2 || lessons[1].Question != "What should peers replicate?" {
		t.Fatalf("lessons %+v %v", lessons, err)
	}
	if _, n, err := e.svc.SubmitAnswers(ctx, "U1", "", s.ID, map[int]string{1: " Start earlier. ", 2: " "}, nil); err != nil || n != 1 {
		t.Fatalf("creator's form: %d %v", n, err)
	}
	if _, _, err := e.svc.SubmitAnswers(ctx, "U9", "", s.ID, map[int]string{0: "me too"}, nil); code(err) != CodeMayNotAnswer {
		t.Fatalf("outsider's form: %v", err)
	}

	// Search and report see it.
	found, err := e.svc.Search(ctx, "mirror", 10)
	if err != nil || len(found) != 2 || found[0].SessionID != s.ID {
		t.Fatalf("search: %+v %v", found, err)
	}
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := e.svc.Report(ctx, coord, march, march.AddDate(0, 1, 0))
	if err != nil || r.Held != 1 || r.Captured != 1 || r.Participants != 1 || r.Speakers != 2 {
		t.Fatalf("report %+v %v", r, err)
	}

	// Cancel another: what it owed goes, a note says so, and nothing
	// more can be done to it.
	other, err := e.svc.Schedule(ctx, coord, Draft{Title: "Cash transfers", Start: e.clock.Now().Add(72 * time.Hour), Speakers: []store.Speaker{{UserID: "U2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, coord, other.ID, "speaker\u202e ill"); err != nil {
		t.Fatal(err)
	}
	if got := e.session(other.ID); !got.Cancelled() || got.CancelReason != "speaker ill" || got.Sequence != 1 {
		t.Fatalf("cancelled %+v", got)
	}
	for _, k := range []string{KindReminder, KindPrompt, KindNudge, KindSummary} {
		if p := e.rows(other.ID, k, store.StatePending); len(p) != 0 {
			t.Errorf("%s still pending after cancel: %+v", k, p)
		}
	}
	if n, ok := ReadNotice(e.rows(other.ID, KindThread)[0].Payload); !ok || n.Event != NoticeCancelled || n.Reason != "speaker ill" {
		t.Errorf("cancel notice %+v", n)
	}
	if _, err := e.svc.Cancel(ctx, coord, other.ID, ""); code(err) != CodeCancelled {
		t.Errorf("second cancel: %v", err)
	}
	if _, _, err := e.svc.Join(ctx, "U3", other.ID); code(err) != CodeCancelled {
		t.Errorf("join a cancelled session: %v", err)
	}
	if _, _, err := e.svc.Join(ctx, "U3", s.ID); code(err) != CodeOver {
		t.Errorf("join a session over: %v", err)
	}
	if _, _, err := e.svc.Join(ctx, "U3", 99); code(err) != CodeNotFound {
		t.Errorf("join an unknown session: %v", err)
	}
}
