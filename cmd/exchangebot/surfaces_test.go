package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// While Slack cannot say which workspace the bot is in, page views do not
// each wait on auth.test: a failure is kept for teamAskAgain; then Slack
// is asked again, and an answer is kept for good.
func TestTeamOfKeepsAFailureForAWhile(t *testing.T) {
	var calls atomic.Int32
	var up atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if !up.Load() {
			w.Write([]byte(`{"ok":false,"error":"service_unavailable"}`))
			return
		}
		w.Write([]byte(`{"ok":true,"team_id":"T1","user_id":"UBOT"}`))
	}))
	defer srv.Close()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	team := teamOf(slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/api/")), func() time.Time { return now })
	ctx := context.Background()
	for range 5 {
		if id, err := team(ctx); err == nil || id != "" {
			t.Fatalf("while Slack fails: %q, %v", id, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d calls to auth.test within %s of a failure, want 1", n, teamAskAgain)
	}
	up.Store(true)
	now = now.Add(teamAskAgain)
	for range 3 {
		if id, err := team(ctx); err != nil || id != "T1" {
			t.Fatalf("once Slack answers: %q, %v", id, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls to auth.test in all, want 2 (one failure, one answer kept)", n)
	}
}
