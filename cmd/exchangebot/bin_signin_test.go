package main

// Sign in with Slack on the built binary: the fake Slack's OpenID Connect
// pages, the staff pages, and forged cookies refused.

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
)

// binSignInClient is a reader's browser without a browser: a cookie jar
// that follows redirects, to the fake Slack's sign-in page and back.
func binSignInClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// binSignInGet fetches target and returns the status, body and where the
// redirects ended.
func binSignInGet(t *testing.T, c *http.Client, target string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL.Path
}

// binSignInCookie is the session cookie c holds for base, or "".
func binSignInCookie(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "xb_session" {
			return ck.Value
		}
	}
	return ""
}

func TestBinSignInWithSlack(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), `staff: ["UANA01"]
web:
  client_id: "cid"
  client_secret: "csecret"
  session_key: "a-session-key-of-at-least-32-characters"
`)
	p := startServe(t, dir, cfg, addr)
	base := "http://" + addr
	signedIn := func(body string) bool { return strings.Contains(body, `class="filters"`) }

	// Not signed in: the library asks to sign in.
	anon := binSignInClient(t)
	if code, body, _ := binSignInGet(t, anon, base+"/lessons"); code != 200 || signedIn(body) || !strings.Contains(body, "Sign in with Slack") {
		t.Fatalf("the library before sign-in: %d\n%s", code, body)
	}

	// A good code: signed in, back on the page asked for, with an
	// HttpOnly cookie, and the staff's report reachable.
	fake.AddIdentity("good-code", slackfake.Identity{UserID: "UANA01", TeamID: "T1", Name: "Ana Coordinadora"})
	fake.SignInAs("good-code")
	good := binSignInClient(t)
	code, body, path := binSignInGet(t, good, base+"/login?next=/lessons")
	if code != 200 || path != "/lessons" || !signedIn(body) {
		t.Fatalf("a good code: %d at %s\n%s", code, path, body)
	}
	session := binSignInCookie(t, good, base)
	if session == "" {
		t.Fatal("no session cookie after signing in")
	}
	if code, body, _ := binSignInGet(t, good, base+"/report"); code != 200 || !strings.Contains(body, "<svg") {
		t.Errorf("the report for a signed-in staff member: %d\n%s", code, body)
	}
	authorize := fake.Calls("openid.connect.authorize")
	if len(authorize) != 1 || authorize[0].Form.Get("team") != "T1" || authorize[0].Form.Get("state") == "" {
		t.Errorf("the trip to Slack: %+v", authorize)
	}
	// The Set-Cookie itself, as a browser sees it.
	fake.AddIdentity("good-code-2", slackfake.Identity{UserID: "UANA01", TeamID: "T1", Name: "Ana Coordinadora"})
	fake.SignInAs("good-code-2")
	raw := binSignInClient(t)
	raw.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return nil
		}
		if len(via) > 0 && via[len(via)-1].URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := raw.Get(base + "/login?next=/lessons")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var setCookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "xb_session" {
			setCookie = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || setCookie == nil || !setCookie.HttpOnly {
		t.Errorf("the callback: %d, session cookie %+v", resp.StatusCode, setCookie)
	}

	// A member who is not staff signs in and reads the library, not the
	// report.
	fake.AddIdentity("member-code", slackfake.Identity{UserID: "ULUIS02", TeamID: "T1", Name: "Luis"})
	fake.SignInAs("member-code")
	member := binSignInClient(t)
	if code, body, _ := binSignInGet(t, member, base+"/login?next=/lessons"); code != 200 || !signedIn(body) {
		t.Errorf("a member's sign-in: %d", code)
	}
	if code, _, _ := binSignInGet(t, member, base+"/report"); code != http.StatusForbidden {
		t.Errorf("the report for a member who is not staff: %d, want 403", code)
	}

	// A wrong state: refused, even with a good code.
	fake.AddIdentity("good-code-3", slackfake.Identity{UserID: "UANA01", TeamID: "T1"})
	fake.SignInAs("good-code-3")
	wrong := binSignInClient(t)
	wrong.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = wrong.Get(base + "/login?next=/lessons") // sets the state cookie
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "state=") {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, body, _ := binSignInGet(t, wrong, base+"/auth/callback?code=good-code-3&state=not-the-state"); code != http.StatusForbidden {
		t.Errorf("a wrong state: %d\n%s", code, body)
	}
	if binSignInCookie(t, wrong, base) != "" {
		t.Error("a wrong state signed in")
	}
	if n := len(fake.Calls("openid.connect.token")); n != 3 {
		t.Errorf("%d token exchanges, want 3: a wrong state must not spend the code", n)
	}

	// A member of another workspace: refused.
	fake.AddIdentity("other-team", slackfake.Identity{UserID: "U9", TeamID: "T9", Name: "Intrusa"})
	fake.SignInAs("other-team")
	other := binSignInClient(t)
	if code, body, _ := binSignInGet(t, other, base+"/login?next=/lessons"); code != http.StatusForbidden || signedIn(body) {
		t.Errorf("another workspace: %d\n%s", code, body)
	}
	if binSignInCookie(t, other, base) != "" {
		t.Error("a member of another workspace got a session cookie")
	}
	if code, body, _ := binSignInGet(t, other, base+"/lessons"); code != 200 || signedIn(body) {
		t.Errorf("the library after another workspace's sign-in: %d", code)
	}

	// Forged cookies: made up, or a real one with one character changed.
	i := len(session) / 2
	flip := byte('A')
	if session[i] == 'A' {
		flip = 'B'
	}
	for _, forged := range []string{"forged", session[:i] + string(flip) + session[i+1:], session + "x"} {
		req, _ := http.NewRequest(http.MethodGet, base+"/report", nil)
		req.AddCookie(&http.Cookie{Name: "xb_session", Value: forged})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "Sign in with Slack") {
			t.Errorf("a forged cookie %q reached the report: %d\n%s", forged, resp.StatusCode, b)
		}
	}
	// The real cookie still works, so the refusals above are the forgery's.
	req, _ := http.NewRequest(http.MethodGet, base+"/report", nil)
	req.AddCookie(&http.Cookie{Name: "xb_session", Value: session})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<svg") {
		t.Errorf("the real cookie, sent alone: %d", resp.StatusCode)
	}
	if strings.Contains(p.logText(), session) {
		t.Error("the session cookie reached the log")
	}
}
