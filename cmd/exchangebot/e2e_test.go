package main

// End-to-end tests on the built binary: a real process, a real SQLite
// file, real HTTP, and the recording fake Slack.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

const e2eSecret = "e2e-signing-secret"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/exchangebot once per test run. EXCHANGEBOT_TEST_BINARY
// runs the tests against another build instead (an older version, for a
// baseline in BENCHMARKS.md).
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if bin := os.Getenv("EXCHANGEBOT_TEST_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "exchangebot-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "exchangebot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t *testing.T) string {
	t.Helper()
	// The port is free only until someone binds it, and a test may leave
	// its port unbound for a while (a binary starting, or restarting after
	// a kill): never hand the same port to two tests of this process.
	portsGiven.Lock()
	defer portsGiven.Unlock()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if !portsGiven.m[addr] {
			portsGiven.m[addr] = true
			return addr
		}
	}
}

var portsGiven = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

// startedLine is what the binary logs once it listens, its SIGTERM
// handler already in place.
const startedLine = `msg="exchangebot started"`

// waitServing waits until the process writing log has logged its n-th
// start (it logs it once it holds its port) and /healthz answers at addr.
// /healthz alone is not enough: another process may hold a port freePort
// handed out (it is free only until bound), and a SIGTERM sent to a
// binary still starting kills it before its handler is in place
// ("signal: terminated").
func waitServing(t *testing.T, log func() string, n int, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if strings.Count(log(), startedLine) >= n {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("exchangebot did not come up on %s within 30 s:\n%s", addr, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// proc is a running exchangebot.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex // guards log while the process writes it
	log  *bytes.Buffer
	dir  string
	cfg  string
}

// syncBuffer is a process's output, read while it runs. The buffer is
// not embedded: its ReadFrom would be promoted, and os/exec would write
// through it without the lock.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeConfig writes a config file for a test run and returns its path.
func writeConfig(t *testing.T, dir, addr, apiURL, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`listen: %q
base_url: "http://%s"
database: %q
slack:
  bot_token: "xoxb-e2e"
  signing_secret: %q
  api_url: %q
scheduler:
  tick: "@every 1s"
%s`, addr, addr, testDatabase(t, dir, "e2e.db"), e2eSecret, apiURL, extra)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startServe(t *testing.T, dir, cfgPath, addr string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "-config", cfgPath)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	p := &proc{t: t, cmd: cmd, addr: addr, log: &bytes.Buffer{}, dir: dir, cfg: cfgPath}
	w := writerFunc(func(b []byte) (int, error) { p.mu.Lock(); defer p.mu.Unlock(); return p.log.Write(b) })
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	waitServing(t, p.logText, 1, addr)
	return p
}

// startWithFake starts the binary in a fresh directory, talking to a new
// recording fake Slack.
func startWithFake(t *testing.T) (*proc, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	return startServe(t, dir, writeConfig(t, dir, addr, fake.APIURL(), ""), addr), fake
}

// logContains reads the log while the process runs.
func (p *proc) logContains(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.log.String(), s)
}

// logText reads the log while the process runs.
func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// cleanEnv drops Slack secrets from the environment so a developer's own
// tokens never leak into a test run.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLACK_") {
			env = append(env, kv)
		}
	}
	return env
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/healthz never answered", base)
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop() int {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		p.t.Fatal("no exit 20 s after SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

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

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A fresh directory, no config, no token: the bot starts offline on
// defaults, creates exchangebot.db there and answers /healthz on :8080.
func TestStartsOfflineOnDefaults(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	if ln, err := net.Listen("tcp", ":8080"); err != nil {
		t.Skip("port 8080 is busy here")
	} else {
		ln.Close()
	}
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	waitServing(t, out.String, 1, "127.0.0.1:8080")
	if _, err := os.Stat(filepath.Join(dir, "exchangebot.db")); err != nil {
		t.Fatalf("no database in the working directory: %v", err)
	}
	// Scheduling from the CLI works offline and the feed shows it.
	run := exec.Command(bin, "run", "-as", "U1", "-channel", "C1", `new "Try-out" tomorrow 15:00`)
	run.Dir, run.Env = dir, cleanEnv()
	reply, err := run.Output()
	if err != nil || !strings.Contains(string(reply), "#1") {
		t.Fatalf("run: %v %s", err, reply)
	}
	resp, err := http.Get("http://127.0.0.1:8080/calendar/all.ics")
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(ics), "SUMMARY:Try-out") {
		t.Errorf("feed lacks the session:\n%s", ics)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "offline") {
		t.Errorf("log does not say offline:\n%s", out.String())
	}
}

// Offline, `run` answers on stdout and leaves the announcement queued;
// the server, offline too, then writes it to its log.
func TestRunOfflineQueuesForTheServer(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	db := testDatabase(t, dir, "exchangebot.db")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("listen: %q\ndatabase: %q\nscheduler:\n  tick: \"@every 1s\"\n", addr, db)), 0o600)
	run := exec.Command(bin, "run", "-as", "U1", "-channel", "C9", `new "Offline" tomorrow 9am`)
	run.Dir, run.Env = dir, cleanEnv()
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatal(err, stderr.String())
	}
	// The terminal shows what a person reads: no mrkdwn, no date tokens.
	if out := stdout.String(); !strings.Contains(out, "Scheduled #1 Offline for ") || strings.ContainsAny(out, "*<>") {
		t.Errorf("stdout: %s", out)
	}
	if strings.Contains(stderr.String(), "chat.postMessage") || !strings.Contains(stderr.String(), "queued") {
		t.Errorf("offline run delivered instead of queueing: %s", stderr.String())
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := st.Deliveries(context.Background(), 1)
	st.Close()
	if len(rows) == 0 || rows[0].Kind != "announce" || rows[0].State != store.StatePending {
		t.Fatalf("announcement row after offline run: %+v", rows)
	}

	p := startServe(t, dir, cfgPath, addr)
	deadline := time.Now().Add(30 * time.Second)
	for !p.logContains("chat.postMessage") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(p.log.String(), "chat.postMessage") || !strings.Contains(p.log.String(), "channel=C9") {
		t.Errorf("the offline server did not log the queued announcement:\n%s", p.log.String())
	}
}

func TestBackupSubcommand(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	for _, args := range [][]string{{"run", `new "To back up" tomorrow 10:00`}, {"backup", "copy.db"}} {
		c := exec.Command(bin, args...)
		c.Dir, c.Env = dir, cleanEnv()
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Session(context.Background(), 1)
	if err != nil || s.Title != "To back up" {
		t.Fatalf("backup copy: %+v %v", s, err)
	}
	c := exec.Command(bin, "backup", "copy.db")
	c.Dir, c.Env = dir, cleanEnv()
	if out, err := c.CombinedOutput(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Errorf("backup over an existing file: %v %s", err, out)
	}
}

func TestBadConfigStopsStart(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte("timezone: Mars/Olympus\n"), 0o600)
	c := exec.Command(bin, "serve", "-config", path)
	c.Env = cleanEnv()
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "timezone") {
		t.Fatalf("bad config: %v %s", err, out)
	}
}

func TestManifest(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:9", "", "")
	c := exec.Command(bin, "manifest", "-config", cfg)
	c.Env = cleanEnv()
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab bool `json:"home_tab_enabled"`
			} `json:"app_home"`
			SlashCommands []struct {
				Command      string `json:"command"`
				URL          string `json:"url"`
				UsageHint    string `json:"usage_hint"`
				ShouldEscape bool   `json:"should_escape"`
			} `json:"slash_commands"`
		} `json:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `json:"bot"`
			} `json:"scopes"`
		} `json:"oauth_config"`
		Settings struct {
			Interactivity struct {
				RequestURL string `json:"request_url"`
			} `json:"interactivity"`
			Events struct {
				RequestURL string   `json:"request_url"`
				BotEvents  []string `json:"bot_events"`
			} `json:"event_subscriptions"`
			Socket bool `json:"socket_mode_enabled"`
		} `json:"settings"`
	}
	if err := yamlToJSON(out, &m); err != nil {
		t.Fatalf("manifest is not YAML: %v\n%s", err, out)
	}
	sc := m.Features.SlashCommands
	if len(sc) != 1 || sc[0].Command != "/exchange" || !sc[0].ShouldEscape || sc[0].UsageHint == "" || sc[0].URL != "http://127.0.0.1:9/slack/commands" {
		t.Errorf("slash command: %+v", sc)
	}
	if m.Settings.Interactivity.RequestURL != "http://127.0.0.1:9/slack/interactivity" || m.Settings.Events.RequestURL != "http://127.0.0.1:9/slack/events" || m.Settings.Socket {
		t.Errorf("settings: %+v", m.Settings)
	}
	if strings.Join(m.OAuth.Scopes.Bot, ",") != strings.Join(botScopes, ",") {
		t.Errorf("scopes: %v", m.OAuth.Scopes.Bot)
	}
	// Announcements reach public channels the bot was never invited to;
	// private ones are checked when scheduling.
	for _, want := range []string{"chat:write.public", "channels:read", "groups:read"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, want) {
			t.Errorf("scopes lack %s: %v", want, m.OAuth.Scopes.Bot)
		}
	}
	if !m.Features.AppHome.HomeTab || !slices.Contains(m.Settings.Events.BotEvents, "app_home_opened") || !slices.Contains(m.Settings.Events.BotEvents, "message.im") {
		t.Errorf("App Home: tab %v, events %v", m.Features.AppHome.HomeTab, m.Settings.Events.BotEvents)
	}

	c = exec.Command(bin, "manifest", "-config", cfg)
	c.Env = append(cleanEnv(), "SLACK_APP_TOKEN=xapp-1-test")
	out, err = c.Output()
	if err != nil {
		t.Fatal(err)
	}
	m.Settings.Socket = false
	if err := yamlToJSON(out, &m); err != nil || !m.Settings.Socket {
		t.Errorf("with an app token, socket_mode_enabled should be true: %s", out)
	}
	if strings.Contains(string(out), "xapp-1-test") {
		t.Error("the manifest leaks the app token")
	}
}

// yamlToJSON decodes YAML into v through JSON tags.
func yamlToJSON(b []byte, v any) error {
	var generic any
	if err := yaml.Unmarshal(b, &generic); err != nil {
		return err
	}
	j, err := json.Marshal(generic)
	if err != nil {
		return err
	}
	return json.Unmarshal(j, v)
}

// The calendar side on the binary: `feed` gives a working personal link,
// `join` and `move` show in it, `feed reset` kills the old link, and a
// conditional GET of an unchanged feed is a 304.
func TestFeedsOnTheBinary(t *testing.T) {
	bin := binary(t)
	p, _ := startWithFake(t)
	dir, cfg, base := p.dir, p.cfg, "http://"+p.addr

	day := func(n int) string {
		return time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, n).Format("2006-01-02")
	}
	p.command("U1", `new "Cash transfers, lessons; from Perú 🇵🇪" `+day(5)+` 15:00 <#C1|general>`)
	p.command("U1", `new "Not mine" `+day(6)+` 10:00 <#C1|general>`)
	p.command("U3", "join 1")

	runCLI := func(args ...string) string {
		c := exec.Command(bin, append([]string{"run", "-config", cfg}, args...)...)
		c.Dir, c.Env = dir, cleanEnv()
		out, err := c.Output()
		if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return string(out)
	}
	reply := runCLI("-as", "U3", "feed")
	_, rest, _ := strings.Cut(reply, "/calendar/u/")
	token, _, _ := strings.Cut(rest, ".ics")
	link := base + "/calendar/u/" + token + ".ics"
	get := func(url string, header ...string) (int, string, http.Header) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, hdr := get(link)
	if code != 200 || !strings.Contains(body, "SUMMARY:Cash transfers\\, lessons\\; from Perú 🇵🇪") || strings.Contains(body, "Not mine") {
		t.Fatalf("personal feed %d:\n%s", code, body)
	}
	if hdr.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(body, "SEQUENCE:0") {
		t.Errorf("headers %v, body %s", hdr, body)
	}
	if code, body, _ := get(link, "If-None-Match", hdr.Get("ETag")); code != http.StatusNotModified || body != "" {
		t.Errorf("conditional GET: %d %q", code, body)
	}

	p.command("U1", "move 1 "+day(7)+" 16:00")
	code, body, hdr2 := get(link, "If-None-Match", hdr.Get("ETag"))
	if code != 200 || !strings.Contains(body, "SEQUENCE:1") || hdr2.Get("ETag") == hdr.Get("ETag") {
		t.Errorf("after move: %d etag %s\n%s", code, hdr2.Get("ETag"), body)
	}

	runCLI("-as", "U3", "feed", "reset")
	if code, _, _ := get(link); code != http.StatusNotFound {
		t.Errorf("rotated-away link: %d, want 404", code)
	}
	if code, _, _ := get(base + "/calendar/u/not-a-token.ics"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", code)
	}
	if code, body, _ := get(base + "/calendar/session/1.ics"); code != 200 || !strings.Contains(body, "BEGIN:VEVENT") {
		t.Errorf("session feed: %d", code)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
