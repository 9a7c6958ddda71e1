// Package slackfake is a recording stand-in for the Slack Web API, for
// tests: point slack.OptionAPIURL (or slack.api_url) at Server.URL+"/api/"
// and assert on Calls. It answers the methods exchangebot uses the way
// Slack does, keeps posted messages (with their metadata) so history and
// replies can be read back, and can be told to be slow or rate limited.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Call is one recorded API call.
type Call struct {
	Method string
	Form   url.Values     // form-encoded calls
	JSON   map[string]any // JSON-bodied calls (views.open)
	At     time.Time
}

// Message is a message the fake holds, as history returns it.
type Message struct {
	Channel  string          `json:"-"`
	TS       string          `json:"ts"`
	ThreadTS string          `json:"thread_ts,omitempty"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	calls    []Call
	messages []*Message
	seq      int64
	// Zones maps user ids to the tz users.info reports.
	Zones map[string]string
	// Groups maps user-group ids to members.
	Groups map[string][]string
	// Delay is added before every answer (a slow Slack).
	Delay time.Duration
	// limitedUntil: calls before it get 429 with Retry-After.
	limitedUntil time.Time
	retryAfter   int
	// notBefore is when the last Retry-After given runs out.
	notBefore time.Time
	// Limited counts calls answered 429; Violations counts calls made
	// before a Retry-After they were given had passed.
	Limited, Violations int
	// fail makes the next n calls of a method answer ok:false with the error.
	fail map[string]failure
}

type failure struct {
	n   int
	err string
}

// New starts a fake Slack.
func New() *Server {
	s := &Server{Zones: map[string]string{}, Groups: map[string][]string{}, fail: map[string]failure{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the value for slack.OptionAPIURL / slack.api_url.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// RateLimit answers every call with 429 and Retry-After: retryAfter
// seconds, for the next window.
func (s *Server) RateLimit(window time.Duration, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limitedUntil = time.Now().Add(window)
	s.retryAfter = retryAfter
}

// Fail makes the next n calls of method answer {"ok":false,"error":err}.
func (s *Server) Fail(method string, n int, err string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = failure{n, err}
}

// SetDelay changes how slow every answer is.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Delay = d
}

// Calls returns the recorded calls of the given methods (all when none).
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages posted so far (not ephemeral ones).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
	}
	return out
}

// Reset forgets recorded calls (messages stay, as in Slack).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, _ := io.ReadAll(r.Body)
	call := Call{Method: method, At: time.Now()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &call.JSON)
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}

	s.mu.Lock()
	delay := s.Delay
	now := time.Now()
	if now.Before(s.notBefore) {
		s.Violations++
	}
	if now.Before(s.limitedUntil) {
		s.Limited++
		retry := s.retryAfter
		s.notBefore = now.Add(time.Duration(retry) * time.Second)
		s.mu.Unlock()
		w.Header().Set("Retry-After", fmt.Sprint(retry))
		http.Error(w, `{"ok":false,"error":"ratelimited"}`, http.StatusTooManyRequests)
		return
	}
	if f, ok := s.fail[method]; ok && f.n > 0 {
		f.n--
		s.fail[method] = f
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": f.err})
		return
	}
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	if delay > 0 {
		time.Sleep(delay)
	}
	writeJSON(w, s.answer(method, call))
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", 1764331200+s.seq, s.seq)
}

func (s *Server) answer(method string, c Call) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := c.Form
	switch method {
	case "chat.postMessage":
		m := &Message{Channel: f.Get("channel"), TS: s.nextTS(), ThreadTS: f.Get("thread_ts"), Text: f.Get("text")}
		if b := f.Get("blocks"); b != "" {
			m.Blocks = json.RawMessage(b)
		}
		if md := f.Get("metadata"); md != "" {
			m.Metadata = json.RawMessage(md)
		}
		s.messages = append(s.messages, m)
		return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "message": m}
	case "chat.update":
		for _, m := range s.messages {
			if m.Channel == f.Get("channel") && m.TS == f.Get("ts") {
				m.Text = f.Get("text")
				if b := f.Get("blocks"); b != "" {
					m.Blocks = json.RawMessage(b)
				}
				return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text}
			}
		}
		return map[string]any{"ok": false, "error": "message_not_found"}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": s.nextTS()}
	case "conversations.open":
		users := strings.Split(f.Get("users"), ",")
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users[0]}}
	case "views.open", "views.update":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V" + fmt.Sprint(s.seq+1)}}
	case "users.info":
		u := f.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": u, "name": strings.ToLower(u), "tz": s.Zones[u]}}
	case "usergroups.users.list":
		return map[string]any{"ok": true, "users": s.Groups[f.Get("usergroup")]}
	case "conversations.history", "conversations.replies":
		ch, thread := f.Get("channel"), f.Get("ts")
		withMeta := f.Get("include_all_metadata") == "true" || f.Get("include_all_metadata") == "1"
		var msgs []map[string]any
		for i := len(s.messages) - 1; i >= 0; i-- { // newest first, as history is
			m := s.messages[i]
			if m.Channel != ch {
				continue
			}
			if method == "conversations.history" && m.ThreadTS != "" {
				continue // thread replies are not in channel history
			}
			if method == "conversations.replies" && m.TS != thread && m.ThreadTS != thread {
				continue
			}
			out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
			if m.ThreadTS != "" {
				out["thread_ts"] = m.ThreadTS
			}
			if withMeta && len(m.Metadata) > 0 {
				out["metadata"] = m.Metadata
			}
			msgs = append(msgs, out)
		}
		if method == "conversations.replies" {
			// replies are oldest first
			for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
				msgs[i], msgs[j] = msgs[j], msgs[i]
			}
		}
		return map[string]any{"ok": true, "messages": msgs, "has_more": false}
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT"}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Readable undoes the JSON escaping Go applies to <, > and & (and \n) in
// recorded blocks, so tests can look for "<!date^" or "<@U2>".
func Readable(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\n`, "\n").Replace(s)
}

// Blocks returns a recorded call's blocks as readable text.
func (c Call) Blocks() string { return Readable(c.Form.Get("blocks")) }
