package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/internal/slackfake"
)

var ana = slackfake.Identity{UserID: "U1", TeamID: "T1", Name: "Ana"}

func TestSignInWithAGoodCode(t *testing.T) {
	tw := newTestWeb(t)
	c := tw.browser()
	if _, body, _ := tw.get(c, "/report"); !asksToSignIn(body) {
		t.Fatalf("/report before sign-in:\n%s", body)
	}
	status, h := tw.signInHeader(c, ana)
	if status != http.StatusSeeOther {
		t.Fatalf("the callback answered %d, want a redirect back", status)
	}
	if status, _, _ := tw.get(c, "/report"); status != http.StatusOK {
		t.Fatalf("/report after sign-in = %d", status)
	}
	_, body, _ := tw.get(c, "/")
	if !strings.Contains(body, "Signed in as Ana") {
		t.Errorf("the page does not show who signed in")
	}
	// The cookie is signed, HttpOnly and SameSite=Lax (not Secure: the
	// test server is http); a jar keeps none of that, the header does.
	var session string
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, sessionCookie+"=") {
			session = v
		}
	}
	value, _, _ := strings.Cut(strings.TrimPrefix(session, sessionCookie+"="), ";")
	if !strings.Contains(value, ".") {
		t.Errorf("session cookie %q is not signed", session)
	}
	for _, want := range []string{"Path=/;", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(session, want) {
			t.Errorf("session cookie %q lacks %s", session, want)
		}
	}
	if strings.Contains(session, "Secure") {
		t.Errorf("session cookie %q is Secure on http: the browser would drop it", session)
	}
	auth := tw.slack.Calls("openid.connect.authorize")
	if len(auth) != 1 || auth[0].Form.Get("team") != "T1" || auth[0].Form.Get("redirect_uri") != tw.srv.URL+"/auth/callback" ||
		auth[0].Form.Get("scope") != "openid profile" {
		t.Errorf("authorize request = %v", auth)
	}
	// Sign out needs the form's token.
	_, page, _ := tw.get(c, "/")
	if status, _ := tw.post(c, "/logout", url.Values{"csrf": {"forged"}}); status != http.StatusBadRequest {
		t.Errorf("logout with a forged token = %d", status)
	}
	if status, _ := tw.post(c, "/logout", url.Values{"csrf": {csrf(t, page)}}); status != http.StatusSeeOther {
		t.Errorf("logout = %d", status)
	}
	if _, body, _ := tw.get(c, "/report"); !asksToSignIn(body) {
		t.Errorf("/report after sign-out does not ask to sign in")
	}
}

func TestSignInCookieHeaders(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.BaseURL = "https://bot.example.org" })
	c := tw.browser()
	_, _, h := tw.get(c, "/login")
	var sc string
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, stateCookie+"=") {
			sc = v
		}
	}
	for _, want := range []string{stateCookie + "=", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("state cookie %q lacks %s", sc, want)
		}
	}
	if h.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over https")
	}
}

func TestSignInRefusals(t *testing.T) {
	tests := []struct {
		name string
		run  func(tw *testWeb, c *http.Client) int
	}{
		{"wrong state", func(tw *testWeb, c *http.Client) int {
			tw.slack.AddIdentity("good", ana)
			tw.get(c, "/login")
			status, _, _ := tw.get(c, "/auth/callback?code=good&state=not-the-one")
			return status
		}},
		{"no state cookie", func(tw *testWeb, c *http.Client) int {
			tw.slack.AddIdentity("good", ana)
			_, _, h := tw.get(c, "/login")
			loc, _ := url.Parse(h.Get("Location"))
			status, _, _ := tw.get(tw.browser(), "/auth/callback?code=good&state="+loc.Query().Get("state"))
			return status
		}},
		{"member of another team", func(tw *testWeb, c *http.Client) int {
			return tw.signIn(c, slackfake.Identity{UserID: "U9", TeamID: "T2", Name: "Eve"})
		}},
		{"unknown code", func(tw *testWeb, c *http.Client) int {
			tw.slack.SignInAs("never-issued")
			return tw.signIn(c, slackfake.Identity{})
		}},
		{"workspace unknown", func(tw *testWeb, c *http.Client) int {
			tw.web.o.TeamID = func(context.Context) (string, error) { return "", errors.New("offline") }
			return tw.signIn(c, ana)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := newTestWeb(t)
			c := tw.browser()
			if status := tt.run(tw, c); status != http.StatusForbidden {
				t.Errorf("the callback answered %d, want 403", status)
			}
			if tw.web.viewerFromJar(c, tw.srv.URL) {
				t.Error("signed in")
			}
			if _, body, _ := tw.get(c, "/report"); !asksToSignIn(body) {
				t.Errorf("/report does not ask to sign in")
			}
		})
	}
}

// asksToSignIn reports whether body is the page asking to sign in.
func asksToSignIn(body string) bool {
	return strings.Contains(body, "sign in with your Slack account") && !strings.Contains(body, "Signed in as")
}

// viewerFromJar reports whether the jar holds a session cookie the
// server accepts.
func (s *Server) viewerFromJar(c *http.Client, base string) bool {
	u, _ := url.Parse(base)
	req, _ := http.NewRequest("GET", base, nil)
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	return s.viewer(req) != nil
}

func TestForgedCookiesAreRefused(t *testing.T) {
	tw := newTestWeb(t)
	c := tw.browser()
	tw.signIn(c, ana)
	u, _ := url.Parse(tw.srv.URL)
	var good string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			good = ck.Value
		}
	}
	body, sig, _ := strings.Cut(good, ".")
	other, _ := tw.web.seal("session", viewer{UserID: "U1", TeamID: "T1", Expires: t0.Unix() - 1})
	otherKey := &Server{o: Options{SessionKey: []byte(strings.Repeat("x", 32))}}
	foreign, _ := otherKey.seal("session", viewer{UserID: "U1", TeamID: "T1", Expires: t0.Unix() + 3600})
	state, _ := tw.web.seal("state", oauthState{Nonce: "n", Expires: t0.Unix() + 60})
	// Signed with this key for a workspace the bot is no longer in.
	formerTeam, _ := tw.web.seal("session", viewer{UserID: "U1", TeamID: "T0", Expires: t0.Unix() + 3600})
	for name, value := range map[string]string{
		"payload changed":    strings.Replace(body, "V", "W", 1) + "." + sig,
		"no signature":       body,
		"expired":            other,
		"another key":        foreign,
		"a state, not login": state,
		"another workspace":  formerTeam,
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", tw.srv.URL+"/report", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !asksToSignIn(string(b)) {
				t.Errorf("/report with a forged cookie = %d, not the sign-in page", res.StatusCode)
			}
		})
	}
}

func TestWithoutClientIDPagesSayHowToSetItUp(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.ClientID = "" })
	c := tw.browser()
	for _, path := range []string{"/lessons", "/report", "/login"} {
		_, body, _ := tw.get(c, path)
		if !strings.Contains(body, "Sign-in is not set up yet") || !strings.Contains(body, tw.srv.URL+"/auth/callback") ||
			!strings.Contains(body, "web.client_id") {
			t.Errorf("%s does not explain the setup:\n%s", path, body)
		}
	}
	if status, _, _ := tw.get(c, "/"); status != http.StatusOK {
		t.Errorf("/ without sign-in set up = %d", status)
	}
	if status, _, _ := tw.get(c, "/auth/callback?code=x&state=y"); status != http.StatusNotFound {
		t.Errorf("/auth/callback without a client = %d", status)
	}
}

func TestSignInGoesBackOnlyToThisServer(t *testing.T) {
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example"} {
		if got := localPath(next); got != "" {
			t.Errorf("localPath(%q) = %q", next, got)
		}
	}
	if got := localPath("/lessons?q=x"); got != "/lessons?q=x" {
		t.Errorf("localPath kept %q", got)
	}
}
