package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/store"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := readFixtureBytes(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readFixtureBytes(name string) ([]byte, error) { return os.ReadFile("testdata/" + name) }

// Slack's published example must verify with the clock at its timestamp.
// synctest's fake clock lets slack-go's own time check see 2018.
func TestSignatureFixture(t *testing.T) {
	var fx struct {
		SigningSecret string `json:"signing_secret"`
		Timestamp     string `json:"timestamp"`
		Body          string `json:"body"`
		Signature     string `json:"signature"`
	}
	if err := json.Unmarshal([]byte(readFixture(t, "slack-signature.json")), &fx); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		var ts int64
		fmt.Sscan(fx.Timestamp, &ts)
		time.Sleep(time.Until(time.Unix(ts, 0)))
		b := New(Options{Config: Config{SigningSecret: fx.SigningSecret}})
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", fx.Timestamp)
		h.Set("X-Slack-Signature", fx.Signature)
		if err := b.verify(h, []byte(fx.Body)); err != nil {
			t.Fatalf("published example rejected: %v", err)
		}
		if err := b.verify(h, []byte(fx.Body+"&x=1")); err == nil {
			t.Fatal("tampered body accepted")
		}
		time.Sleep(6 * time.Minute)
		if err := b.verify(h, []byte(fx.Body)); err == nil {
			t.Fatal("example accepted 6 minutes later")
		}
	})
}

func futureDate(days int) string {
	return time.Now().In(mustLoc("America/Santiago")).AddDate(0, 0, days).Format("2006-01-02")
}

func TestBadSignaturesAreRejected(t *testing.T) {
	e := newTestBot(t)
	body := slashForm("U1", "C1", "new \"Youth employment\" "+futureDate(3)+" 15:00", "trig-1")
	good := sign(body, time.Now(), testSecret)
	tests := []struct {
		name   string
		header http.Header
	}{
		{"missing", http.Header{}},
		{"no signature", http.Header{"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]}},
		{"no timestamp", http.Header{"X-Slack-Signature": good["X-Slack-Signature"]}},
		{"wrong secret", sign(body, time.Now(), "not-the-secret")},
		{"garbage signature", http.Header{"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"], "X-Slack-Signature": {"v0=zz"}}},
		{"signature of another body", sign(body+"x", time.Now(), testSecret)},
		{"six minutes old", sign(body, time.Now().Add(-6*time.Minute), testSecret)},
		{"six minutes ahead", sign(body, time.Now().Add(6*time.Minute), testSecret)},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactivity", "/slack/events"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				code, _ := e.post(path, "application/x-www-form-urlencoded", body, tt.header)
				if code != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", code)
				}
			})
		}
	}
	e.bot.Wait()
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions stored by rejected requests", n)
	}
	if calls := e.slack.Calls(); len(calls) != 0 {
		t.Errorf("rejected requests reached Slack: %v", calls)
	}
	var processed int
	e.store.DB().QueryRow("SELECT COUNT(*) FROM processed").Scan(&processed)
	if processed != 0 {
		t.Errorf("rejected requests marked %d keys processed", processed)
	}
}

func TestMissingSigningSecretRejectsEverything(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.SigningSecret = "" })
	body := slashForm("U1", "C1", "help", "t")
	if code, _ := e.post("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, time.Now(), "")); code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", code)
	}
}

func TestSlashCommandOverHTTP(t *testing.T) {
	e := newTestBot(t)
	text := `new "Youth employment" ` + futureDate(5) + ` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`
	start := time.Now()
	code, body := e.command("U1", text, "trig-http-1")
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("answered after %s; Slack gives up at 3 s", elapsed)
	}
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	var msg slack.Msg
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "#1") {
		t.Fatalf("reply = %+v, want ephemeral naming #1", msg)
	}
	e.deliver()
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" {
		t.Fatalf("posts = %+v, want one to C1", posts)
	}
	blocks := posts[0].Blocks()
	for _, want := range []string{`"action_id":"join"`, "<!date^", "FISDL El Salvador", "<@U2>", "Add to calendar", "/calendar/session/1.ics"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("announcement blocks lack %q: %s", want, blocks)
		}
	}
	if md := posts[0].Form.Get("metadata"); !strings.Contains(md, metadataEvent) {
		t.Errorf("announcement carries no delivery metadata: %q", md)
	}
}

func TestRedeliveredCommandActsOnce(t *testing.T) {
	e := newTestBot(t)
	body := slashForm("U1", "C1", `new "Peer exchange on targeting" `+futureDate(4)+` 10:00`, "trig-dup")
	h := sign(body, time.Now(), testSecret)
	code1, resp1 := e.post("/slack/commands", "application/x-www-form-urlencoded", body, h)
	code2, resp2 := e.post("/slack/commands", "application/x-www-form-urlencoded", body, h)
	if code1 != 200 || code2 != 200 {
		t.Fatalf("statuses %d %d", code1, code2)
	}
	if !strings.Contains(resp1, "#1") || strings.TrimSpace(resp2) != "" {
		t.Errorf("first reply %q, second %q (want empty)", resp1, resp2)
	}
	e.deliver()
	if n := e.sessionCount(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	if posts := e.slack.Calls("chat.postMessage"); len(posts) != 1 {
		t.Errorf("%d announcements, want 1", len(posts))
	}
}

func TestURLVerification(t *testing.T) {
	e := newTestBot(t)
	code, body := e.event(readFixture(t, "event-url-verification.json"))
	if code != 200 || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification answered %d %q", code, body)
	}
}

// An event's change is stored with its event_id: redelivered, the
// handler's change is refused as a duplicate, and the redelivery still
// gets its 200.
func TestRedeliveredEventActsOnce(t *testing.T) {
	e := newTestBot(t)
	var changes atomic.Int32
	e.bot.routes.events["app_home_opened"] = func(b *Bot, ctx context.Context, ev slackevents.EventsAPIInnerEvent) error {
		err := b.store.Update(ctx, func(tx store.Tx) error {
			_, err := tx.RotateFeedToken(ctx, "U1", time.Now())
			return err
		})
		if err == nil {
			changes.Add(1)
		}
		return err
	}
	body := readFixture(t, "event-app-home-opened.json")
	for i := 0; i < 3; i++ {
		if code, _ := e.event(body); code != 200 {
			t.Fatalf("delivery %d: status %d", i, code)
		}
	}
	if n := changes.Load(); n != 1 {
		t.Fatalf("handler changed the store %d times for one event_id, want 1", n)
	}
	// A different event id is a different event.
	if code, _ := e.event(strings.Replace(body, "Ev08MFMKH7", "Ev08OTHER", 1)); code != 200 {
		t.Fatal("second event rejected")
	}
	if n := changes.Load(); n != 2 {
		t.Fatalf("handler changed the store %d times for two events, want 2", n)
	}
}

func TestJoinButton(t *testing.T) {
	e := newTestBot(t)
	if r := e.run("U1", `new "Youth employment: lessons from El Salvador" `+futureDate(2)+` 15:00 <#C1|south-south>`); !strings.Contains(r, "#1") {
		t.Fatal(r)
	}
	e.deliver()
	e.slack.Reset()
	payload := strings.Replace(readFixture(t, "interactivity-block-actions.json"), `"value": "12"`, `"value": "1"`, 1)
	code, _ := e.interaction(payload)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasParticipant("U4") {
		t.Fatalf("U4 not joined: %v", s.Participants)
	}
	eph := e.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U4" || eph[0].Form.Get("channel") != "C1" || !strings.Contains(eph[0].Form.Get("text"), "You joined") {
		t.Fatalf("ephemeral confirmation = %+v", eph)
	}
	// The same press redelivered changes nothing and says nothing.
	e.interaction(payload)
	if n := len(e.slack.Calls("chat.postEphemeral")); n != 1 {
		t.Errorf("%d confirmations after a redelivered press, want 1", n)
	}
	// And the command joins too, telling the user they already had.
	if r := e.run("U4", "join #1"); !strings.Contains(r, "already joined") {
		t.Errorf("join after button: %q", r)
	}
	if r := e.run("U5", "join 1"); !strings.Contains(r, "You joined") {
		t.Errorf("join command: %q", r)
	}
}

func viewSubmission(user string, values map[string]map[string]any, meta string) string {
	state := map[string]map[string]map[string]any{}
	for block, v := range values {
		state[block] = map[string]map[string]any{"v": v}
	}
	b, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-view-%d", time.Now().UnixNano()),
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": callbackNewSession, "private_metadata": meta,
			"state": map[string]any{"values": state},
		},
	})
	return string(b)
}

func TestNewModal(t *testing.T) {
	e := newTestBot(t)
	code, body := e.command("U1", "new", "trig-modal")
	if code != 200 {
		t.Fatalf("status %d %s", code, body)
	}
	views := e.slack.Calls("views.open")
	if len(views) != 1 || views[0].JSON["trigger_id"] != "trig-modal" || views[0].JSON["view"].(map[string]any)["callback_id"] != callbackNewSession {
		t.Fatalf("views.open calls = %+v", views)
	}

	bad := map[string]map[string]any{
		"title":    {"type": "plain_text_input", "value": ""},
		"kind":     {"type": "static_select", "selected_option": map[string]any{"value": "webinar"}},
		"date":     {"type": "datepicker", "selected_date": "2020-01-01"},
		"time":     {"type": "timepicker", "selected_time": "15:00"},
		"tz":       {"type": "static_select", "selected_option": map[string]any{"value": "Mars/Olympus"}},
		"duration": {"type": "static_select", "selected_option": map[string]any{"value": "90"}},
		"link":     {"type": "url_text_input", "value": "ftp://x"},
	}
	code, body = e.interaction(viewSubmission("U1", bad, `{"channel":"C1"}`))
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	json.Unmarshal([]byte(body), &resp)
	if code != 200 || resp.Action != "errors" {
		t.Fatalf("bad submission answered %d %s", code, body)
	}
	for _, field := range []string{"title", "tz", "link"} {
		if resp.Errors[field] == "" {
			t.Errorf("no inline error for %s: %v", field, resp.Errors)
		}
	}
	// Errors in a form are plain words: no command syntax to copy.
	for field, text := range resp.Errors {
		if strings.ContainsAny(text, "`") || strings.Contains(text, "tz:") {
			t.Errorf("%s error quotes command syntax: %q", field, text)
		}
	}
	if e.sessionCount() != 0 {
		t.Fatal("bad submission stored a session")
	}

	bad["title"]["value"] = "Lessons from Uruguay's social fund"
	bad["tz"]["selected_option"] = map[string]any{"value": "America/Montevideo"}
	bad["link"]["value"] = "https://meet.example.org/abc"
	code, body = e.interaction(viewSubmission("U1", bad, `{"channel":"C1"}`))
	json.Unmarshal([]byte(body), &resp)
	if resp.Errors["date"] == "" || !strings.Contains(resp.Errors["date"], "passed") {
		t.Fatalf("past date not flagged: %d %s", code, body)
	}
	bad["date"]["selected_date"] = futureDate(3)
	bad["speakers"] = map[string]any{"type": "multi_users_select", "selected_users": []string{"U2", "U3"}}
	bad["partners"] = map[string]any{"type": "plain_text_input", "value": "Fondo A\n\nFondo B"}
	code, body = e.interaction(viewSubmission("U1", bad, `{"channel":"C1"}`))
	if code != 200 || strings.TrimSpace(body) != "" {
		t.Fatalf("good submission answered %d %q, want an empty 200 that closes the modal", code, body)
	}
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.TZ != "America/Montevideo" || s.Duration != 90*time.Minute || len(s.Speakers) != 2 || len(s.Partners) != 2 || s.Channel != "C1" {
		t.Errorf("stored session = %+v", s)
	}
	if eph := e.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "#1") {
		t.Errorf("confirmation = %+v", eph)
	}
}

func TestHTTPRejectsGarbage(t *testing.T) {
	e := newTestBot(t)
	for path, body := range map[string]string{
		"/slack/interactivity": "payload=%7Bnot-json",
		"/slack/events":        "{not json",
	} {
		code, _ := e.post(path, "application/x-www-form-urlencoded", body, sign(body, time.Now(), testSecret))
		if code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, code)
		}
	}
}
