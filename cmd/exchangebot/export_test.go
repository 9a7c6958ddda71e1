package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

func TestExportLessons(t *testing.T) {
	db := testDatabase(t, t.TempDir(), "x.db")
	cfg := writeFile(t, "database: "+strconv.Quote(db)+"\n")
	ctx := context.Background()
	st := openTestStore(t, db)
	start := time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC)
	err := st.Update(ctx, func(tx store.Tx) error {
		s := &store.Session{Title: "Youth, employment", Kind: "webinar", Start: start, Duration: time.Hour, TZ: "UTC", Creator: "U1", Created: start, Updated: start}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		_, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: s.ID, UserID: "UA", Question: "What worked well?", Answer: "Line one,\n\"two\""}, start.Add(2*time.Hour))
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		args []string
		code int
		want string // in stdout, or stderr when the code is not 0
	}{
		{[]string{"export", "lessons", "-config", cfg, "-format", "csv"}, 0, "session_id,session_title"},
		{[]string{"export", "-config", cfg, "-format", "json", "lessons"}, 0, `"answer": "Line one,\n\"two\""`},
		{[]string{"export", "lessons", "-config", cfg}, 0, "## #1 Youth, employment"},
		{[]string{"export", "-config", cfg}, 1, "usage: exchangebot export lessons"},
		{[]string{"export", "sessions", "-config", cfg}, 1, "usage: exchangebot export lessons"},
		{[]string{"export", "lessons", "-config", cfg, "-format", "xml"}, 1, "-format must be md, csv or json"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			out := stdout.String()
			if code != 0 {
				out = stderr.String()
			}
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d; output:\n%s%s", code, tt.code, stdout.String(), stderr.String())
			}
			if tt.args[len(tt.args)-1] == "csv" {
				records, err := csv.NewReader(&stdout).ReadAll()
				if err != nil || len(records) != 2 || records[1][1] != "Youth, employment" || records[1][7] != "Line one,\n\"two\"" {
					t.Errorf("csv = %q, %v", records, err)
				}
			}
		})
	}
}

func TestExportEvaluations(t *testing.T) {
	db := testDatabase(t, t.TempDir(), "x.db")
	cfg := writeFile(t, "database: "+strconv.Quote(db)+"\n")
	ctx := context.Background()
	st := openTestStore(t, db)
	start := time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC)
	err := st.Update(ctx, func(tx store.Tx) error {
		s := &store.Session{Title: "Youth, employment", Kind: "webinar", Start: start, Duration: time.Hour, TZ: "UTC", Creator: "U1",
			Created: start, Updated: start, Partners: []string{"FISDL"}}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		if _, err := tx.AskEvaluation(ctx, s.ID, "P1", start.Add(90*time.Minute)); err != nil {
			return err
		}
		rating, plan := 5, "@mention the team,\n\"then\" share"
		return tx.ChangeEvaluation(ctx, s.ID, "P1", store.EvaluationChange{Rating: &rating, Plan: &plan}, start.Add(2*time.Hour))
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"export", "evaluations", "-config", cfg}, &stdout, &stderr); code != 0 {
		t.Fatalf("csv export: %d %s", code, stderr.String())
	}
	records, err := csv.NewReader(&stdout).ReadAll()
	if err != nil || len(records) != 2 {
		t.Fatalf("csv = %q, %v", records, err)
	}
	if r := records[1]; r[1] != "Youth, employment" || r[4] != "FISDL" || r[5] != "P1" || r[7] != "5" || r[9] != "'@mention the team,\n\"then\" share" {
		t.Errorf("csv row %q", r)
	}
	stdout.Reset()
	if code := run([]string{"export", "evaluations", "-format", "json", "-config", cfg}, &stdout, &stderr); code != 0 {
		t.Fatalf("json export: %d %s", code, stderr.String())
	}
	var rows []exchange.ExportedEvaluation
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("json = %s, %v", stdout.String(), err)
	}
	if r := rows[0]; r.Plan != "@mention the team,\n\"then\" share" || r.Rating != 5 || r.RatedAt != "2026-01-10T17:00:00Z" || r.Partners[0] != "FISDL" {
		t.Errorf("json row %+v", r)
	}
	stderr.Reset()
	if code := run([]string{"export", "evaluations", "-config", cfg, "-format", "md"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "-format must be csv or json") {
		t.Errorf("md for evaluations: %d %s", code, stderr.String())
	}
}
