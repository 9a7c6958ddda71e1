package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// socketEnv is a bot connected over Socket Mode to slacktest's server,
// whose Web API it also calls, with a recorder for response_url replies.
type socketEnv struct {
	t       *testing.T
	bot     *Bot
	store   *sqlite.Store
	ws      *slacktest.Server
	replies *replyRecorder
}

// replyRecorder is the response_url Slack gives each command: it keeps
// what the bot posts there, and whether the session the reply names was
// already stored when the reply arrived.
type replyRecorder struct {
	mu      sync.Mutex
	st      *sqlite.Store
	bodies  []string
	unsaved []string // replies that arrived before their session was stored
	srv     *httptest.Server
}

func (r *replyRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var msg slack.WebhookMessage
	b, _ := io.ReadAll(req.Body)
	json.Unmarshal(b, &msg)
	var id int64
	if _, err := fmt.Sscanf(msg.Text[strings.Index(msg.Text, "#")+1:], "%d", &id); err == nil && strings.HasPrefix(msg.Text, "Scheduled") {
		if _, err := r.st.Session(context.Background(), id); err != nil {
			r.mu.Lock()
			r.unsaved = append(r.unsaved, msg.Text)
			r.mu.Unlock()
		}
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, msg.Text)
	r.mu.Unlock()
}

func (r *replyRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// newSocketBot connects a bot to a slacktest server customised by custom.
func newSocketBot(t *testing.T, custom ...slacktest.Binder) *socketEnv {
	t.Helper()
	return newSocketBotEngine(t, true, custom...)
}

// newSocketBotEngine is newSocketBot, with or without the delivery engine
// that carries out the commands Socket Mode acknowledged.
func newSocketBotEngine(t *testing.T, engine bool, custom ...slacktest.Binder) *socketEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	ws := slacktest.NewTestServer(custom...)
	ws.Start()
	// slacktest hands every inbound message to this feed as well, and
	// stops reading the websocket while nobody takes them.
	drained := make(chan struct{})
	go func() {
		for {
			select {
			case <-ws.SeenFeed:
			case <-drained:
				return
			}
		}
	}()
	rec := &replyRecorder{st: st}
	rec.srv = httptest.NewServer(rec)
	m := NewMetrics(nil)
	b := New(Options{
		Store: st, Slack: NewSlackClient("xoxb-test", ws.GetAPIURL(), m), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Config: testConfig(), Metrics: m,
	})
	api := slack.New("xoxb-test", slack.OptionAPIURL(ws.GetAPIURL()), slack.OptionAppLevelToken("xapp-1-test"))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		engineDone := make(chan struct{})
		go func() {
			defer close(engineDone)
			if engine {
				b.Run(ctx)
			}
		}()
		b.RunSocketMode(ctx, socketmode.New(api))
		<-engineDone
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		b.Wait()
		rec.srv.Close()
		close(drained)
		ws.Stop()
		st.Close()
	})
	return &socketEnv{t: t, bot: b, store: st, ws: ws, replies: rec}
}

// envelope is a slash command as Socket Mode delivers it.
func (e *socketEnv) envelope(id, user, text string) string {
	payload, _ := json.Marshal(map[string]string{
		"command": "/exchange", "text": text, "user_id": user, "channel_id": "C1", "team_id": "T1",
		"trigger_id": "trigger-" + id, "response_url": e.replies.srv.URL + "/" + id,
	})
	env, _ := json.Marshal(map[string]any{
		"envelope_id": id, "type": "slash_commands", "payload": json.RawMessage(payload), "accepts_response_payload": true,
	})
	return string(env)
}

// acked reports which of the envelope ids the bot has acknowledged.
func (e *socketEnv) acked(ids ...string) map[string]bool {
	got := map[string]bool{}
	for id, n := range e.acks() {
		if n > 0 && slices.Contains(ids, id) {
			got[id] = true
		}
	}
	return got
}

// acks counts the bot's acknowledgements per envelope id.
func (e *socketEnv) acks() map[string]int {
	got := map[string]int{}
	for _, m := range e.ws.GetSeenInboundMessages() {
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if json.Unmarshal([]byte(m), &ack) == nil && ack.EnvelopeID != "" {
			got[ack.EnvelopeID]++
		}
	}
	return got
}

// unsaved is the replies that arrived before their session was stored.
func (r *replyRecorder) unsavedReplies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.unsaved...)
}

// connect resends a help command until the bot acknowledges it, which
// means the websocket is up.
func (e *socketEnv) connect() {
	e.t.Helper()
	env := e.envelope("warm-up", "U0", "help")
	for deadline := time.Now().Add(10 * time.Second); !e.acked("warm-up")["warm-up"]; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			e.t.Fatalf("not connected; seen %v", e.ws.GetSeenInboundMessages())
		}
		e.ws.SendToWebsocket(env)
	}
}

// waitReplies waits for n replies at the response_url.
func (e *socketEnv) waitReplies(n int) []string {
	e.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if got := e.replies.all(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d replies after 15 s, want %d: %q", len(e.replies.all()), n, e.replies.all())
		}
	}
}

// A slash command over Socket Mode runs through the same code as HTTP:
// the envelope is acknowledged, the reply goes to the command's
// response_url, and a redelivery acts once and replies nothing.
func TestSocketModeSlashCommand(t *testing.T) {
	e := newSocketBot(t)
	e.connect()
	helpReplies := len(e.waitReplies(1))
	env := e.envelope("env-1", "U1", `new "Socket session" `+futureDate(3)+` 10:00 <#C1|general>`)
	e.ws.SendToWebsocket(env)
	got := e.waitReplies(helpReplies + 1)
	if reply := got[len(got)-1]; !strings.Contains(reply, "Scheduled") || !strings.Contains(reply, "#1") {
		t.Fatalf("reply %q", reply)
	}
	if !e.acked("env-1")["env-1"] {
		t.Errorf("envelope not acknowledged: %q", e.ws.GetSeenInboundMessages())
	}
	e.ws.SendToWebsocket(env)
	// The redelivery is acknowledged once it is stored (or known): wait
	// for that rather than for a fixed time that a busy machine outlasts.
	for deadline := time.Now().Add(15 * time.Second); e.acks()["env-1"] < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("redelivery never acknowledged; seen %q", e.ws.GetSeenInboundMessages())
		}
	}
	e.bot.Wait()
	kept := 0
	for _, d := range outboxRows(t, e.store, exchange.KindInbound) {
		if strings.Contains(d.Payload, "Socket session") {
			kept++
		}
	}
	if kept != 1 {
		t.Fatalf("%d commands kept after a redelivery over Socket Mode, want 1", kept)
	}
	if n, _ := e.store.CountSessions(context.Background()); n != 1 {
		t.Fatalf("%d sessions after redelivery over Socket Mode, want 1", n)
	}
	if n := len(e.replies.all()); n != helpReplies+1 {
		t.Errorf("%d replies after a redelivery, want %d", n, helpReplies+1)
	}
}

// TestSocketModeAcksAtOnce: 10 commands arrive together while users.info
// takes 2 s. All are acknowledged within 1 s (Slack gives 3); each reply
// comes after its session is stored.
func TestSocketModeAcksAtOnce(t *testing.T) {
	const n = 10
	slow := func(c slacktest.Customize) {
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(2 * time.Second)
			r.ParseForm()
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"x","tz":"Europe/Madrid"}}`, r.Form.Get("user"))
		})
	}
	e := newSocketBot(t, slow)
	e.connect()
	before := len(e.waitReplies(1))

	ids := make([]string, n)
	envs := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("cmd-%d", i)
		envs[i] = e.envelope(ids[i], fmt.Sprintf("U%d", 10+i), fmt.Sprintf(`new "Socket %d" %s 10:00 <#C1|general>`, i, futureDate(3)))
	}
	sent := time.Now()
	for _, env := range envs {
		e.ws.SendToWebsocket(env)
	}
	ackedAt := map[string]time.Duration{}
	for len(ackedAt) < n && time.Since(sent) < 10*time.Second {
		for id := range e.acked(ids...) {
			if _, ok := ackedAt[id]; !ok {
				ackedAt[id] = time.Since(sent)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	var slowest time.Duration
	for _, id := range ids {
		d, ok := ackedAt[id]
		if !ok {
			t.Fatalf("%s never acknowledged; acked: %v", id, ackedAt)
		}
		slowest = max(slowest, d)
	}
	replies := e.waitReplies(before + n)
	repliedIn := time.Since(sent)
	t.Logf("%d commands with a 2 s users.info: slowest ack %s after sending; all %d replies in %s",
		n, slowest.Round(time.Millisecond), n, repliedIn.Round(time.Millisecond))
	if slowest > time.Second {
		t.Errorf("slowest ack %s after sending, want within 1 s", slowest)
	}
	scheduled := 0
	for _, r := range replies {
		if strings.HasPrefix(r, "Scheduled") {
			scheduled++
		}
	}
	if scheduled != n {
		t.Errorf("%d replies say Scheduled, want %d: %q", scheduled, n, replies)
	}
	if unsaved := e.replies.unsavedReplies(); len(unsaved) != 0 {
		t.Errorf("replies sent before their session was stored: %q", unsaved)
	}
	if got, _ := e.store.CountSessions(context.Background()); got != n {
		t.Errorf("%d sessions stored, want %d", got, n)
	}
}

// TestSocketModeAckedCommandSurvivesRestart: a command acknowledged over
// Socket Mode is stored before its ack, so a bot that stops before
// carrying it out (here its delivery engine never runs) loses nothing:
// the next one carries it out and answers at its response_url, once.
func TestSocketModeAckedCommandSurvivesRestart(t *testing.T) {
	e := newSocketBotEngine(t, false)
	e.connect()
	env := e.envelope("env-kept", "U1", `new "Kept" `+futureDate(3)+` 10:00 <#C1|general>`)
	e.ws.SendToWebsocket(env)
	for deadline := time.Now().Add(10 * time.Second); !e.acked("env-kept")["env-kept"]; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("command never acknowledged")
		}
	}
	ctx := context.Background()
	rows, err := e.store.Deliveries(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, d := range rows {
		if d.Kind == exchange.KindInbound && d.State == store.StatePending && strings.Contains(d.Payload, "Kept") {
			kept++
		}
	}
	if n, _ := e.store.CountSessions(ctx); n != 0 || kept != 1 {
		t.Fatalf("when acknowledged: %d sessions, %d commands kept (want 0 and 1): %+v", n, kept, rows)
	}

	// The next bot on the same database: its engine carries it out.
	m := NewMetrics(nil)
	next := New(Options{
		Store: e.store, Slack: NewSlackClient("xoxb-test", e.ws.GetAPIURL(), m), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Config: testConfig(), Metrics: m,
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); next.Run(runCtx) }()
	replies := e.waitReplies(2)
	stop()
	<-done
	next.Wait()
	if n, _ := e.store.CountSessions(ctx); n != 1 {
		t.Fatalf("%d sessions after the restart, want 1", n)
	}
	if !slices.ContainsFunc(replies, func(r string) bool { return strings.HasPrefix(r, "Scheduled *#1* Kept") }) {
		t.Errorf("replies %q", replies)
	}
	if unsaved := e.replies.unsavedReplies(); len(unsaved) != 0 {
		t.Errorf("replies sent before their session was stored: %q", unsaved)
	}
}

// An event over Socket Mode is acknowledged once its change is stored,
// and not at all when storing it failed, so that Slack redelivers it.
func TestSocketModeEventAckedOnceStored(t *testing.T) {
	e := newSocketBot(t)
	var fail atomic.Bool
	fail.Store(true)
	stored, refused := make(chan string, 4), make(chan string, 4)
	e.bot.routes.events["app_home_opened"] = func(b *Bot, ctx context.Context, ev slackevents.EventsAPIInnerEvent) error {
		if fail.Load() {
			refused <- "U1"
			return errors.New("disk full")
		}
		err := b.store.Update(ctx, func(tx store.Tx) error {
			_, err := tx.RotateFeedToken(ctx, "U1", time.Now())
			return err
		})
		if err == nil {
			stored <- "U1"
		}
		return err
	}
	e.connect()
	event := func(id string) string {
		payload, _ := json.Marshal(map[string]any{
			"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev-" + id, "event_time": 1764331200,
			"event": map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
		})
		env, _ := json.Marshal(map[string]any{"envelope_id": id, "type": "events_api", "payload": json.RawMessage(payload)})
		return string(env)
	}
	e.ws.SendToWebsocket(event("ev-failing"))
	select {
	case <-refused:
	case <-time.After(10 * time.Second):
		t.Fatal("event never handled")
	}
	// Its job has returned, acked or not, once the bot's work is done.
	e.bot.Wait()
	if e.acked("ev-failing")["ev-failing"] {
		t.Fatal("an event whose change failed was acknowledged")
	}
	fail.Store(false)
	e.ws.SendToWebsocket(event("ev-ok"))
	select {
	case <-stored:
	case <-time.After(10 * time.Second):
		t.Fatal("event never stored")
	}
	for deadline := time.Now().Add(10 * time.Second); !e.acked("ev-ok")["ev-ok"]; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a stored event was never acknowledged")
		}
	}
}
