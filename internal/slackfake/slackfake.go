// Package slackfake is a recording stand-in for the Slack Web API, for
// tests: point slack.OptionAPIURL (or slack.api_url) at Server.URL+"/api/"
// and assert on Calls. It answers the methods exchangebot uses the way
// Slack does, keeps posted messages (with their metadata) so history and
// replies can be read back, and can be told to be slow, rate limited (all
// of it, or one method in one conversation) or failing (the next calls of a
// method, a method for a while, or everything about one channel).
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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
	// Error is the error the fake answered ("" for ok).
	Error string
	// Problems says why blocks were refused (Error invalid_blocks).
	Problems []string
}

// Message is a message the fake holds, as history returns it.
type Message struct {
	Channel  string          `json:"-"`
	TS       string          `json:"ts"`
	ThreadTS string          `json:"thread_ts,omitempty"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// User is the author of a message a person wrote (AddMessage); ""
	// for the bot's posts.
	User string `json:"user,omitempty"`
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
	// Locales maps user ids to the locale users.info reports ("es-CL"),
	// when asked with include_locale.
	Locales map[string]string
	// Groups maps user-group ids to members.
	Groups map[string][]string
	// Delay is added before every answer (a slow Slack).
	Delay time.Duration
	// limits answer 429 with Retry-After.
	limits []limit
	// notBefore is, per method and conversation, when the last Retry-After
	// given runs out.
	notBefore map[string]time.Time
	// Limited counts calls answered 429; Violations counts calls made
	// before a Retry-After given for the same method and conversation had
	// passed.
	Limited, Violations int
	// fail makes the next n calls of a method answer ok:false with the error.
	fail map[string]failure
	// failUntil makes every call of a method answer an error until a time.
	failUntil map[string]timedFailure
	// channelErr makes every call about a channel answer an error.
	channelErr map[string]string
	// hang makes calls of a method never answer.
	hang map[string]bool
	// Private lists private channels, true when the bot is a member:
	// conversations.info reports them so.
	Private map[string]bool
	// LaxBlocks turns off the check of every payload against Block Kit's
	// limits (on by default: Slack answers invalid_blocks, and so does
	// the fake, recording the problems on the call).
	LaxBlocks bool
	// homes holds the last view published to each user's App Home.
	homes map[string]map[string]any
	// oid is Sign in with Slack.
	oid openID
}

type failure struct {
	n   int
	err string
}

type timedFailure struct {
	until time.Time
	err   string
}

// limit is a rate limit on method ("" = every method) in channel ("" =
// every conversation) until a time.
type limit struct {
	method, channel string
	until           time.Time
	retryAfter      int
}

// New starts a fake Slack.
func New() *Server {
	s := &Server{Zones: map[string]string{}, Groups: map[string][]string{}, fail: map[string]failure{},
		notBefore: map[string]time.Time{}, failUntil: map[string]timedFailure{}, channelErr: map[string]string{},
		Private: map[string]bool{}, Locales: map[string]string{}, homes: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the value for slack.OptionAPIURL / slack.api_url.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// RateLimit answers every call with 429 and Retry-After: retryAfter
// seconds, for the next window; RateLimit(0, 0) lifts every limit.
func (s *Server) RateLimit(window time.Duration, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if window <= 0 {
		s.limits = nil
		return
	}
	s.limits = append(s.limits, limit{until: time.Now().Add(window), retryAfter: retryAfter})
}

// RateLimitConversation answers calls of method about channel (and only
// those) with 429 and Retry-After: retryAfter seconds, for the next window,
// as Slack limits posting to one channel.
func (s *Server) RateLimitConversation(method, channel string, window time.Duration, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, limit{method: method, channel: channel, until: time.Now().Add(window), retryAfter: retryAfter})
}

// FailFor makes every call of method answer {"ok":false,"error":err} for
// the next window (a token being replaced: invalid_auth).
func (s *Server) FailFor(method string, window time.Duration, err string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUntil[method] = timedFailure{until: time.Now().Add(window), err: err}
}

// FailChannel makes every call about channel answer err until FixChannel
// (a deleted channel: channel_not_found).
func (s *Server) FailChannel(channel, err string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channelErr[channel] = err
}

// FixChannel ends FailChannel.
func (s *Server) FixChannel(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channelErr, channel)
}

// Fail makes the next n calls of method answer {"ok":false,"error":err}.
func (s *Server) Fail(method string, n int, err string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = failure{n, err}
}

// SetZone makes users.info report tz for user; safe while the fake answers.
func (s *Server) SetZone(user, tz string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Zones[user] = tz
}

// Hang makes every call of method never answer, until the caller gives
// up (a Slack that accepts the connection and says nothing).
func (s *Server) Hang(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hang == nil {
		s.hang = map[string]bool{}
	}
	s.hang[method] = true
}

// SetDelay changes how slow every answer is.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Delay = d
}

// RateCounts returns, under the fake's lock, how many calls were answered
// 429 and how many came before a Retry-After had passed: safe to read
// while calls are still arriving.
func (s *Server) RateCounts() (limited, violations int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Limited, s.Violations
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
	if r.URL.Path == "/openid/connect/authorize" {
		s.authorize(w, r)
		return
	}
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, _ := io.ReadAll(r.Body)
	call := Call{Method: method, At: time.Now()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &call.JSON)
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}

	channel := call.Form.Get("channel")
	if channel == "" && call.JSON != nil {
		channel, _ = call.JSON["channel"].(string)
	}
	key := method + "/" + channel

	s.mu.Lock()
	delay := s.Delay
	now := time.Now()
	if now.Before(s.notBefore[key]) {
		s.Violations++
	}
	if retry, ok := s.limited(method, channel, now); ok {
		s.Limited++
		if nb := now.Add(time.Duration(retry) * time.Second); nb.After(s.notBefore[key]) {
			s.notBefore[key] = nb
		}
		s.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
		}
		w.Header().Set("Retry-After", fmt.Sprint(retry))
		http.Error(w, `{"ok":false,"error":"ratelimited"}`, http.StatusTooManyRequests)
		return
	}
	errCode := ""
	if f, ok := s.fail[method]; ok && f.n > 0 {
		f.n--
		s.fail[method] = f
		errCode = f.err
	} else if f, ok := s.failUntil[method]; ok && now.Before(f.until) {
		errCode = f.err
	} else if e, ok := s.channelErr[channel]; ok && channel != "" {
		errCode = e
	}
	if errCode == "" && !s.LaxBlocks {
		errCode, call.Problems = refusal(method, call)
	}
	call.Error = errCode
	s.calls = append(s.calls, call)
	hang := s.hang[method]
	s.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}
	if errCode != "" {
		if delay > 0 {
			time.Sleep(delay)
		}
		writeJSON(w, map[string]any{"ok": false, "error": errCode})
		return
	}

	if delay > 0 {
		time.Sleep(delay)
	}
	writeJSON(w, s.answer(method, call))
}

// limited reports whether a call of method about channel is rate
// limited at now, and the Retry-After to give. s.mu is held.
func (s *Server) limited(method, channel string, now time.Time) (int, bool) {
	for _, l := range s.limits {
		if now.Before(l.until) && (l.method == "" || l.method == method) && (l.channel == "" || l.channel == channel) {
			return l.retryAfter, true
		}
	}
	return 0, false
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
	case "views.open", "views.update", "views.push":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V" + fmt.Sprint(s.seq+1)}}
	case "views.publish":
		u, _ := c.JSON["user_id"].(string)
		view, _ := c.JSON["view"].(map[string]any)
		s.homes[u] = view
		return map[string]any{"ok": true, "view": map[string]any{"id": "VH" + u, "type": "home"}}
	case "conversations.info":
		ch := f.Get("channel")
		member, private := s.Private[ch]
		return map[string]any{"ok": true, "channel": map[string]any{"id": ch, "is_private": private, "is_member": !private || member}}
	case "users.info":
		u := f.Get("user")
		user := map[string]any{"id": u, "name": strings.ToLower(u), "tz": s.Zones[u]}
		if l := s.Locales[u]; l != "" && f.Get("include_locale") == "true" {
			user["locale"] = l
		}
		return map[string]any{"ok": true, "user": user}
	case "usergroups.users.list":
		return map[string]any{"ok": true, "users": s.Groups[f.Get("usergroup")]}
	case "conversations.history", "conversations.replies":
		ch, thread, latest := f.Get("channel"), f.Get("ts"), f.Get("latest")
		inclusive := f.Get("inclusive") == "true" || f.Get("inclusive") == "1"
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
			if latest != "" && (m.TS > latest || m.TS == latest && !inclusive) {
				continue
			}
			out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
			if m.User != "" {
				out["user"] = m.User
			}
			if m.ThreadTS != "" {
				out["thread_ts"] = m.ThreadTS
			}
			if withMeta && len(m.Metadata) > 0 {
				out["metadata"] = m.Metadata
			}
			msgs = append(msgs, out)
		}
		if n, err := strconv.Atoi(f.Get("limit")); err == nil && n > 0 && len(msgs) > n && method == "conversations.history" {
			msgs = msgs[:n]
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
	case "openid.connect.token", "openid.connect.userInfo":
		return s.openIDAnswer(method, f)
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// refusal is the error Slack gives a call whose payload breaks its
// limits: invalid_blocks with the problems, or msg_too_long.
func refusal(method string, c Call) (string, []string) {
	var problems []string
	switch method {
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		if len([]rune(c.Form.Get("text"))) > MaxMessageText {
			return "msg_too_long", []string{"text longer than 40,000 characters"}
		}
		if b := c.Form.Get("blocks"); b != "" {
			problems = Check(SurfaceMessage, []byte(b))
		}
	case "views.open", "views.update", "views.push", "views.publish":
		if v, ok := c.JSON["view"].(map[string]any); ok {
			problems = CheckView(v)
		}
	}
	if len(problems) > 0 {
		return "invalid_blocks", problems
	}
	return "", nil
}

// AddMessage puts a message a person wrote in channel (a DM), as Slack
// holds it, so that history can return it; it returns its ts.
func (s *Server) AddMessage(channel, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, TS: s.nextTS(), Text: text, User: user}
	s.messages = append(s.messages, m)
	return m.TS
}

// Home returns the view last published to user's App Home, or nil.
func (s *Server) Home(user string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.homes[user]
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
