package slackfake

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Identity is the person a Sign in with Slack code stands for.
type Identity struct {
	UserID, TeamID, Name, Email, Locale string
}

// openID is the fake's Sign in with Slack (OpenID Connect) state.
type openID struct {
	clientID, secret string
	codes            map[string]Identity // authorization code -> who
	tokens           map[string]Identity // access token -> who
	signInAs         string              // the code the authorize page hands out
}

// SetOpenIDClient makes openid.connect.token accept only this client.
func (s *Server) SetOpenIDClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oid.clientID, s.oid.secret = id, secret
}

// AddIdentity makes code, once, a valid authorization code for who.
func (s *Server) AddIdentity(code string, who Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oid.codes == nil {
		s.oid.codes, s.oid.tokens = map[string]Identity{}, map[string]Identity{}
	}
	s.oid.codes[code] = who
}

// SignInAs makes the authorize page (GET /openid/connect/authorize) send
// the browser back with code, as Slack does once the person agrees.
func (s *Server) SignInAs(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oid.signInAs = code
}

// AuthorizeURL is the fake's Sign in with Slack page.
func (s *Server) AuthorizeURL() string { return s.URL + "/openid/connect/authorize" }

// authorize answers the authorize page at once, as if the person had
// agreed: back to redirect_uri with the code and the state given.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "openid.connect.authorize", Form: q, At: time.Now()})
	code := s.oid.signInAs
	s.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" || q.Get("response_type") != "code" || q.Get("client_id") == "" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// openIDAnswer answers the two OpenID methods; s.mu is held.
func (s *Server) openIDAnswer(method string, f url.Values) map[string]any {
	switch method {
	case "openid.connect.token":
		if s.oid.clientID != "" && (f.Get("client_id") != s.oid.clientID || f.Get("client_secret") != s.oid.secret) {
			return map[string]any{"ok": false, "error": "invalid_client_id"}
		}
		who, ok := s.oid.codes[f.Get("code")]
		if !ok || f.Get("redirect_uri") == "" {
			return map[string]any{"ok": false, "error": "invalid_code"}
		}
		delete(s.oid.codes, f.Get("code")) // a code works once
		s.seq++
		token := fmt.Sprintf("xoxp-fake-%d", s.seq)
		s.oid.tokens[token] = who
		return map[string]any{"ok": true, "access_token": token, "token_type": "Bearer", "id_token": "fake.id.token"}
	case "openid.connect.userInfo":
		who, ok := s.oid.tokens[f.Get("token")]
		if !ok {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		return map[string]any{"ok": true, "sub": who.UserID, "https://slack.com/user_id": who.UserID,
			"https://slack.com/team_id": who.TeamID, "name": who.Name, "email": who.Email, "locale": who.Locale}
	}
	return nil
}
