package exchange

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

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
