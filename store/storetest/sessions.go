package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func testSessionRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	lima, err := time.LoadLocation("America/Lima")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	in := &store.Session{
		Title: "Cash transfers: lessons from Peru", Kind: "exchange",
		Start:    time.Date(2026, 3, 10, 10, 0, 0, 0, lima), // stored in UTC whatever zone it comes in
		Duration: 90 * time.Minute, TZ: "America/Lima", Description: "Two ministries compare notes.",
		Link: "https://meet.example.org/abc", Channel: "C1", Lang: "es", Creator: "U1",
		Created: now, Updated: now, AnnounceChannel: "", AnnounceTS: "",
		Partners: []string{"MIDIS Perú", "FISDL"},
		Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}, {Name: "Jane Doe", Email: "jane@example.org"}},
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateSession(ctx, in) })
	if in.ID == 0 || in.Status != store.StatusConfirmed {
		t.Fatalf("after create: id %d status %q; want an id and %q", in.ID, in.Status, store.StatusConfirmed)
	}
	got, err := s.Session(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Start.Location() != time.UTC || !got.Start.Equal(in.Start) || got.End() != in.Start.Add(90*time.Minute).UTC() {
		t.Errorf("start %v (%v), end %v; want %v in UTC", got.Start, got.Start.Location(), got.End(), in.Start)
	}
	if !got.Created.Equal(now) || !got.Updated.Equal(now) || got.Created.Location() != time.UTC {
		t.Errorf("created %v updated %v; want %v in UTC", got.Created, got.Updated, now)
	}
	want := *in
	want.Start, want.Created, want.Updated = got.Start, got.Created, got.Updated
	want.Speakers = got.Speakers // IDs are the backend's; checked below
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("session read back:\n got %+v\nwant %+v", got, &want)
	}
	if len(got.Speakers) != 2 || got.Speakers[0].UserID != "U2" || got.Speakers[0].Name != "ana" ||
		got.Speakers[1].Email != "jane@example.org" || got.Speakers[1].Name != "Jane Doe" || got.Speakers[1].UserID != "" ||
		got.Speakers[0].ID == 0 || got.Speakers[0].ID == got.Speakers[1].ID {
		t.Errorf("speakers = %+v", got.Speakers)
	}
	if !got.HasSpeaker("U2") || got.HasSpeaker("U1") || got.Cancelled() {
		t.Errorf("HasSpeaker/Cancelled wrong on %+v", got)
	}

	// The same read inside a transaction.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		inTx, err := tx.Session(ctx, in.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(inTx, got) {
			t.Errorf("Tx.Session = %+v, want %+v", inTx, got)
		}
		if _, err := tx.Session(ctx, in.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Tx.Session of an unknown id = %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := s.Session(ctx, in.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session of an unknown id = %v, want ErrNotFound", err)
	}
	for id, want := range map[int64]bool{in.ID: true, in.ID + 100: false} {
		if ok, err := s.SessionExists(ctx, id); err != nil || ok != want {
			t.Errorf("SessionExists(%d) = %v, %v; want %v", id, ok, err, want)
		}
	}
	createSample(t, s)
	if n, err := s.CountSessions(ctx); err != nil || n != 2 {
		t.Errorf("CountSessions = %d, %v; want 2", n, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

func testSessionChanges(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	now := sess.Created.Add(time.Hour)
	newStart := sess.Start.Add(24 * time.Hour)
	read := func() *store.Session {
		t.Helper()
		got, err := s.Session(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Reschedule(ctx, sess.ID, newStart, 2*time.Hour, now)
	})
	if got := read(); !got.Start.Equal(newStart) || got.Duration != 2*time.Hour || got.Sequence != 1 || !got.Updated.Equal(now) {
		t.Errorf("after reschedule: start %v duration %v sequence %d updated %v", got.Start, got.Duration, got.Sequence, got.Updated)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Touch(ctx, sess.ID, now.Add(time.Minute)) })
	if got := read(); got.Sequence != 2 || !got.Updated.Equal(now.Add(time.Minute)) || !got.Start.Equal(newStart) {
		t.Errorf("after touch: sequence %d updated %v", got.Sequence, got.Updated)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.SetAnnouncement(ctx, sess.ID, "C1", "1.5") })
	if got := read(); got.AnnounceChannel != "C1" || got.AnnounceTS != "1.5" || got.Sequence != 2 {
		t.Errorf("after announcement: %q %q sequence %d; want C1 1.5, sequence kept", got.AnnounceChannel, got.AnnounceTS, got.Sequence)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Cancel(ctx, sess.ID, "speaker ill", now.Add(2*time.Minute))
	})
	if got := read(); !got.Cancelled() || got.Status != store.StatusCancelled || got.CancelReason != "speaker ill" || got.Sequence != 3 ||
		!got.Updated.Equal(now.Add(2*time.Minute)) {
		t.Errorf("after cancel: %+v", got)
	}

	// Each change to a session that is not there is ErrNotFound.
	missing := sess.ID + 100
	for name, change := range map[string]func(ctx context.Context, tx store.Tx) error{
		"reschedule": func(ctx context.Context, tx store.Tx) error {
			return tx.Reschedule(ctx, missing, newStart, time.Hour, now)
		},
		"touch":        func(ctx context.Context, tx store.Tx) error { return tx.Touch(ctx, missing, now) },
		"announcement": func(ctx context.Context, tx store.Tx) error { return tx.SetAnnouncement(ctx, missing, "C1", "1.1") },
		"cancel":       func(ctx context.Context, tx store.Tx) error { return tx.Cancel(ctx, missing, "", now) },
	} {
		if err := s.Update(ctx, func(tx store.Tx) error { return change(ctx, tx) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of an unknown session = %v, want ErrNotFound", name, err)
		}
	}
}

// testSessionDetails: an edit sets what was said, raises the sequence and
// the feed version, and leaves time, people and status alone.
func testSessionDetails(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	v0, _, err := s.FeedVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := sess.Created.Add(time.Hour)
	d := store.Details{Title: "Youth employment II", Kind: "exchange", Link: "https://meet.example.org/x", Description: "Two\nlines", Lang: "es"}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.SetDetails(ctx, sess.ID, d, now) })
	got, err := s.Session(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if (store.Details{Title: got.Title, Kind: got.Kind, Link: got.Link, Description: got.Description, Lang: got.Lang}) != d {
		t.Errorf("details after edit: %+v", got)
	}
	if got.Sequence != 1 || !got.Updated.Equal(now) || !got.Start.Equal(sess.Start) || got.Duration != sess.Duration ||
		len(got.Speakers) != 2 || len(got.Partners) != 1 || got.Status != store.StatusConfirmed {
		t.Errorf("edit changed more than the details: %+v", got)
	}
	if v, _, err := s.FeedVersion(ctx); err != nil || v == v0 {
		t.Errorf("feed version %d after an edit, was %d (%v)", v, v0, err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.SetDetails(ctx, sess.ID+100, d, now) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("edit of an unknown session = %v, want ErrNotFound", err)
	}
}

func testSessionsFilter(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 5, d, h, 0, 0, 0, time.UTC) }
	a := addSession(t, s, "A", "webinar", day(1, 10), time.Hour, []string{"P1"}, store.Speaker{UserID: "US"})
	b := addSession(t, s, "B", "workshop", day(2, 10), 3*time.Hour, nil)
	c := addSession(t, s, "C", "webinar", day(2, 10), time.Hour, nil) // same start as B: ties go by id
	addSession(t, s, "D", "exchange", day(5, 10), time.Hour, nil, store.Speaker{UserID: "US"})
	e := addSession(t, s, "E", "webinar", day(3, 10), time.Hour, nil)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Join(ctx, b.ID, "UJ", day(1, 0)); err != nil {
			return err
		}
		if err := tx.Cancel(ctx, c.ID, "", day(1, 0)); err != nil {
			return err
		}
		return tx.Cancel(ctx, e.ID, "", day(2, 0))
	})
	titles := func(f store.Filter) string {
		t.Helper()
		got, err := s.Sessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sess := range got {
			out = append(out, sess.Title)
		}
		return fmt.Sprint(out)
	}
	tests := []struct {
		name string
		f    store.Filter
		want string
	}{
		{"all, soonest first", store.Filter{}, "[A B C E D]"},
		{"newest first", store.Filter{Newest: true}, "[D E C B A]"},
		{"limit", store.Filter{Limit: 2}, "[A B]"},
		{"from (inclusive)", store.Filter{From: day(2, 10)}, "[B C E D]"},
		{"to (exclusive)", store.Filter{To: day(3, 10)}, "[A B C]"},
		{"from and to", store.Filter{From: day(2, 0), To: day(4, 0)}, "[B C E]"},
		{"ended before (inclusive)", store.Filter{EndedBefore: day(2, 11)}, "[A C]"},
		{"status", store.Filter{Status: store.StatusConfirmed}, "[A B D]"},
		{"cancelled since", store.Filter{CancelledSince: day(1, 12)}, "[A B E D]"},
		{"speaker", store.Filter{User: "US"}, "[A D]"},
		{"participant", store.Filter{User: "UJ"}, "[B]"},
		{"nobody", store.Filter{User: "UX"}, "[]"},
		{"combined", store.Filter{User: "US", From: day(2, 0), Newest: true, Limit: 1}, "[D]"},
		{"created (all by UC)", store.Filter{User: "UC", OrCreated: true}, "[A B C E D]"},
		{"created, not speaking", store.Filter{User: "UC"}, "[]"},
		{"speaker or creator of nothing", store.Filter{User: "US", OrCreated: true}, "[A D]"},
		{"ends after (B runs until 13:00)", store.Filter{EndsAfter: day(2, 12)}, "[B E D]"},
		{"ends after is exclusive", store.Filter{EndsAfter: day(2, 13)}, "[E D]"},
		{"offset", store.Filter{Offset: 2}, "[C E D]"},
		{"page", store.Filter{Limit: 2, Offset: 2}, "[C E]"},
		{"offset past the end", store.Filter{Limit: 2, Offset: 9}, "[]"},
	}
	for _, tt := range tests {
		if got := titles(tt.f); got != tt.want {
			t.Errorf("%s: Sessions(%+v) = %s, want %s", tt.name, tt.f, got, tt.want)
		}
		// SessionCount counts the same sessions, ignoring paging.
		all := tt.f
		all.Limit, all.Offset = 0, 0
		list, err := s.Sessions(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.SessionCount(ctx, tt.f); err != nil || n != len(list) {
			t.Errorf("%s: SessionCount = %d, %v; want %d", tt.name, n, err, len(list))
		}
	}
	// Lists carry the details, like Session.
	got, err := s.Sessions(ctx, store.Filter{To: day(3, 0)})
	if err != nil || len(got) != 3 {
		t.Fatalf("Sessions = %d, %v", len(got), err)
	}
	if !slices.Equal(got[0].Partners, []string{"P1"}) || len(got[0].Speakers) != 1 || got[0].Speakers[0].UserID != "US" ||
		!slices.Equal(got[1].Participants, []string{"UJ"}) || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Errorf("details in a list: %+v %+v", got[0], got[1])
	}
}

// testFeedVersion checks every change a calendar feed shows moves the
// version, at once for this Store's own writes.
func testFeedVersion(t *testing.T, s store.Store) {
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, changed, err := s.FeedVersion(ctx)
		if err != nil || changed.IsZero() {
			t.Fatalf("FeedVersion = %d, %v, %v", v, changed, err)
		}
		return v
	}
	last := version()
	var sess *store.Session
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"create", func(ctx context.Context, tx store.Tx) error {
			sess = &store.Session{Title: "T", Kind: "webinar", Start: now.Add(time.Hour), Duration: time.Hour, TZ: "UTC", Creator: "U1",
				Created: now, Updated: now, Partners: []string{"P"}}
			return tx.CreateSession(ctx, sess)
		}},
		{"join", func(ctx context.Context, tx store.Tx) error { _, err := tx.Join(ctx, sess.ID, "U5", now); return err }},
		{"leave", func(ctx context.Context, tx store.Tx) error { _, err := tx.Leave(ctx, sess.ID, "U5"); return err }},
		{"add speaker", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.AddSpeakers(ctx, sess.ID, []store.Speaker{{UserID: "U2"}})
			return err
		}},
		{"remove speaker", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.RemoveSpeakers(ctx, sess.ID, []store.Speaker{{UserID: "U2"}})
			return err
		}},
		{"reschedule", func(ctx context.Context, tx store.Tx) error {
			return tx.Reschedule(ctx, sess.ID, now.Add(2*time.Hour), time.Hour, now)
		}},
		{"touch", func(ctx context.Context, tx store.Tx) error { return tx.Touch(ctx, sess.ID, now) }},
		{"announcement", func(ctx context.Context, tx store.Tx) error { return tx.SetAnnouncement(ctx, sess.ID, "C1", "1.1") }},
		{"cancel", func(ctx context.Context, tx store.Tx) error { return tx.Cancel(ctx, sess.ID, "", now) }},
	} {
		update(t, s, c.fn)
		v := version()
		if v == last {
			t.Errorf("%s left the feed version at %d", c.name, v)
		}
		last = v
	}
}

func testFailedUpdateChangesNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	before, _, err := s.FeedVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	now := sess.Created
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, &store.Session{Title: "ghost", Kind: "webinar", Start: now, Duration: time.Hour, TZ: "UTC",
			Creator: "U1", Created: now, Updated: now}); err != nil {
			return err
		}
		if _, err := tx.Join(ctx, sess.ID, "P1", now); err != nil {
			return err
		}
		if err := tx.Reschedule(ctx, sess.ID, now, time.Hour, now); err != nil {
			return err
		}
		if _, err := tx.RotateFeedToken(ctx, "U1", now); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "P1", Due: now}, now); err != nil {
			return err
		}
		if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: "U2", Question: "Q?", Answer: "lost"}, now); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if n, _ := s.CountSessions(ctx); n != 1 {
		t.Errorf("sessions = %d, want 1", n)
	}
	got, _ := s.Session(ctx, sess.ID)
	if len(got.Participants) != 0 || !got.Start.Equal(sess.Start) || got.Sequence != 0 {
		t.Errorf("session changed by a failed Update: %+v", got)
	}
	if _, err := s.FeedTokenCreated(ctx, "U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("feed token after a failed Update: %v, want ErrNotFound", err)
	}
	if ds, _ := s.Deliveries(ctx, 0); len(ds) != 0 {
		t.Errorf("deliveries after a failed Update: %+v", ds)
	}
	if ls, _ := s.AllLessons(ctx); len(ls) != 0 {
		t.Errorf("lessons after a failed Update: %+v", ls)
	}
	if after, _, _ := s.FeedVersion(ctx); after != before {
		t.Errorf("feed version moved from %d to %d on a failed Update", before, after)
	}
}

// testConcurrentUpdates runs Updates from many goroutines at once: each
// commits, and none is lost to another.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	const n = 32
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(ctx, func(tx store.Tx) error {
				_, err := tx.Join(ctx, sess.ID, fmt.Sprintf("P%02d", i), sess.Created.Add(time.Duration(i)*time.Second))
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, err := s.Session(ctx, sess.ID)
	if err != nil || len(got.Participants) != n || got.Participants[0] != "P00" || got.Participants[n-1] != fmt.Sprintf("P%02d", n-1) {
		t.Errorf("participants after %d concurrent joins = %v, %v", n, got.Participants, err)
	}
}
