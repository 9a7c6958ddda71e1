package web

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// viewer is a person signed in with Slack.
type viewer struct {
	UserID  string `json:"u"`
	TeamID  string `json:"t"`
	Name    string `json:"n"`
	Expires int64  `json:"e"`
}

const (
	sessionCookie = "xb_session"
	stateCookie   = "xb_state"
	// signedInFor is how long a sign-in lasts.
	signedInFor = 7 * 24 * time.Hour
	// stateFor is how long the trip to Slack's sign-in page may take.
	stateFor = 10 * time.Minute
)

// seal signs v for a cookie: base64 JSON, a dot, its HMAC.
func (s *Server) seal(purpose string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	return body + "." + s.mac(purpose, body), nil
}

// open checks a sealed cookie value and decodes it into v.
func (s *Server) open(purpose, sealed string, v any) error {
	body, sig, ok := strings.Cut(sealed, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac(purpose, body))) {
		return errors.New("web: bad signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// viewer returns who signed in, or nil: a cookie that is forged,
// expired, or from before the workspace changed counts as nobody.
func (s *Server) viewer(r *http.Request) *viewer {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var v viewer
	if err := s.open("session", c.Value, &v); err != nil || v.UserID == "" || s.o.Now().Unix() >= v.Expires {
		return nil
	}
	// The workspace is asked once and kept (teamOf); while Slack cannot
	// say, a sign-in made for the installed workspace stands.
	if s.o.TeamID != nil {
		if team, err := s.o.TeamID(r.Context()); err == nil && team != "" && team != v.TeamID {
			return nil
		}
	}
	return &v
}

func (s *Server) redirectURI() string { return s.o.BaseURL + "/auth/callback" }

// oauthState travels to Slack and back in state, and in a cookie that
// only this browser holds: the two must match.
type oauthState struct {
	Nonce   string `json:"s"`
	Next    string `json:"n"`
	Expires int64  `json:"e"`
}

// login sends the reader to Slack's sign-in page, or, without a client
// id, explains how to set sign-in up.
func (s *Server) login(w http.ResponseWriter, r *http.Request, p *page) error {
	if s.o.ClientID == "" {
		p.Title = p.T("web.signin.setup_title")
		p.Data = map[string]string{"Callback": s.redirectURI()}
		s.render(w, http.StatusOK, "setup.html", p)
		return nil
	}
	st := oauthState{Nonce: randomString(24), Next: localPath(r.URL.Query().Get("next")), Expires: s.o.Now().Add(stateFor).Unix()}
	sealed, err := s.seal("state", st)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: sealed, Path: "/auth/", MaxAge: int(stateFor.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	q := url.Values{
		"response_type": {"code"},
		"scope":         {"openid profile"},
		"client_id":     {s.o.ClientID},
		"state":         {st.Nonce},
		"nonce":         {randomString(16)},
		"redirect_uri":  {s.redirectURI()},
	}
	if s.o.TeamID != nil {
		if team, err := s.o.TeamID(r.Context()); err == nil && team != "" {
			q.Set("team", team) // straight to the right workspace
		}
	}
	http.Redirect(w, r, s.o.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
	return nil
}

// callback is where Slack sends the reader back with a code: the state
// must be the one this browser was given, the code must buy a token, and
// the person must belong to the installed workspace.
func (s *Server) callback(w http.ResponseWriter, r *http.Request, p *page) error {
	if s.o.ClientID == "" {
		return errNotFound
	}
	refuse := func(reason string, err error) error {
		s.o.Log.Warn("sign-in refused", "reason", reason, "error", err)
		p.Title = p.T("web.signin.refused_title")
		p.Message = "web.signin.refused"
		s.render(w, http.StatusForbidden, "error.html", p)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/auth/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
	var st oauthState
	c, err := r.Cookie(stateCookie)
	if err != nil {
		return refuse("no state cookie", err)
	}
	if err := s.open("state", c.Value, &st); err != nil {
		return refuse("bad state cookie", err)
	}
	q := r.URL.Query()
	if st.Expires <= s.o.Now().Unix() || !hmac.Equal([]byte(q.Get("state")), []byte(st.Nonce)) {
		return refuse("state mismatch", nil)
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		return refuse("no code", errors.New(q.Get("error")))
	}
	var opts []slack.OAuthOption
	if s.o.SlackAPIURL != "" {
		opts = append(opts, slack.OAuthOptionAPIURL(s.o.SlackAPIURL))
	}
	tok, err := slack.GetOpenIDConnectTokenContext(r.Context(), s.o.HTTPClient, s.o.ClientID, s.o.ClientSecret,
		q.Get("code"), s.redirectURI(), opts...)
	if err != nil {
		return refuse("token exchange", err)
	}
	copts := []slack.Option{slack.OptionHTTPClient(s.o.HTTPClient)}
	if s.o.SlackAPIURL != "" {
		copts = append(copts, slack.OptionAPIURL(s.o.SlackAPIURL))
	}
	info, err := slack.New(tok.AccessToken, copts...).GetOpenIDConnectUserInfoContext(r.Context())
	if err != nil {
		return refuse("user info", err)
	}
	if s.o.TeamID == nil {
		return refuse("workspace unknown", errors.New("no bot token to learn the workspace"))
	}
	team, err := s.o.TeamID(r.Context())
	if err != nil || team == "" || info.TeamID != team {
		return refuse("another workspace", fmt.Errorf("team %q, installed %q: %v", info.TeamID, team, err))
	}
	user := info.UserID
	if user == "" {
		user = info.Sub
	}
	v := viewer{UserID: user, TeamID: info.TeamID, Name: info.Name, Expires: s.o.Now().Add(signedInFor).Unix()}
	sealed, err := s.seal("session", v)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sealed, Path: "/", MaxAge: int(signedInFor.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	next := st.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout forgets the sign-in.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// localPath keeps a redirect on this server: a path, never another host.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	return next
}

// needSignIn sends a reader who must sign in to do so, coming back to
// this page; without sign-in set up, it explains how.
func (s *Server) needSignIn(w http.ResponseWriter, r *http.Request, p *page) error {
	// A page that asks to sign in is a page (200): an error status would
	// be logged by browsers as a failed load.
	w.Header().Set("Cache-Control", "no-store")
	if s.o.ClientID == "" {
		p.Title = p.T("web.signin.setup_title")
		p.Data = map[string]string{"Callback": s.redirectURI()}
		s.render(w, http.StatusOK, "setup.html", p)
		return nil
	}
	p.Title = p.T("web.signin.title")
	p.Data = map[string]string{"Next": "/login?next=" + url.QueryEscape(r.URL.RequestURI())}
	s.render(w, http.StatusOK, "signin.html", p)
	return nil
}
