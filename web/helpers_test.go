package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is the tests' present: Monday 2 March 2026, 12:00 UTC.
var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

type testWeb struct {
	t     testing.TB
	st    store.Store
	svc   *exchange.Service
	clock *clock
	slack *slackfake.Server
	srv   *httptest.Server
	web   *Server
}

// newTestWeb serves the pages on a real SQLite store, with Sign in with
// Slack against the fake (client "cid"/"csecret", workspace T1).
func newTestWeb(t testing.TB, mutate ...func(*Options)) *testWeb {
	t.Helper()
	return newTestWebPolicy(t, nil, mutate...)
}

// newTestWebPolicy is newTestWeb with policy changing the service's
// policy (nil leaves it).
func newTestWebPolicy(t testing.TB, policy func(*exchange.Policy), mutate ...func(*Options)) *testWeb {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t0}
	loc, _ := time.LoadLocation("America/Santiago")
	pol := exchange.Policy{
		Location: loc, Language: "en",
		Lessons: exchange.Lessons{PromptAfter: 15 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour,
			Questions: []string{"What worked well?", "What would you do differently?"},
			ByLang:    map[string][]string{"es": {"¿Qué funcionó bien?", "¿Qué harías distinto?"}}},
	}
	if policy != nil {
		policy(&pol)
	}
	svc := exchange.New(exchange.Options{Store: st, Now: c.Now, Policy: pol})
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	tw := &testWeb{t: t, st: st, svc: svc, clock: c, slack: fake}
	var handler http.Handler
	tw.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(tw.srv.Close)
	o := Options{
		Service: svc, BaseURL: tw.srv.URL, Language: i18n.English, FeedsPublic: true,
		ClientID: "cid", ClientSecret: "csecret", SessionKey: []byte(strings.Repeat("k", 32)),
		SlackAPIURL: fake.APIURL(), AuthorizeURL: fake.AuthorizeURL(),
		TeamID: func(context.Context) (string, error) { return "T1", nil },
		Now:    c.Now, Log: discardLog(),
	}
	for _, m := range mutate {
		m(&o)
	}
	if tw.web, err = New(o); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	tw.web.Register(mux)
	handler = mux
	return tw
}

// browser is a client with its own cookies that does not follow redirects.
func (tw *testWeb) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (tw *testWeb) get(c *http.Client, path string, header ...string) (int, string, http.Header) {
	tw.t.Helper()
	req, _ := http.NewRequest("GET", tw.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		tw.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func (tw *testWeb) post(c *http.Client, path string, form url.Values) (int, string) {
	tw.t.Helper()
	res, err := c.PostForm(tw.srv.URL+path, form)
	if err != nil {
		tw.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func csrf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return m[1]
}

// signIn goes through Sign in with Slack as who, following the trip to
// the fake's authorize page and back.
func (tw *testWeb) signIn(c *http.Client, who slackfake.Identity) int {
	tw.t.Helper()
	status, _ := tw.signInHeader(c, who)
	return status
}

// signInHeader is signIn that also returns the callback's headers.
func (tw *testWeb) signInHeader(c *http.Client, who slackfake.Identity) (int, http.Header) {
	tw.t.Helper()
	code := "code-" + who.UserID + who.TeamID
	tw.slack.AddIdentity(code, who)
	tw.slack.SignInAs(code)
	status, _, h := tw.get(c, "/login?next=/report")
	if status != http.StatusFound {
		tw.t.Fatalf("/login = %d", status)
	}
	res, err := c.Get(h.Get("Location")) // the fake answers at once with the code
	if err != nil {
		tw.t.Fatal(err)
	}
	res.Body.Close()
	back := res.Header.Get("Location")
	u, _ := url.Parse(back)
	status, _, h = tw.get(c, u.RequestURI())
	return status, h
}

func (tw *testWeb) schedule(title string, start time.Time, lang string, partners []string, speakers ...store.Speaker) *store.Session {
	tw.t.Helper()
	sess, err := tw.svc.Schedule(context.Background(), exchange.Actor{UserID: "U1"}, exchange.Draft{
		Title: title, Start: start, Lang: lang, Partners: partners, Speakers: speakers, Kind: "exchange",
	})
	if err != nil {
		tw.t.Fatal(err)
	}
	return sess
}
