package exchange

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Moving one occurrence moves it alone: reminders, prompts and the
// series' notes follow it; the others keep everything.
func TestMoveOneOccurrence(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	santiago := mustZone("America/Santiago")
	sr := scheduleMonthly(t, e, 4)
	ids, before := e.seriesSnapshots(sr)
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
	ids, before := e.seriesSnapshots(sr)
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
	ids, before := e.seriesSnapshots(sr)
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

// The occurrences MoveSeries returns are as the store then holds them,
// to the second.
func TestMoveSeriesReturnsStored(t *testing.T) {
	e := newTestService(t)
	sr := scheduleMonthly(t, e, 4)
	to := time.Date(2026, 5, 12, 16, 0, 0, 500, mustZone("America/Santiago"))
	moved, _, err := e.svc.MoveSeries(context.Background(), Actor{UserID: "U1"}, sr.Occurrences[1].ID, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(moved) != 3 {
		t.Fatalf("moved %d occurrences, want 3", len(moved))
	}
	for _, m := range moved {
		got := e.session(m.ID)
		got.SeriesPlace, got.SeriesSize = m.SeriesPlace, m.SeriesSize
		if !reflect.DeepEqual(m, got) {
			t.Errorf("returned\n%+v\nstored\n%+v", m, got)
		}
	}
}
