package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func testAnswerTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	var first, second string
	update(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		if first, err = tx.IssueAnswerToken(ctx, sess.ID, "Jane@Example.org", at); err != nil {
			return err
		}
		second, err = tx.IssueAnswerToken(ctx, sess.ID, "jane@example.org", at.Add(time.Hour))
		return err
	})
	if len(first) < 22 || first == second {
		t.Fatalf("tokens %q and %q: want two different tokens of 128 bits or more", first, second)
	}
	for _, tok := range []string{first, second} {
		got, err := s.AnswerToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if got.SessionID != sess.ID || got.Email != "jane@example.org" {
			t.Errorf("AnswerToken = %+v, want session %d and the email in lower case", got, sess.ID)
		}
	}
	for _, bad := range []string{"", "x", first + "x", strings.ToUpper(first)} {
		if _, err := s.AnswerToken(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AnswerToken(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func testLibraryFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)
	a := addSession(t, s, "Evaluación", "webinar", at.Add(-30*24*time.Hour), time.Hour, []string{"FISDL El Salvador"}, store.Speaker{UserID: "U1"})
	b := addSession(t, s, "Transfers", "exchange", at.Add(-3*time.Hour), time.Hour, []string{"MIDIS"}, store.Speaker{Email: "jane@example.org", Name: "Jane"})
	saveAnswer(t, s, a.ID, "U1", 0, "La evaluación externa ayudó.", at.Add(-29*24*time.Hour))
	saveAnswer(t, s, b.ID, "jane@example.org", 0, "Mirror teams and an evaluación.", at)
	saveAnswer(t, s, b.ID, "jane@example.org", 1, "Payments arrived late.", at.Add(time.Minute))

	tests := []struct {
		name string
		q    store.LessonQuery
		want []string // first words, in order
	}{
		{"latest first", store.LessonQuery{}, []string{"Payments", "Mirror", "La"}},
		{"search", store.LessonQuery{Words: "evaluacion"}, []string{"La", "Mirror"}},
		{"partner any case", store.LessonQuery{Words: "evaluacion", Partner: "fisdl el salvador"}, []string{"La"}},
		{"kind", store.LessonQuery{Kind: "exchange"}, []string{"Payments", "Mirror"}},
		{"from", store.LessonQuery{Words: "evaluacion", From: at.Add(-24 * time.Hour)}, []string{"Mirror"}},
		{"to", store.LessonQuery{To: at.Add(-24 * time.Hour)}, []string{"La"}},
		{"limit", store.LessonQuery{Limit: 1}, []string{"Payments"}},
		{"nothing", store.LessonQuery{Words: "evaluacion", Partner: "nobody"}, nil},
		{"either word when not both", store.LessonQuery{Words: "payments ayudó", Kind: "webinar"}, []string{"La"}},
		// Every filter at once numbers its placeholders after the
		// search's own, in both backends' searches and in the listing.
		{"every filter with words", store.LessonQuery{Words: "evaluacion", Partner: "FISDL el salvador", Kind: "webinar",
			From: at.Add(-31 * 24 * time.Hour), To: at.Add(-24 * time.Hour), Limit: 5}, []string{"La"}},
		{"every filter with words, either word", store.LessonQuery{Words: "payments ayudó", Partner: "midis", Kind: "exchange",
			From: at.Add(-24 * time.Hour), To: at.Add(time.Hour), Limit: 5}, []string{"Payments"}},
		{"every filter without words", store.LessonQuery{Partner: "midis", Kind: "exchange",
			From: at.Add(-24 * time.Hour), To: at.Add(time.Hour), Limit: 1}, []string{"Payments"}},
		{"every filter, none matching", store.LessonQuery{Words: "evaluacion", Partner: "midis", Kind: "exchange",
			From: at.Add(-31 * 24 * time.Hour), To: at.Add(-24 * time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Library(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res {
				got = append(got, strings.Fields(r.Answer)[0])
				if r.Snippet == "" {
					t.Errorf("%q has no snippet", r.Answer)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Library(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func testReportMonthsGap(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 15, 0, 0, 0, time.UTC) }
	addSession(t, s, "Jan", "webinar", day(1, 31), time.Hour, nil, store.Speaker{UserID: "U1"})
	addSession(t, s, "Apr", "workshop", day(4, 1), time.Hour, nil, store.Speaker{UserID: "U1"})
	r, err := s.Report(ctx, store.ReportQuery{From: day(1, 1), To: day(5, 1), Now: day(6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range r.Months {
		got = append(got, m.Start.Format("2006-01")+":"+string(rune('0'+m.Held)))
	}
	if want := "2026-01:1 2026-02:0 2026-03:0 2026-04:1"; strings.Join(got, " ") != want {
		t.Errorf("months = %v, want %s", got, want)
	}
}

// testReportMonthsZone counts sessions in the calendar months of the
// query's zone: late on the last evening of a month in Santiago is
// already the next month in UTC, and the months start at local midnight,
// across the April change from summer time.
func testReportMonthsZone(t *testing.T, s store.Store) {
	ctx := context.Background()
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	local := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, santiago) }
	jan := addSession(t, s, "Last evening of January", "webinar", local(1, 31, 22, 0), time.Hour, nil) // 01:00 UTC on 1 February
	addSession(t, s, "Last evening of March", "workshop", local(3, 31, 23, 30), 20*time.Minute, nil)   // 02:30 UTC on 1 April
	addSession(t, s, "First night of May", "webinar", local(5, 1, 0, 30), time.Hour, nil)              // 04:30 UTC, after the April change
	saveAnswer(t, s, jan.ID, "U1", 0, "x", jan.End().Add(time.Hour))

	q := store.ReportQuery{From: local(1, 1, 0, 0), To: local(6, 1, 0, 0), Now: local(6, 1, 0, 0), Location: santiago}
	r, err := s.Report(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range r.Months {
		if m.Start.Location() != santiago || m.Start.Hour() != 0 || m.Start.Day() != 1 {
			t.Errorf("month starts %v, want local midnight on the 1st in %v", m.Start, santiago)
		}
		got = append(got, fmt.Sprintf("%s:%d/%d", m.Start.Format("2006-01"), m.Held, m.Captured))
	}
	if want := "2026-01:1/1 2026-02:0/0 2026-03:1/0 2026-04:0/0 2026-05:1/0"; strings.Join(got, " ") != want {
		t.Errorf("months in Santiago = %v, want %s", got, want)
	}

	// The same sessions in UTC fall in the months UTC reads.
	q.Location = nil
	r, err = s.Report(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, m := range r.Months {
		got = append(got, fmt.Sprintf("%s:%d", m.Start.Format("2006-01"), m.Held))
	}
	if want := "2026-02:1 2026-03:0 2026-04:1 2026-05:1"; strings.Join(got, " ") != want {
		t.Errorf("months in UTC = %v, want %s", got, want)
	}
}
