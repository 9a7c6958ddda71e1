package bot

// Shared test helpers for package bot: a bot on a real SQLite file, a
// recording fake Slack, a movable clock and signed requests through the
// real HTTP handlers. Every test file in this package uses these.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testClock is a clock tests move by hand; the bot never sleeps on it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEnv is a bot wired to a real store, a fake Slack and a test clock.
type testEnv struct {
	t     testing.TB
	bot   *Bot
	store *sqlite.Store
	slack *slackfake.Server
	clock *testClock
	http  *httptest.Server
}

// testConfig is the configuration tests start from.
func testConfig() Config {
	return Config{
		Policy: exchange.Policy{
			Location: mustLoc("America/Santiago"),
			Reminders: exchange.Reminders{
				Before: []time.Duration{24 * time.Hour, time.Hour}, ToChannel: true, ToSpeakers: true, ToParticipants: true,
			},
			Lessons: exchange.Lessons{
				PromptAfter: 15 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour,
				Questions: []string{"What worked well?", "What would you do differently?"},
			},
			FeedsPublic: true,
		},
		BaseURL:       "https://bot.example.org",
		Command:       "/exchange",
		SigningSecret: testSecret,
		Tick:          "@every 15s",
		DigestCron:    "0 9 * * MON",
	}
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// testNow is the default clock: the real present, so signed requests
// (checked by slack-go against the real clock) and the bot agree.
func testNow() time.Time { return time.Now().UTC().Truncate(time.Second) }

// newTestBot builds a bot on a fresh database; change cfg with mutate.
func newTestBot(t testing.TB, mutate ...func(*Config)) *testEnv {
	t.Helper()
	return newTestBotOn(t, nil, mutate...)
}

// newTestBotOn is newTestBot with the bot's store seen through wrap
// (nil: as it is), for tests that watch or hold the bot's writes.
func newTestBotOn(t testing.TB, wrap func(store.Store) store.Store, mutate ...func(*Config)) *testEnv {
	t.Helper()
	cfg := testConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	fake := slackfake.New()
	clock := &testClock{t: testNow()}
	m := NewMetrics(nil)
	var bs store.Store = st
	if wrap != nil {
		bs = wrap(st)
	}
	b := New(Options{
		Store: bs, Slack: NewSlackClient("xoxb-test", fake.APIURL(), m), Log: slog.New(slog.NewTextHandler(testLog(), nil)),
		Now: clock.Now, Config: cfg, Metrics: m,
		// One worker keeps the order of posts fixed, as these tests read
		// them; concurrency is tested in package outbox and on the binary.
		Workers: 1,
	})
	mux := http.NewServeMux()
	b.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		b.Wait()
		fake.Close()
		st.Close()
	})
	return &testEnv{t: t, bot: b, store: st, slack: fake, clock: clock, http: srv}
}

// run executes a command as user in channel C1 and returns the reply text.
func (e *testEnv) run(user, text string) string {
	e.t.Helper()
	r := e.bot.Execute(context.Background(), Request{UserID: user, ChannelID: "C1", Text: text})
	return PlainText(r)
}

// deliver runs the delivery job once at the current test clock.
func (e *testEnv) deliver() {
	e.t.Helper()
	if err := e.bot.DeliverNow(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.bot.Wait()
}

// sign returns Slack's signature headers for body at time ts.
func sign(body string, ts time.Time, secret string) http.Header {
	return slackfake.Sign(secret, body, ts)
}

// post sends a signed request to path and returns status and body.
func (e *testEnv) post(path, contentType, body string, header http.Header) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// slashForm is a slash command body as Slack sends it.
func slashForm(user, channel, text, trigger string) string {
	v := url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {"T1"}, "team_domain": {"example"},
		"channel_id": {channel}, "channel_name": {"south-south"}, "user_id": {user}, "user_name": {"claudia"},
		"command": {"/exchange"}, "text": {text}, "api_app_id": {"A1"},
		"response_url": {"https://hooks.slack.com/commands/T1/1/abc"}, "trigger_id": {trigger},
	}
	return v.Encode()
}

// command sends a signed slash command over HTTP.
func (e *testEnv) command(user, text, trigger string) (int, string) {
	e.t.Helper()
	body := slashForm(user, "C1", text, trigger)
	return e.post("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, time.Now(), testSecret))
}

// event sends a signed Events API body and waits for background work.
func (e *testEnv) event(body string) (int, string) {
	e.t.Helper()
	code, resp := e.post("/slack/events", "application/json", body, sign(body, time.Now(), testSecret))
	e.bot.Wait()
	return code, resp
}

// interaction sends a signed interactivity payload and waits for
// background work.
func (e *testEnv) interaction(payload string) (int, string) {
	e.t.Helper()
	body := url.Values{"payload": {payload}}.Encode()
	code, resp := e.post("/slack/interactivity", "application/x-www-form-urlencoded", body, sign(body, time.Now(), testSecret))
	e.bot.Wait()
	return code, resp
}

// sessionCount is how many sessions the database holds.
func (e *testEnv) sessionCount() int {
	e.t.Helper()
	n, err := e.store.CountSessions(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// metric reads one series from the bot's /metrics as Prometheus serves
// it; 0 when it is not there.
func (e *testEnv) metric(series string) float64 {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.bot.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				e.t.Fatal(err)
			}
			return v
		}
	}
	return 0
}

// testLog is where test bots log: nowhere, unless EXCHANGEBOT_TEST_LOG
// is set (for debugging a test).
func testLog() io.Writer {
	if os.Getenv("EXCHANGEBOT_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// otherProcess is another process on e's database file, e's fake Slack,
// clock and configuration: a replica beside e, or what runs after e's
// process died. workers bounds its deliveries in flight (0: the default).
func (e *testEnv) otherProcess(workers int) *Bot {
	e.t.Helper()
	var file string
	if err := e.store.DB().QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		e.t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), file)
	if err != nil {
		e.t.Fatal(err)
	}
	m := NewMetrics(nil)
	b := New(Options{Store: st, Slack: NewSlackClient("xoxb-test", e.slack.APIURL(), m), Metrics: m, Workers: workers,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now, Config: e.bot.cfg})
	e.t.Cleanup(func() { b.Wait(); st.Close() })
	return b
}

// outboxRows are the rows of kind that st's outbox holds, in every state.
func outboxRows(t testing.TB, st *sqlite.Store, kind string) []store.Delivery {
	t.Helper()
	all, err := st.Deliveries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range all {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}
