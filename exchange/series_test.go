package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A monthly community of practice: six occurrences from Tuesday 10 March
// 2026, 15:00 in Santiago, across the April change of time.
func scheduleMonthly(t *testing.T, e *testEnv, n int) *store.Series {
	t.Helper()
	santiago := mustZone("America/Santiago")
	sr, err := e.svc.ScheduleSeries(context.Background(), Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "Community of practice", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, santiago), Duration: 90 * time.Minute,
		Speakers: []store.Speaker{{UserID: "U2"}}, Partners: []string{"FOSIS"},
		Repeat: Repeat{Every: EveryMonth, Count: count(n)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

// pendingDue lists the pending rows of kind for a session as
// "recipient@due" in Santiago's wall time.
func (e *testEnv) pendingDue(id int64, kind string) []string {
	var out []string
	for _, d := range e.rows(id, kind, store.StatePending) {
		out = append(out, d.Recipient+"@"+d.Due.In(mustZone("America/Santiago")).Format("01-02 15:04"))
	}
	return out
}

// snapshot is what must stay as it is for an occurrence a change does
// not concern: its start, version and every row it owes.
func (e *testEnv) seriesSnapshot(id int64) string {
	s := e.session(id)
	rows, _ := e.store.Deliveries(context.Background(), id)
	var b strings.Builder
	fmt.Fprintf(&b, "%s seq %d %s %v;", s.Start, s.Sequence, s.Status, s.Participants)
	for _, d := range rows {
		fmt.Fprintf(&b, " %s/%s/%s/%s", d.Kind, d.Recipient, d.Due, d.State)
	}
	return b.String()
}

func TestScheduleSeries(t *testing.T) {
	e := newTestService(t)
	santiago := mustZone("America/Santiago")
	sr := scheduleMonthly(t, e, 6)
	if sr.ID == 0 || sr.Every != EveryMonth || sr.Creator != "U1" || len(sr.Occurrences) != 6 {
		t.Fatalf("series %+v", sr)
	}
	read, err := e.store.Series(context.Background(), sr.ID)
	if err != nil || len(read.Occurrences) != 6 {
		t.Fatalf("stored series %+v, %v", read, err)
	}
	seen := map[int64]bool{}
	for i, o := range read.Occurrences {
		local := o.Start.In(santiago)
		if seen[o.ID] || o.SeriesID != sr.ID || local.Day() != 10 || local.Month() != time.March+time.Month(i) ||
			local.Hour() != 15 || local.Minute() != 0 || o.Duration != 90*time.Minute || o.SeriesPlace != i+1 || o.SeriesSize != 6 {
			t.Errorf("occurrence %d: #%d %v (%d of %d) series %d", i, o.ID, local, o.SeriesPlace, o.SeriesSize, o.SeriesID)
		}
		seen[o.ID] = true
		// Each its own session, with everything a session owes.
		if r := e.pendingDue(o.ID, KindReminder); len(r) != 4 {
			t.Errorf("#%d reminders %v, want C1 and U2 at 24h and 1h", o.ID, r)
		}
		if p := e.rows(o.ID, KindPrompt); len(p) != 2 {
			t.Errorf("#%d prompts %+v", o.ID, p)
		}
		if s := e.rows(o.ID, KindSummary); len(s) != 1 {
			t.Errorf("#%d summaries %+v", o.ID, s)
		}
		// One announcement, on the first.
		wantAnnounce := 0
		if i == 0 {
			wantAnnounce = 1
		}
		if a := e.rows(o.ID, KindAnnounce); len(a) != wantAnnounce {
			t.Errorf("#%d announcements %+v", o.ID, a)
		}
		// A note before each but the first: a week ahead (the one before
		// ended long before that), in the thread, useless once it starts.
		notes := e.rows(o.ID, KindSeriesNote)
		if i == 0 && len(notes) != 0 {
			t.Errorf("the first occurrence has notes %+v", notes)
		}
		if i > 0 && (len(notes) != 1 || !notes[0].InThread || notes[0].Recipient != "C1" ||
			!notes[0].Due.Equal(o.Start.Add(-7*24*time.Hour)) || !notes[0].Deadline.Equal(o.Start)) {
			t.Errorf("#%d notes %+v", o.ID, notes)
		}
	}
	if n := e.changed.Load(); n != 1 {
		t.Errorf("deliveries woken %d times, want once for the whole series", n)
	}
	// Schedule with a repeat is the same, returning the first.
	first, err := e.svc.Schedule(context.Background(), Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "Weekly", Start: time.Date(2026, 3, 4, 9, 0, 0, 0, santiago), Repeat: Repeat{Every: EveryWeek, Count: count(2)},
	})
	if err != nil || first.SeriesID == 0 || first.SeriesPlace != 1 || first.SeriesSize != 2 {
		t.Fatalf("Schedule with a repeat = %+v, %v", first, err)
	}
}

// A weekly series' note follows right after the occurrence before ends,
// which is less than a week ahead.
func TestSeriesNoteAfterThePreviousEnds(t *testing.T) {
	e := newTestService(t)
	santiago := mustZone("America/Santiago")
	sr, err := e.svc.ScheduleSeries(context.Background(), Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "Weekly", Start: time.Date(2026, 3, 4, 9, 0, 0, 0, santiago), Duration: 2 * time.Hour,
		Repeat: Repeat{Every: EveryWeek, Count: count(2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	notes := e.rows(sr.Occurrences[1].ID, KindSeriesNote)
	if len(notes) != 1 || !notes[0].Due.Equal(sr.Occurrences[0].End()) {
		t.Fatalf("note %+v, want due when the first ends (%v)", notes, sr.Occurrences[0].End())
	}
}

// A mistaken series is refused with its reason, and nothing is stored:
// no session, no series, nothing owed.
func TestScheduleSeriesMistakesStoreNothing(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	santiago := mustZone("America/Santiago")
	start := time.Date(2026, 3, 10, 15, 0, 0, 0, santiago)
	for _, tt := range []struct {
		r    Repeat
		code string
	}{
		{Repeat{Every: EveryWeek, Count: count(0)}, CodeSeriesCount},
		{Repeat{Every: EveryWeek, Count: count(60)}, CodeSeriesCount},
		{Repeat{Every: EveryWeek, Until: time.Date(2026, 3, 9, 0, 0, 0, 0, santiago)}, CodeSeriesUntil},
		{Repeat{Every: EveryWeek, Until: time.Date(2027, 6, 1, 0, 0, 0, 0, santiago)}, CodeSeriesTooLong},
		{Repeat{Every: EveryMonth, Until: time.Date(2027, 6, 1, 0, 0, 0, 0, santiago), Count: count(2)}, CodeSeriesEnds},
		{Repeat{Every: "fortnight"}, CodeEvery},
	} {
		d := Draft{Title: "Community of practice", Start: start, Repeat: tt.r}
		if _, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1", Channel: "C1"}, d); code(err) != tt.code {
			t.Errorf("%+v: %v, want %s", tt.r, err, tt.code)
		}
		if _, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, d); code(err) != tt.code {
			t.Errorf("Schedule %+v: %v, want %s", tt.r, err, tt.code)
		}
		// The form's check finds it too, beside the other mistakes.
		d.Title = ""
		codes := []string{}
		for _, x := range Errors(e.svc.CheckDraft(Actor{UserID: "U1"}, d)) {
			codes = append(codes, x.Code)
		}
		if !slices.Contains(codes, tt.code) || !slices.Contains(codes, CodeTitleEmpty) {
			t.Errorf("CheckDraft %+v = %v, want %s and %s", tt.r, codes, tt.code, CodeTitleEmpty)
		}
	}
	// A past start is refused as for any session.
	if _, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1"}, Draft{Title: "T", Start: t0.Add(-time.Hour),
		Repeat: Repeat{Every: EveryWeek}}); code(err) != CodePast {
		t.Errorf("a past start: %v", err)
	}
	// Only staff schedule series.
	e2 := newTestService(t, func(p *Policy) { p.Staff = []string{"U1"} })
	if _, err := e2.svc.ScheduleSeries(ctx, Actor{UserID: "U9"}, Draft{Title: "T", Start: start,
		Repeat: Repeat{Every: EveryWeek}}); code(err) != CodeNotStaff {
		t.Errorf("not staff: %v", err)
	}
	if n, _ := e.store.CountSessions(ctx); n != 0 {
		t.Errorf("%d sessions stored", n)
	}
	if rows, _ := e.store.Deliveries(ctx, 0); len(rows) != 0 {
		t.Errorf("%d rows owed", len(rows))
	}
	if _, err := e.store.Series(ctx, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a series was stored: %v", err)
	}
	if n := e.changed.Load(); n != 0 {
		t.Errorf("deliveries woken %d times", n)
	}
}

// Moving one occurrence moves it alone: reminders, prompts and the
// series' notes follow it; the others keep everything.
func TestMoveOneOccurrence(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	santiago := mustZone("America/Santiago")
	sr := scheduleMonthly(t, e, 4)
	ids := []int64{sr.Occurrences[0].ID, sr.Occurrences[1].ID, sr.Occurrences[2].ID, sr.Occurrences[3].ID}
	before := map[int64]string{}
	for _, id := range ids {
		before[id] = e.seriesSnapshot(id)
	}
	to := time.Date(2026, 5, 12, 16, 0, 0, 0, santiago) // the second, 10 April, to 12 May
	moved, _, err := e.svc.Move(ctx, Actor{UserID: "U1"}, ids[1], to, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !moved.Start.Equal(to) || moved.Sequence != 1 {
		t.Fatalf("moved %+v", moved)
	}
	for _, id := range []int64{ids[0], ids[3]} {
		if got := e.seriesSnapshot(id); got != before[id] {
			t.Errorf("#%d changed:\n was %s\n now %s", id, before[id], got)
		}
	}
	if r := e.pendingDue(ids[1], KindReminder); strings.Join(r, " ") != "C1@05-11 16:00 C1@05-12 15:00 U2@05-11 16:00 U2@05-12 15:00" {
		t.Errorf("moved one's reminders %v", r)
	}
	// Now second by start, the third (10 May) is placed before it, and the
	// notes follow the new order: the moved one's note comes after the
	// third ends; the third's a week before it.
	third := e.session(ids[2])
	if p := e.session(ids[1]); p.SeriesPlace != 3 || third.SeriesPlace != 2 {
		t.Errorf("places: moved %d, third %d", p.SeriesPlace, third.SeriesPlace)
	}
	if n := e.pendingDue(ids[1], KindSeriesNote); strings.Join(n, " ") != "C1@05-10 16:30" {
		t.Errorf("moved one's note %v, want when the third ends", n)
	}
	if n := e.pendingDue(ids[2], KindSeriesNote); strings.Join(n, " ") != "C1@05-03 15:00" {
		t.Errorf("third's note %v", n)
	}
	if th := e.rows(ids[1], KindThread); len(th) != 1 {
		t.Errorf("thread notes %+v", th)
	}
}

// Moving an occurrence with the later ones shifts them by the same
// change in wall time; the earlier ones keep everything.
func TestMoveSeriesFromAnOccurrence(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	santiago := mustZone("America/Santiago")
	sr := scheduleMonthly(t, e, 6) // 10 March to 10 August, Tuesdays and others, 15:00
	var ids []int64
	for _, o := range sr.Occurrences {
		ids = append(ids, o.ID)
	}
	before := map[int64]string{}
	for _, id := range ids {
		before[id] = e.seriesSnapshot(id)
	}
	// The third (10 May, 15:00 -04) a day later at 16:00, for an hour.
	to := time.Date(2026, 5, 11, 16, 0, 0, 0, santiago)
	moved, was, err := e.svc.MoveSeries(ctx, Actor{UserID: "U1"}, ids[2], to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !was.Equal(time.Date(2026, 5, 10, 15, 0, 0, 0, santiago)) || len(moved) != 4 {
		t.Fatalf("moved %d from %v", len(moved), was)
	}
	for _, id := range ids[:2] {
		if got := e.seriesSnapshot(id); got != before[id] {
			t.Errorf("#%d, before the one moved, changed:\n was %s\n now %s", id, before[id], got)
		}
	}
	want := []string{"05-11 16:00", "06-11 16:00", "07-11 16:00", "08-11 16:00"}
	for i, id := range ids[2:] {
		s := e.session(id)
		if got := s.Start.In(santiago).Format("01-02 15:04"); got != want[i] || s.Duration != time.Hour || s.Sequence != 1 {
			t.Errorf("#%d at %s for %v seq %d, want %s for 1h seq 1", id, got, s.Duration, s.Sequence, want[i])
		}
		wantRem := fmt.Sprintf("C1@%s C1@%s U2@%s U2@%s",
			s.Start.Add(-24*time.Hour).In(santiago).Format("01-02 15:04"), s.Start.Add(-time.Hour).In(santiago).Format("01-02 15:04"),
			s.Start.Add(-24*time.Hour).In(santiago).Format("01-02 15:04"), s.Start.Add(-time.Hour).In(santiago).Format("01-02 15:04"))
		if r := strings.Join(e.pendingDue(id, KindReminder), " "); r != wantRem {
			t.Errorf("#%d reminders %s, want %s", id, r, wantRem)
		}
		if p := e.rows(id, KindPrompt, store.StatePending); len(p) != 2 || !p[0].Due.Equal(s.End().Add(15*time.Minute)) {
			t.Errorf("#%d prompts %+v", id, p)
		}
		if n := e.rows(id, KindSeriesNote, store.StatePending); len(n) != 1 || !n[0].Due.Equal(s.Start.Add(-7*24*time.Hour)) {
			t.Errorf("#%d notes %+v", id, n)
		}
	}
	// One note and one refresh of the announcement for the whole move.
	th := e.rows(ids[2], KindThread)
	n, ok := ReadNotice(th[0].Payload)
	if len(th) != 1 || !ok || n.Event != NoticeSeriesMoved || n.Count != 4 || !n.Was.Equal(was) || !n.Start.Equal(to) {
		t.Errorf("notice %+v (%d rows)", n, len(th))
	}
	for _, id := range ids[3:] {
		if th := e.rows(id, KindThread); len(th) != 0 {
			t.Errorf("#%d has its own notice %+v", id, th)
		}
	}
	if _, _, err := e.svc.MoveSeries(ctx, Actor{UserID: "U1"}, ids[2], t0.Add(-time.Hour), 0); code(err) != CodePast {
		t.Errorf("into the past: %v", err)
	}
}

func TestCancelSeriesFromAnOccurrence(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	sr := scheduleMonthly(t, e, 5)
	var ids []int64
	for _, o := range sr.Occurrences {
		ids = append(ids, o.ID)
	}
	before := map[int64]string{}
	for _, id := range ids {
		before[id] = e.seriesSnapshot(id)
	}
	cancelled, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[3], "the partner's agreement ended")
	if err != nil || len(cancelled) != 2 {
		t.Fatalf("cancelled %d, %v", len(cancelled), err)
	}
	for _, id := range ids[:3] {
		if got := e.seriesSnapshot(id); got != before[id] {
			t.Errorf("#%d, before the one cancelled, changed:\n was %s\n now %s", id, before[id], got)
		}
	}
	for _, id := range ids[3:] {
		s := e.session(id)
		if !s.Cancelled() || s.CancelReason != "the partner's agreement ended" || s.Sequence != 1 || s.SeriesPlace != 0 || s.SeriesSize != 3 {
			t.Errorf("#%d %+v", id, s)
		}
		for _, kind := range []string{KindReminder, KindPrompt, KindNudge, KindSummary, KindSeriesNote} {
			if rows := e.rows(id, kind, store.StatePending); len(rows) != 0 {
				t.Errorf("#%d still owes %s %+v", id, kind, rows)
			}
		}
	}
	th := e.rows(ids[3], KindThread)
	if n, ok := ReadNotice(th[0].Payload); len(th) != 1 || !ok || n.Event != NoticeSeriesCancelled || n.Count != 2 || n.Reason == "" {
		t.Errorf("notice %+v", th)
	}
	// Again from the same one: it is cancelled now.
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[3], ""); code(err) != CodeCancelled {
		t.Errorf("cancel again: %v", err)
	}
	// A one-off session is not a series.
	one, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "One", Start: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, one.ID, ""); code(err) != CodeNotSeries {
		t.Errorf("cancel all of a one-off: %v", err)
	}
	if _, _, err := e.svc.MoveSeries(ctx, Actor{UserID: "U1"}, one.ID, t0.Add(72*time.Hour), 0); code(err) != CodeNotSeries {
		t.Errorf("move all of a one-off: %v", err)
	}
	if _, _, err := e.svc.JoinSeries(ctx, "U5", one.ID); code(err) != CodeNotSeries {
		t.Errorf("join all of a one-off: %v", err)
	}
}

// Joining the series joins every occurrence still ahead, with their
// reminders; leaving it leaves them.
func TestJoinAndLeaveSeries(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	sr := scheduleMonthly(t, e, 4)
	ids := []int64{sr.Occurrences[0].ID, sr.Occurrences[1].ID, sr.Occurrences[2].ID, sr.Occurrences[3].ID}
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[3], ""); err != nil {
		t.Fatal(err)
	}
	// The first is over by now (10 March), the fourth cancelled.
	e.clock.Add(15 * 24 * time.Hour)
	if _, joined, err := e.svc.Join(ctx, "U5", ids[1]); err != nil || !joined {
		t.Fatalf("join one: %v %v", joined, err)
	}
	_, n, err := e.svc.JoinSeries(ctx, "U5", ids[0])
	if err != nil || n != 1 {
		t.Fatalf("JoinSeries = %d, %v; want the one not joined yet", n, err)
	}
	for i, id := range ids {
		s := e.session(id)
		in := s.HasParticipant("U5")
		if in != (i == 1 || i == 2) {
			t.Errorf("#%d: joined %v", id, in)
		}
		var mine []string
		for _, d := range e.rows(id, KindReminder, store.StatePending) {
			if d.Recipient == "U5" {
				mine = append(mine, d.Payload)
			}
		}
		if (len(mine) == 2) != in {
			t.Errorf("#%d: U5's reminders %v", id, mine)
		}
	}
	if _, n, _ := e.svc.JoinSeries(ctx, "U5", ids[2]); n != 0 {
		t.Errorf("joining again joined %d", n)
	}
	if _, n, err := e.svc.LeaveSeries(ctx, "U5", ids[2]); err != nil || n != 2 {
		t.Fatalf("LeaveSeries = %d, %v", n, err)
	}
	for _, id := range ids {
		if e.session(id).HasParticipant("U5") {
			t.Errorf("#%d still has U5", id)
		}
		for _, d := range e.rows(id, KindReminder, store.StatePending) {
			if d.Recipient == "U5" {
				t.Errorf("#%d still reminds U5: %+v", id, d)
			}
		}
	}
	// Once every occurrence is over, there is nothing to join.
	e.clock.Add(365 * 24 * time.Hour)
	if _, _, err := e.svc.JoinSeries(ctx, "U5", ids[0]); code(err) != CodeOver {
		t.Errorf("join a series that is over: %v", err)
	}
}

// Moved across a change of time, the later occurrences keep the new wall
// time, not the new distance in hours: 10 April 15:00 (-04) moved to 3
// April 15:00 (-03, before the change) puts 10 May on 3 May at 15:00.
func TestMoveSeriesAcrossDST(t *testing.T) {
	e := newTestService(t)
	santiago := mustZone("America/Santiago")
	sr := scheduleMonthly(t, e, 4)
	first := e.seriesSnapshot(sr.Occurrences[0].ID)
	moved, _, err := e.svc.MoveSeries(context.Background(), Actor{UserID: "U1"}, sr.Occurrences[1].ID,
		time.Date(2026, 4, 3, 15, 0, 0, 0, santiago), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, m := range moved {
		got = append(got, m.Start)
	}
	if w := wall(got, santiago); w != "2026-04-03 15:00 -03, 2026-05-03 15:00 -04, 2026-06-03 15:00 -04" {
		t.Errorf("moved to %s", w)
	}
	if got := e.seriesSnapshot(sr.Occurrences[0].ID); got != first {
		t.Errorf("the first changed:\n was %s\n now %s", first, got)
	}
}

// A speaker outside Slack is invited to each occurrence by email, sent an
// update for each one moved and a cancellation for each one cancelled.
func TestSeriesExternalSpeakerInvitations(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Mail = true })
	ctx := context.Background()
	sr, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "CoP", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, mustZone("America/Santiago")),
		Speakers: []store.Speaker{{Name: "Jane Doe", Email: "jane@example.org"}},
		Repeat:   Repeat{Every: EveryMonth, Count: count(3)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{sr.Occurrences[0].ID, sr.Occurrences[1].ID, sr.Occurrences[2].ID}
	for _, id := range ids {
		if inv := e.rows(id, KindMailInvite); len(inv) != 1 || inv[0].Recipient != "jane@example.org" || inv[0].Payload != "" {
			t.Errorf("#%d invitations %+v", id, inv)
		}
	}
	if _, _, err := e.svc.MoveSeries(ctx, Actor{UserID: "U1"}, ids[1], time.Date(2026, 4, 11, 15, 0, 0, 0, mustZone("America/Santiago")), 0); err != nil {
		t.Fatal(err)
	}
	if inv := e.rows(ids[0], KindMailInvite); len(inv) != 1 {
		t.Errorf("the first, not moved, has invitations %+v", inv)
	}
	for _, id := range ids[1:] {
		inv := e.rows(id, KindMailInvite)
		updates := 0
		for _, d := range inv {
			if d.Payload == InviteUpdate {
				updates++
			}
		}
		if len(inv) != 2 || updates != 1 {
			t.Errorf("#%d after the move: invitations %+v", id, inv)
		}
	}
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[2], ""); err != nil {
		t.Fatal(err)
	}
	if c := e.rows(ids[2], KindMailCancel); len(c) != 1 || c[0].Recipient != "jane@example.org" {
		t.Errorf("the cancelled one's cancellation %+v", c)
	}
	if c := e.rows(ids[1], KindMailCancel); len(c) != 0 {
		t.Errorf("a cancellation for one not cancelled %+v", c)
	}
}

// A series planned from a request meets it with its first occurrence, and
// each occurrence owes its own evaluation.
func TestSeriesFromARequestEvaluatedPerOccurrence(t *testing.T) {
	e := newTestService(t, func(p *Policy) {
		p.Evaluation = Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour}
	})
	ctx := context.Background()
	r, err := e.svc.Request(ctx, Actor{UserID: "U9", Channel: "C1"}, Ask{Topic: "Community of practice"})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := e.svc.PlanDraft(ctx, Actor{UserID: "U1"}, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Start = time.Date(2026, 3, 10, 15, 0, 0, 0, mustZone("America/Santiago"))
	d.Repeat = Repeat{Every: EveryMonth, Count: count(3)}
	sr, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1", Channel: "C1"}, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Request(ctx, r.ID)
	if err != nil || got.Status != store.RequestPlanned || got.SessionID != sr.Occurrences[0].ID {
		t.Errorf("request %+v, %v; want planned into #%d", got, err, sr.Occurrences[0].ID)
	}
	for _, o := range sr.Occurrences {
		if ev := e.rows(o.ID, KindEvaluate); len(ev) != 1 || !ev[0].Due.Equal(o.End().Add(30*time.Minute)) {
			t.Errorf("#%d evaluation rows %+v", o.ID, ev)
		}
	}
}
