package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
)

func signed(body string, ts time.Time) http.Header {
	h := slackfake.Sign(e2eSecret, body, ts)
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return h
}

var triggerSeq struct {
	sync.Mutex
	n int
}

func commandBody(user, text string) string {
	triggerSeq.Lock()
	triggerSeq.n++
	n := triggerSeq.n
	triggerSeq.Unlock()
	return url.Values{
		"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user}, "command": {"/exchange"},
		"text": {text}, "response_url": {"https://hooks.slack.com/commands/T1/1/abc"},
		"trigger_id": {fmt.Sprintf("%d.%d.e2e", time.Now().UnixNano(), n)},
	}.Encode()
}

func postSigned(t testing.TB, client *http.Client, target, body string, h http.Header) (int, string) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *proc) command(user, text string) (int, string) {
	p.t.Helper()
	body := commandBody(user, text)
	return postSigned(p.t, http.DefaultClient, "http://"+p.addr+"/slack/commands", body, signed(body, time.Now()))
}

// postEvent posts a signed Events API callback carrying event.
func postEvent(t *testing.T, addr, id string, event map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": id, "event_time": time.Now().Unix(), "event": event})
	h := slackfake.Sign(e2eSecret, string(body), time.Now())
	h.Set("Content-Type", "application/json")
	if code, reply := postSigned(t, http.DefaultClient, "http://"+addr+"/slack/events", string(body), h); code != 200 {
		t.Fatalf("event %s: %d %s", id, code, reply)
	}
}

// postInteraction posts a signed interaction payload; retry > 0 marks it
// as Slack's redelivery.
func postInteraction(t *testing.T, addr, payload string, retry int) (int, string) {
	t.Helper()
	body := url.Values{"payload": {payload}}.Encode()
	h := signed(body, time.Now())
	if retry > 0 {
		h.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		h.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return postSigned(t, http.DefaultClient, "http://"+addr+"/slack/interactivity", body, h)
}

// waitCalls polls the fake until n calls of method arrived.
func waitCalls(t *testing.T, fake *slackfake.Server, method string, n int) []slackfake.Call {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		calls := fake.Calls(method)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s calls after 30 s, want %d: %+v", len(calls), method, n, fake.Calls())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCall polls the fake until a call of method matches, and returns
// it. For calls whose order is not the product's to keep: a refresh of
// the announcement owed by a join or by the scheduling goes at the end of
// its coalescing window, before or after a change made meanwhile.
func waitCall(t *testing.T, fake *slackfake.Server, method, what string, match func(slackfake.Call) bool) slackfake.Call {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, c := range fake.Calls(method) {
			if match(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30 s (%s): %+v", what, method, fake.Calls(method))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
