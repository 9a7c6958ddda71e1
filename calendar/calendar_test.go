package calendar

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// t0 is the tests' "now": a Monday noon, UTC.
var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

const testBase = "https://bot.example.org"

// clock is a movable now, safe to read from the server's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// feedServer is a store in t.TempDir() behind a real HTTP server.
type feedServer struct {
	t     testing.TB
	st    store.Store
	h     *Handler
	srv   *httptest.Server
	clock *clock
}

// slackLink is how the Slack surface links announcements (bot.Permalink,
// which this package must not import).
func slackLink(channel, ts string) string {
	return "https://slack.com/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
}

func newFeedServer(t testing.TB, opts Options) *feedServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t0}
	if opts.BaseURL == "" {
		opts.BaseURL = testBase
	}
	if opts.Name == "" {
		opts.Name = "Exchanges"
	}
	opts.Now = c.Now
	if opts.AnnouncementLink == nil {
		opts.AnnouncementLink = slackLink
	}
	h := NewHandler(st, opts)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &feedServer{t: t, st: st, h: h, srv: srv, clock: c}
}

// update runs fn as one store transaction, failing the test on error.
func (fs *feedServer) update(fn func(ctx context.Context, tx store.Tx) error) {
	fs.t.Helper()
	ctx := context.Background()
	if err := fs.st.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		fs.t.Fatal(err)
	}
}

// create stores s, stamped with the clock, and returns its id.
func (fs *feedServer) create(s store.Session) int64 {
	fs.t.Helper()
	now := fs.clock.Now()
	if s.Created.IsZero() {
		s.Created, s.Updated = now, now
	}
	if s.Kind == "" {
		s.Kind = "webinar"
	}
	if s.Duration == 0 {
		s.Duration = time.Hour
	}
	if s.TZ == "" {
		s.TZ = "Europe/Madrid"
	}
	if s.Creator == "" {
		s.Creator = "U0"
	}
	fs.update(func(ctx context.Context, tx store.Tx) error { return tx.CreateSession(ctx, &s) })
	return s.ID
}

func (fs *feedServer) token(user string) string {
	fs.t.Helper()
	var tok string
	fs.update(func(ctx context.Context, tx store.Tx) (err error) {
		tok, err = tx.RotateFeedToken(ctx, user, fs.clock.Now())
		return err
	})
	return tok
}

// get requests path with header pairs ("If-None-Match", `"x"`, …).
func (fs *feedServer) get(path string, header ...string) (*http.Response, string) {
	return fs.do(http.MethodGet, path, header...)
}

func (fs *feedServer) do(method, path string, header ...string) (*http.Response, string) {
	fs.t.Helper()
	req, err := http.NewRequest(method, fs.srv.URL+path, nil)
	if err != nil {
		fs.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := fs.srv.Client().Do(req)
	if err != nil {
		fs.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fs.t.Fatal(err)
	}
	return resp, string(body)
}

// feed fetches path, expects a 200 calendar, checks its framing and parses
// it with an independent parser.
func (fs *feedServer) feed(path string) (string, *ics.Calendar) {
	fs.t.Helper()
	resp, body := fs.get(path)
	if resp.StatusCode != http.StatusOK {
		fs.t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		fs.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return body, parseFeed(fs.t, body)
}

// parseFeed checks RFC 5545 framing (CRLF everywhere, 75-octet lines) and
// parses body with github.com/arran4/golang-ical.
func parseFeed(t testing.TB, body string) *ics.Calendar {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Errorf("feed does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the feed: %v\n%s", err, body)
	}
	return cal
}

// event finds the event for session id.
func event(t *testing.T, cal *ics.Calendar, id int64) *ics.VEvent {
	t.Helper()
	uid := uidOf(id)
	for _, ev := range cal.Events() {
		if ev.Id() == uid {
			return ev
		}
	}
	t.Fatalf("no event %s in the feed", uid)
	return nil
}

func uidOf(id int64) string {
	return "session-" + strconv.FormatInt(id, 10) + "@bot.example.org"
}

// uids lists the feed's event UIDs in order.
func uids(cal *ics.Calendar) []string {
	var out []string
	for _, ev := range cal.Events() {
		out = append(out, ev.Id())
	}
	return out
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if pr := ev.GetProperty(p); pr != nil {
		return pr.Value
	}
	return ""
}
