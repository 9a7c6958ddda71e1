package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// addSeries stores a series of every and one occurrence per start, in
// the order given (not necessarily by start).
func addSeries(t testing.TB, s store.Store, every string, starts ...time.Time) (*store.Series, []*store.Session) {
	t.Helper()
	created := starts[0].Add(-240 * time.Hour)
	sr := &store.Series{Every: every, Creator: "UC", Created: created}
	var occ []*store.Session
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateSeries(ctx, sr); err != nil {
			return err
		}
		for _, start := range starts {
			o := &store.Session{
				Title: "Community of practice", Kind: "exchange", Start: start, Duration: time.Hour, TZ: "America/Santiago",
				Channel: "C1", Creator: "UC", Created: created, Updated: created, SeriesID: sr.ID,
				Partners: []string{"FOSIS"}, Speakers: []store.Speaker{{UserID: "U2"}},
			}
			if err := tx.CreateSession(ctx, o); err != nil {
				return err
			}
			occ = append(occ, o)
		}
		return nil
	})
	if sr.ID == 0 {
		t.Fatal("CreateSeries set no id")
	}
	return sr, occ
}

// places returns "id:place/size" of each session, for comparing.
func places(ss []*store.Session) [][3]int64 {
	out := make([][3]int64, len(ss))
	for i, s := range ss {
		out[i] = [3]int64{s.ID, int64(s.SeriesPlace), int64(s.SeriesSize)}
	}
	return out
}

// testSeries: a series reads back with its occurrences in order of
// start, each placed in it, the places follow cancellations, and a
// one-off session has none.
func testSeries(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 12, d, 18, 0, 0, 0, time.UTC) }
	// Created out of order: the third first.
	sr, occ := addSeries(t, s, "week", day(17), day(3), day(10))
	oneOff := addSession(t, s, "One-off", "webinar", day(5), time.Hour, nil)
	other, _ := addSeries(t, s, "month", day(4), day(11))

	got, err := s.Series(ctx, sr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Every != "week" || got.Creator != "UC" || !got.Created.Equal(sr.Created) || got.ID != sr.ID {
		t.Errorf("series read back %+v, want %+v", got, sr)
	}
	want := [][3]int64{{occ[1].ID, 1, 3}, {occ[2].ID, 2, 3}, {occ[0].ID, 3, 3}}
	if p := places(got.Occurrences); !reflect.DeepEqual(p, want) {
		t.Errorf("occurrences (id, place, size) = %v, want %v", p, want)
	}
	for _, o := range got.Occurrences {
		if o.SeriesID != sr.ID || len(o.Partners) != 1 || len(o.Speakers) != 1 {
			t.Errorf("occurrence %+v lacks its series or details", o)
		}
	}
	one, err := s.Session(ctx, occ[2].ID)
	if err != nil || one.SeriesID != sr.ID || one.SeriesPlace != 2 || one.SeriesSize != 3 {
		t.Errorf("Session(%d) = %+v, %v; want place 2 of 3 in series %d", occ[2].ID, one, err, sr.ID)
	}
	if o, _ := s.Session(ctx, oneOff.ID); o.SeriesID != 0 || o.SeriesPlace != 0 || o.SeriesSize != 0 {
		t.Errorf("one-off session has series fields %+v", o)
	}

	// Cancelling the second leaves the others 1 and 2 of 2.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Cancel(ctx, occ[2].ID, "", day(1)) })
	got, _ = s.Series(ctx, sr.ID)
	want = [][3]int64{{occ[1].ID, 1, 2}, {occ[2].ID, 0, 2}, {occ[0].ID, 2, 2}}
	if p := places(got.Occurrences); !reflect.DeepEqual(p, want) {
		t.Errorf("after a cancel (id, place, size) = %v, want %v", p, want)
	}
	if n := got.Confirmed(); n != 2 {
		t.Errorf("Confirmed = %d, want 2", n)
	}
	if up := got.Upcoming(day(10)); len(up) != 1 || up[0].ID != occ[0].ID {
		t.Errorf("Upcoming after the second = %v, want only #%d", places(up), occ[0].ID)
	}

	// Sessions by series, and places in a mixed list.
	list, err := s.Sessions(ctx, store.Filter{SeriesID: other.ID})
	if err != nil || len(list) != 2 || list[0].SeriesID != other.ID || list[0].SeriesPlace != 1 || list[1].SeriesPlace != 2 {
		t.Errorf("Sessions of series %d = %v, %v", other.ID, places(list), err)
	}
	all, err := s.Sessions(ctx, store.Filter{})
	if err != nil || len(all) != 6 {
		t.Fatalf("Sessions = %d, %v; want 6", len(all), err)
	}
	for _, x := range all {
		if x.ID == occ[0].ID && (x.SeriesPlace != 2 || x.SeriesSize != 2) || x.ID == oneOff.ID && x.SeriesSize != 0 {
			t.Errorf("in a list, #%d is %d of %d", x.ID, x.SeriesPlace, x.SeriesSize)
		}
	}

	// Inside a transaction, the same.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		inTx, err := tx.Series(ctx, sr.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(places(inTx.Occurrences), places(got.Occurrences)) {
			t.Errorf("Tx.Series = %v, want %v", places(inTx.Occurrences), places(got.Occurrences))
		}
		if _, err := tx.Series(ctx, sr.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Tx.Series of an unknown id = %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := s.Series(ctx, sr.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Series of an unknown id = %v, want ErrNotFound", err)
	}
}

// testSeriesAnnouncement: a series has one announcement, planned on one
// occurrence; every occurrence reads its state and, once it is posted,
// where it is, so their notes go to its thread. Other sessions are not
// touched.
func testSeriesAnnouncement(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 12, d, 18, 0, 0, 0, time.UTC) }
	_, occ := addSeries(t, s, "week", day(3), day(10), day(17))
	oneOff := createSample(t, s)
	if st, err := s.AnnouncementState(ctx, occ[2].ID); err != nil || st != "" {
		t.Errorf("state before planning = %q, %v; want none", st, err)
	}
	enqueue(t, s, store.Delivery{Kind: "announce", SessionID: occ[0].ID, Recipient: "C1", Due: outboxAt, Dedupe: "a"})
	for _, o := range occ {
		if st, err := s.AnnouncementState(ctx, o.ID); err != nil || st != store.StatePending {
			t.Errorf("occurrence #%d announcement state = %q, %v; want pending", o.ID, st, err)
		}
	}
	if st, _ := s.AnnouncementState(ctx, oneOff.ID); st != "" {
		t.Errorf("a one-off session reads the series' announcement: %q", st)
	}
	d, err := s.ClaimDelivery(ctx, rowsByDedupe(t, s, occ[0].ID)["a"].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAnnounced(ctx, d, "C1", "7.7", outboxAt); err != nil {
		t.Fatal(err)
	}
	for _, o := range occ {
		got, _ := s.Session(ctx, o.ID)
		if got.AnnounceChannel != "C1" || got.AnnounceTS != "7.7" {
			t.Errorf("occurrence #%d announcement at %q/%q, want C1/7.7", o.ID, got.AnnounceChannel, got.AnnounceTS)
		}
	}
	if got, _ := s.Session(ctx, oneOff.ID); got.AnnounceTS != "" {
		t.Errorf("one-off session took the series' announcement: %q", got.AnnounceTS)
	}
}

// testReportSeries: the report counts the series with a session held in
// the period and how many held sessions belong to one.
func testReportSeries(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 15, 0, 0, 0, time.UTC) }
	now := day(3, 15)
	addSeries(t, s, "month", day(1, 10), day(2, 10), day(3, 10), day(4, 10)) // three held, one ahead
	_, b := addSeries(t, s, "week", day(2, 2), day(2, 9))                    // both held, one cancelled
	addSeries(t, s, "week", day(3, 20), day(3, 27))                          // none held yet
	addSession(t, s, "One-off", "webinar", day(2, 20), time.Hour, nil)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Cancel(ctx, b[1].ID, "", day(2, 1)) })
	r, err := s.Report(ctx, store.ReportQuery{From: day(1, 1), To: day(4, 1), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.Held != 5 || r.Series != 2 || r.SeriesHeld != 4 {
		t.Errorf("held %d, series %d, series occurrences held %d; want 5, 2, 4", r.Held, r.Series, r.SeriesHeld)
	}
	// A period holding only the first: one series, one occurrence.
	r, _ = s.Report(ctx, store.ReportQuery{From: day(1, 1), To: day(2, 1), Now: now})
	if r.Held != 1 || r.Series != 1 || r.SeriesHeld != 1 {
		t.Errorf("January: held %d, series %d, series occurrences %d; want 1, 1, 1", r.Held, r.Series, r.SeriesHeld)
	}
}
