package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestReportCommand checks `report` against a fixture counted by hand,
// read in two callers' zones: a session at 23:30 UTC on 31 January is in
// January in Santiago but in February in Madrid. The kinds are worded as
// the announcements and the web pages word them, in either language.
func TestReportCommand(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"UM", "US", "UE"} })
	e.slack.Zones["UM"] = "Europe/Madrid" // US has no zone: the configured America/Santiago
	e.slack.Locales["UE"] = "es-CL"
	e.clock.Set(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	utc := func(d, h, m int) time.Time { return time.Date(2026, 1, d, h, m, 0, 0, time.UTC) }
	type lesson struct {
		user  string
		after time.Duration // from the session's end
	}
	fixture := []struct {
		s       *store.Session
		joined  []string
		open    []string // prompted, silent
		lessons []lesson
	}{
		{&store.Session{Title: "S1", Kind: "webinar", Start: utc(10, 15, 0), Partners: []string{"FISDL"},
			Speakers: []store.Speaker{{UserID: "UA"}, {UserID: "UB"}}}, []string{"P1", "P2"}, []string{"UB"}, []lesson{{"UA", 3 * time.Hour}}},
		{&store.Session{Title: "S2", Kind: "exchange", Start: utc(20, 14, 0), Partners: []string{"FISDL", "MIDIS"},
			Speakers: []store.Speaker{{UserID: "UC"}}}, []string{"P1"}, nil, []lesson{{"UC", 5 * time.Hour}, {"UC", 30 * time.Hour}}},
		{&store.Session{Title: "S3", Kind: "workshop", Start: utc(31, 23, 30),
			Speakers: []store.Speaker{{UserID: "UD"}}}, nil, []string{"UD"}, nil},
	}
	err := e.store.Update(ctx, func(tx store.Tx) error {
		for _, f := range fixture {
			s := f.s
			s.Duration, s.TZ, s.Creator, s.Created, s.Updated = time.Hour, "UTC", "UM", s.Start.AddDate(0, 0, -10), s.Start.AddDate(0, 0, -10)
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
			for _, u := range f.joined {
				if _, err := tx.Join(ctx, s.ID, u, s.Created); err != nil {
					return err
				}
			}
			for _, u := range f.open {
				if _, err := tx.RecordPrompt(ctx, s.ID, u, "D"+u, s.End()); err != nil {
					return err
				}
			}
			for i, l := range f.lessons {
				if _, err := tx.RecordPrompt(ctx, s.ID, l.user, "D"+l.user, s.End()); err != nil {
					return err
				}
				if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: s.ID, UserID: l.user, QuestionIdx: i, Question: "Q?", Answer: "A."}, s.End().Add(l.after)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		user, text string
		want       []string
	}{
		{"UM", "report 2026-01", []string{
			"*M&amp;E report, 1 Jan 2026 – 31 Jan 2026* (Europe/Madrid)",
			"• Sessions held: 2 (Peer exchange 1, Webinar 1)",
			"• By partner: FISDL 2, MIDIS 1",
			"• Participants: 2 people, 3 RSVPs",
			"• Speakers: 3",
			"• Lessons captured: 2 of 2 sessions (100%)",
			"• Median time from session end to first lesson: 4.0 h",
			"• Prompts still open: 1 (asked, no answer yet, not declined)",
			"• Requests: 0 received, 0 planned, 0 declined, 0 merged, 0 open",
			"• Participants' evaluations: nobody has been asked yet",
		}},
		{"US", "report 2026-01", []string{
			"*M&amp;E report, 1 Jan 2026 – 31 Jan 2026* (America/Santiago)",
			"• Sessions held: 3 (Peer exchange 1, Webinar 1, Workshop 1)",
			"• By partner: FISDL 2, MIDIS 1",
			"• Participants: 2 people, 3 RSVPs",
			"• Speakers: 4",
			"• Lessons captured: 2 of 3 sessions (67%)",
			"• Median time from session end to first lesson: 4.0 h",
			"• Prompts still open: 2 (asked, no answer yet, not declined)",
			"• Requests: 0 received, 0 planned, 0 declined, 0 merged, 0 open",
			"• Participants' evaluations: nobody has been asked yet",
		}},
		{"UE", "informe 2026-01", []string{"• Sesiones realizadas: 3 (Intercambio entre pares 1, Webinar 1, Taller 1)"}},
		{"UM", "report 2026-02 2026-03", []string{"*M&amp;E report, 1 Feb 2026 – 31 Mar 2026* (Europe/Madrid)",
			"• Sessions held: 1 (Workshop 1)", "• By partner: none", "• Participants: 0 people, 0 RSVPs", "• Lessons captured: 0 of 1 session (0%)",
			"• Prompts still open: 1"}},
		{"UM", "report 2025-06", []string{"*M&amp;E report, 1 Jun 2025 – 30 Jun 2025* (Europe/Madrid)\nNo sessions were held in this period."}},
		{"UM", "report 2026-03 2026-01", []string{"The report would start"}},
		{"UX", "report 2026-01", []string{"Reports are for staff"}},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.text, func(t *testing.T) {
			got := e.run(tt.user, tt.text)
			if tt.text == "report 2026-01" && tt.user != "UX" {
				if lines := strings.Split(got, "\n"); len(lines) != len(tt.want) {
					t.Errorf("%d lines, want %d:\n%s", len(lines), len(tt.want), got)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
		})
	}
}
