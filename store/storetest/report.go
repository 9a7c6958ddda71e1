package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// testReportHandCounted checks every figure against a fixture counted by
// hand: five sessions held in the first quarter, and four that must not
// count (cancelled, not yet over, before the period, still running).
func testReportHandCounted(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	jane := store.Speaker{Name: "Jane Doe", Email: "jane@example.org"}

	s1 := addSession(t, s, "S1", "webinar", day(1, 10, 15), time.Hour, []string{"FISDL", "MIDIS"}, store.Speaker{UserID: "U1"}, store.Speaker{UserID: "U2"})
	s2 := addSession(t, s, "S2", "exchange", day(2, 5, 14), 90*time.Minute, []string{"FISDL"}, store.Speaker{UserID: "U2"}, jane)
	s3 := addSession(t, s, "S3", "webinar", day(2, 20, 10), time.Hour, nil, store.Speaker{UserID: "U3"})
	s4 := addSession(t, s, "S4", "workshop", day(3, 1, 9), 2*time.Hour, []string{"MIDIS"}, store.Speaker{UserID: "U1"})
	s5 := addSession(t, s, "S5", "webinar", day(3, 10, 16), time.Hour, nil, store.Speaker{UserID: "U4"})

	cancelled := addSession(t, s, "cancelled", "webinar", day(2, 1, 10), time.Hour, []string{"FISDL"}, store.Speaker{UserID: "U9"})
	future := addSession(t, s, "future", "webinar", day(3, 20, 10), time.Hour, nil, store.Speaker{UserID: "U9"})
	before := addSession(t, s, "before", "webinar", time.Date(2025, 12, 20, 10, 0, 0, 0, time.UTC), time.Hour, nil, store.Speaker{UserID: "U9"})
	running := addSession(t, s, "running", "webinar", now.Add(-30*time.Minute), time.Hour, nil, store.Speaker{UserID: "U9"})

	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Cancel(ctx, cancelled.ID, "", now); err != nil {
			return err
		}
		joins := map[*store.Session][]string{
			s1: {"P1", "P2", "P3"}, s2: {"P1", "P4"}, s3: {"P2"},
			cancelled: {"P8"}, future: {"P9"}, before: {"P9"}, running: {"P9"},
		}
		for sess, users := range joins {
			for _, u := range users {
				if _, err := tx.Join(ctx, sess.ID, u, sess.Start.Add(-time.Hour)); err != nil {
					return err
				}
			}
		}
		prompts := []struct {
			sess  *store.Session
			user  string
			state string
		}{
			{s1, "U1", store.PromptDone}, {s1, "U2", store.PromptDone}, {s1, "UC", store.PromptAnswering},
			{s2, "U2", store.PromptDone}, {s2, "UC", store.PromptAnswering},
			{s3, "U3", store.PromptAnswering},
			{s4, "U1", store.PromptStopped},
			{s5, "U4", store.PromptStopped},
			{cancelled, "U9", store.PromptAnswering}, {future, "U9", store.PromptOpen}, {before, "U9", store.PromptAnswering},
		}
		for _, p := range prompts {
			if _, err := tx.RecordPrompt(ctx, p.sess.ID, p.user, "D"+p.user, p.sess.End()); err != nil {
				return err
			}
			if err := tx.AdvancePrompt(ctx, p.sess.ID, p.user, 0, p.state, p.sess.End()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// First lessons 2h (S1), 10h (S2) and 24h (S4) after the end: median 10h.
	saveAnswer(t, s, s1.ID, "U1", 0, "x", s1.End().Add(2*time.Hour))
	saveAnswer(t, s, s1.ID, "U2", 0, "x", s1.End().Add(5*time.Hour))
	saveAnswer(t, s, s1.ID, "UC", 0, "x", s1.End().Add(7*time.Hour))
	saveAnswer(t, s, s2.ID, "U2", 0, "x", s2.End().Add(10*time.Hour))
	saveAnswer(t, s, s2.ID, "U2", 1, "x", s2.End().Add(100*time.Hour))
	saveAnswer(t, s, s4.ID, "U1", 0, "x", s4.End().Add(24*time.Hour))
	saveAnswer(t, s, cancelled.ID, "U9", 0, "x", cancelled.End().Add(time.Hour))
	saveAnswer(t, s, before.ID, "U9", 0, "x", before.End().Add(time.Hour))

	r, err := s.Report(ctx, store.ReportQuery{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"held", r.Held, 5},
		{"by kind", r.ByKind, []store.Count{{Label: "webinar", N: 3}, {Label: "exchange", N: 1}, {Label: "workshop", N: 1}}},
		{"by partner", r.ByPartner, []store.Count{{Label: "FISDL", N: 2}, {Label: "MIDIS", N: 2}}},
		{"participants", r.Participants, 4},
		{"rsvps", r.RSVPs, 6},
		{"speakers", r.Speakers, 5}, // U1 U2 Jane U3 U4
		{"captured", r.Captured, 3},
		{"capture rate", r.CaptureRate(), 0.6},
		{"median to first lesson", r.MedianToFirstLesson, 10 * time.Hour},
		{"open prompts", r.OpenPrompts, 2},
		{"first lessons", r.FirstLessons, []time.Duration{2 * time.Hour, 10 * time.Hour, 24 * time.Hour}},
		{"months", r.Months, []store.Month{
			{Start: day(1, 1, 0), Held: 1, Captured: 1, ByKind: []store.Count{{Label: "webinar", N: 1}, {Label: "exchange"}, {Label: "workshop"}}},
			{Start: day(2, 1, 0), Held: 2, Captured: 1, ByKind: []store.Count{{Label: "webinar", N: 1}, {Label: "exchange", N: 1}, {Label: "workshop"}}},
			{Start: day(3, 1, 0), Held: 2, Captured: 1, ByKind: []store.Count{{Label: "webinar", N: 1}, {Label: "exchange"}, {Label: "workshop", N: 1}}},
		}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}

	empty, err := s.Report(ctx, store.ReportQuery{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Now: now})
	if err != nil || empty.Held != 0 || empty.CaptureRate() != 0 || empty.MedianToFirstLesson != 0 {
		t.Errorf("empty period = %+v, %v", empty, err)
	}
}
