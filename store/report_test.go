package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestReportHandCounted checks every figure against a fixture counted by
// hand: five sessions held in the first quarter, and four that must not
// count (cancelled, not yet over, before the period, still running).
func TestReportHandCounted(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	jane := Speaker{Name: "Jane Doe", Email: "jane@example.org"}

	s1 := addSession(t, s, "S1", "webinar", day(1, 10, 15), time.Hour, []string{"FISDL", "MIDIS"}, Speaker{UserID: "U1"}, Speaker{UserID: "U2"})
	s2 := addSession(t, s, "S2", "exchange", day(2, 5, 14), 90*time.Minute, []string{"FISDL"}, Speaker{UserID: "U2"}, jane)
	s3 := addSession(t, s, "S3", "webinar", day(2, 20, 10), time.Hour, nil, Speaker{UserID: "U3"})
	s4 := addSession(t, s, "S4", "workshop", day(3, 1, 9), 2*time.Hour, []string{"MIDIS"}, Speaker{UserID: "U1"})
	s5 := addSession(t, s, "S5", "webinar", day(3, 10, 16), time.Hour, nil, Speaker{UserID: "U4"})

	cancelled := addSession(t, s, "cancelled", "webinar", day(2, 1, 10), time.Hour, []string{"FISDL"}, Speaker{UserID: "U9"})
	future := addSession(t, s, "future", "webinar", day(3, 20, 10), time.Hour, nil, Speaker{UserID: "U9"})
	before := addSession(t, s, "before", "webinar", time.Date(2025, 12, 20, 10, 0, 0, 0, time.UTC), time.Hour, nil, Speaker{UserID: "U9"})
	running := addSession(t, s, "running", "webinar", now.Add(-30*time.Minute), time.Hour, nil, Speaker{UserID: "U9"})

	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.Cancel(ctx, cancelled.ID, "", now); err != nil {
			return err
		}
		joins := map[*Session][]string{
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
			sess  *Session
			user  string
			state string
		}{
			{s1, "U1", PromptDone}, {s1, "U2", PromptDone}, {s1, "UC", PromptAnswering}, // UC answered: not open
			{s2, "U2", PromptDone}, {s2, "UC", PromptAnswering}, // open
			{s3, "U3", PromptAnswering}, // open
			{s4, "U1", PromptStopped},   // stopped after one answer
			{s5, "U4", PromptStopped},   // declined: stopped, not open
			{cancelled, "U9", PromptAnswering}, {future, "U9", PromptOpen}, {before, "U9", PromptAnswering},
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

	r, err := s.Report(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), now)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"held", r.Held, 5},
		{"by kind", r.ByKind, []Count{{"webinar", 3}, {"exchange", 1}, {"workshop", 1}}},
		{"by partner", r.ByPartner, []Count{{"FISDL", 2}, {"MIDIS", 2}}},
		{"participants", r.Participants, 4},
		{"rsvps", r.RSVPs, 6},
		{"speakers", r.Speakers, 5}, // U1 U2 Jane U3 U4
		{"captured", r.Captured, 3},
		{"capture rate", r.CaptureRate(), 0.6},
		{"median to first lesson", r.MedianToFirstLesson, 10 * time.Hour},
		{"open prompts", r.OpenPrompts, 2},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}

	empty, err := s.Report(ctx, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), now)
	if err != nil || empty.Held != 0 || empty.CaptureRate() != 0 || empty.MedianToFirstLesson != 0 {
		t.Errorf("empty period = %+v, %v", empty, err)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []int64
		want time.Duration
	}{
		{nil, 0},
		{[]int64{7200}, 2 * time.Hour},
		{[]int64{36000, 7200, 86400}, 10 * time.Hour},
		{[]int64{3600, 7200}, 90 * time.Minute},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
