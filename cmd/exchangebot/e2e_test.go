package main

// End-to-end tests on the built binary: a real process, a real SQLite
// file, real HTTP, and the recording fake Slack.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

func TestEndToEnd(t *testing.T) {
	p, fake := startWithFake(t)
	dir, cfg, addr := p.dir, p.cfg, p.addr

	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 6).Format("2006-01-02")
	start := time.Now()
	code, body := p.command("U1", `new "Youth employment" `+date+` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("new answered after %s", took)
	}
	if code != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "#1") {
		t.Fatalf("new: %d %s", code, body)
	}
	post := waitCalls(t, fake, "chat.postMessage", 1)[0]
	blocks := post.Blocks()
	if post.Form.Get("channel") != "C1" || !strings.Contains(blocks, `"action_id":"join"`) || !strings.Contains(blocks, "<!date^") {
		t.Fatalf("announcement: channel %s blocks %s", post.Form.Get("channel"), blocks)
	}
	annTS := fake.Messages()[0].TS

	if _, body := p.command("U3", "list"); !strings.Contains(body, "#1") || !strings.Contains(body, "Youth employment") {
		t.Errorf("list: %s", body)
	}
	if _, body := p.command("U3", "show 1"); !strings.Contains(body, "FISDL El Salvador") {
		t.Errorf("show: %s", body)
	}

	newDate := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 7).Format("2006-01-02")
	if _, body := p.command("U1", "move 1 "+newDate+" 16:00"); !strings.Contains(body, "Moved") {
		t.Fatalf("move: %s", body)
	}
	posts := waitCalls(t, fake, "chat.postMessage", 2)
	if posts[1].Form.Get("thread_ts") != annTS || !strings.Contains(posts[1].Form.Get("text"), "Moved") {
		t.Errorf("move thread post: %+v", posts[1].Form)
	}
	upd := waitCalls(t, fake, "chat.update", 1)
	if upd[0].Form.Get("ts") != annTS {
		t.Errorf("move update: %+v", upd[0].Form)
	}

	// Join from the button, then from the command.
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":"U4"},"channel":{"id":"C1"},"trigger_id":"btn-%d",
		"actions":[{"type":"button","action_id":"join","block_id":"session_1","value":"1","action_ts":"1"}]}`, time.Now().UnixNano())
	form := url.Values{"payload": {payload}}.Encode()
	if code, _ := postSigned(t, http.DefaultClient, "http://"+addr+"/slack/interactivity", form, signed(form, time.Now())); code != 200 {
		t.Fatalf("button: %d", code)
	}
	eph := waitCalls(t, fake, "chat.postEphemeral", 1)
	if !strings.Contains(eph[0].Form.Get("text"), "You joined") || eph[0].Form.Get("user") != "U4" {
		t.Errorf("button reply: %+v", eph[0].Form)
	}
	if _, body := p.command("U5", "join 1"); !strings.Contains(body, "You joined") {
		t.Errorf("join command: %s", body)
	}

	if _, body := p.command("U1", "cancel 1 speaker ill"); !strings.Contains(body, "Cancelled") {
		t.Fatalf("cancel: %s", body)
	}
	posts = waitCalls(t, fake, "chat.postMessage", 3)
	if posts[2].Form.Get("thread_ts") != annTS || !strings.Contains(posts[2].Form.Get("text"), "speaker ill") {
		t.Errorf("cancel thread post: %+v", posts[2].Form)
	}
	// The refreshes the scheduling and the joins owe may go before the
	// cancel's update or after it (then showing it cancelled too).
	waitCall(t, fake, "chat.update", "update showing the session cancelled", func(c slackfake.Call) bool {
		return c.Form.Get("ts") == annTS && strings.Contains(c.Blocks(), "Cancelled")
	})

	// Metrics count what happened.
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`exchangebot_commands_total{command="new",outcome="ok"} 1`, `exchangebot_slack_api_calls_total{method="chat.postMessage",outcome="ok"}`, `exchangebot_http_request_duration_seconds_bucket{route="commands"`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	if code := p.stop(); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d\n%s", code, p.log)
	}
	if strings.Contains(p.log.String(), e2eSecret) || strings.Contains(p.log.String(), "xoxb-e2e") {
		t.Error("a secret reached the log")
	}

	// A restart keeps everything and does not migrate again.
	p2 := startServe(t, dir, cfg, addr)
	if _, body := p2.command("U3", "show 1"); !strings.Contains(body, "Youth employment") || !strings.Contains(body, "Cancelled") {
		t.Errorf("after restart: %s", body)
	}
	if code := p2.stop(); code != 0 {
		t.Fatalf("second exit code = %d", code)
	}
	st := openTestStore(t, databaseOf(t, cfg))
	if sq, ok := st.(*sqlite.Store); ok {
		var version int
		sq.DB().QueryRow("PRAGMA user_version").Scan(&version)
		if version != sqlite.SchemaVersion() {
			t.Errorf("user_version %d, want %d", version, sqlite.SchemaVersion())
		}
	}
	s, err := st.Session(context.Background(), 1)
	if err != nil || len(s.Participants) != 2 || s.Sequence != 2 {
		t.Errorf("session after restart: %+v %v", s, err)
	}
}
