package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/store"
)

// maxBody bounds what we read from Slack; real payloads are a few KB.
const maxBody = 1 << 20

// backgroundTimeout bounds the Slack calls made after a request's answer.
const backgroundTimeout = 30 * time.Second

// httpError is an error with the status to answer.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

var (
	errUnauthorized = &httpError{http.StatusUnauthorized, "invalid or stale Slack signature"}
	errNoSecret     = &httpError{http.StatusUnauthorized, "slack.signing_secret is not configured, so requests cannot be verified"}
)

// handlerFunc is an HTTP handler that returns its error; serve turns
// errors into responses in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte) error

// Register adds the Slack endpoints to mux.
func (b *Bot) Register(mux *http.ServeMux) {
	mux.Handle("POST /slack/commands", b.metrics.Observe("commands", b.serve(b.handleCommandHTTP)))
	mux.Handle("POST /slack/interactivity", b.metrics.Observe("interactivity", b.serve(b.handleInteractivityHTTP)))
	mux.Handle("POST /slack/events", b.metrics.Observe("events", b.serve(b.handleEventsHTTP)))
}

// serve reads and verifies the body, then runs h; a request that fails
// verification does nothing at all.
func (b *Bot) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.answering.Add(1)
		defer b.answering.Add(-1)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			err = &httpError{http.StatusRequestEntityTooLarge, "request body too large"}
		case err != nil:
			// The client stopped sending (read timeout, hang-up, shutdown):
			// nothing was done, and it is not our error to log.
			err = &httpError{http.StatusRequestTimeout, "request body not received in time"}
		}
		if err == nil {
			err = b.verify(r.Header, body)
		}
		if err == nil {
			err = h(w, r, body)
		}
		if err == nil {
			return
		}
		var he *httpError
		if !errors.As(err, &he) {
			b.log.Error("slack request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
			he = &httpError{http.StatusInternalServerError, "internal error"}
		}
		http.Error(w, he.msg, he.status)
	})
}

// verify checks Slack's signature over the raw body with slack-go's
// verifier, which also rejects timestamps more than five minutes off.
func (b *Bot) verify(h http.Header, body []byte) error {
	if b.cfg.SigningSecret == "" {
		return errNoSecret
	}
	sv, err := slack.NewSecretsVerifier(h, b.cfg.SigningSecret)
	if err != nil {
		return errUnauthorized
	}
	if _, err := sv.Write(body); err != nil {
		return errUnauthorized
	}
	if err := sv.Ensure(); err != nil {
		return errUnauthorized
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// commandKey identifies one invocation; Slack gives every invocation its
// own trigger_id, and the body hash covers senders that omit it.
func commandKey(triggerID string, body []byte) string {
	if triggerID != "" {
		return "cmd:" + triggerID
	}
	sum := sha256.Sum256(body)
	return "cmd:" + hex.EncodeToString(sum[:])
}

func (b *Bot) handleCommandHTTP(w http.ResponseWriter, r *http.Request, body []byte) error {
	r.Body = io.NopCloser(bytes.NewReader(body))
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		return &httpError{http.StatusBadRequest, "not a slash command"}
	}
	b.inflight.Add(1)
	defer b.inflight.Done()
	reply, dup := b.runCommand(r.Context(), sc, commandKey(sc.TriggerID, body))
	if dup {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeJSON(w, ephemeral(reply))
}

// ephemeral is the slash command response body for a reply.
func ephemeral(r Reply) *slack.Msg {
	m := &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: r.Text}
	if len(r.Blocks) > 0 {
		m.Blocks = slack.Blocks{BlockSet: r.Blocks}
	}
	return m
}

// runCommand runs a slash command once per key: the key is recorded in the
// same transaction as the command's change, so a redelivery (dup) changes
// nothing and gets no reply. Callers count it as work in flight: a
// request counts in b.inflight, a command run from the outbox counts in
// the engine's run (adding to b.inflight there would race with Wait).
func (b *Bot) runCommand(ctx context.Context, sc slack.SlashCommand, key string) (reply Reply, dup bool) {
	reply = b.Execute(store.WithRequestKey(answering(ctx), key), Request{UserID: sc.UserID, ChannelID: sc.ChannelID, TriggerID: sc.TriggerID, Text: sc.Text})
	if reply.Duplicate {
		b.log.Info("redelivered command ignored", slog.String("user", sc.UserID))
	}
	return reply, reply.Duplicate
}

func (b *Bot) handleInteractivityHTTP(w http.ResponseWriter, r *http.Request, body []byte) error {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return &httpError{http.StatusBadRequest, "bad form"}
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		return &httpError{http.StatusBadRequest, "bad payload"}
	}
	resp, err := b.interact(r.Context(), cb)
	if err != nil {
		return err
	}
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return writeJSON(w, resp)
}

// interact handles one interaction. Its change is stored before it
// returns, with the interaction's key in the same transaction, so the
// answer Slack gets (the HTTP 200 or the Socket Mode ack) follows the
// commit and a redelivery changes nothing. A form's confirmation in the
// person's DM is owed with the change (exchange.ConfirmTo); the Slack
// calls that may be lost to a crash (an ephemeral note, opening a modal,
// replacing a pressed offer) are left to b.after.
func (b *Bot) interact(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	key := "interaction:" + cb.TriggerID
	if cb.TriggerID == "" {
		key = "interaction:" + cb.ActionTs + cb.View.ID + cb.User.ID
	}
	ctx = store.WithRequestKey(answering(ctx), key)
	b.inflight.Add(1)
	defer b.inflight.Done()
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		return b.handleViewSubmission(ctx, cb)
	case slack.InteractionTypeBlockActions:
		for i := range cb.ActionCallback.BlockActions {
			err := b.handleAction(ctx, cb, cb.ActionCallback.BlockActions[i])
			if errors.Is(err, store.ErrDuplicate) {
				b.log.Info("redelivered interaction ignored", slog.String("user", cb.User.ID))
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// after runs fn once the request's answer is on its way: Slack calls
// about work already committed (a confirmation, the next question), which
// must not hold the answer Slack waits for. Nothing fn does may be work
// the answer promised; that is stored before. Shutdown waits for it.
func (b *Bot) after(fn func(ctx context.Context) error) {
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			b.log.Error("slack call after the answer failed", slog.Any("error", err))
		}
	}()
}

func (b *Bot) handleEventsHTTP(w http.ResponseWriter, r *http.Request, body []byte) error {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return &httpError{http.StatusBadRequest, "not an Events API payload"}
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			return &httpError{http.StatusBadRequest, "bad url_verification"}
		}
		w.Header().Set("Content-Type", "text/plain")
		_, err := io.WriteString(w, ch.Challenge)
		return err
	}
	var outer struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &outer)
	return b.event(r.Context(), outer.EventID, ev)
}

// event handles one Events API callback: the handler stores its change
// with the event's key (or a key of its own) in the same transaction and
// returns, and only then does Slack get its 200 or ack, so an event
// acknowledged is an event stored, and a redelivery changes nothing.
// A DM's answer is an outbox row (exchange.KindReply) in that same
// transaction, so the answer is neither lost nor said twice.
func (b *Bot) event(ctx context.Context, eventID string, ev slackevents.EventsAPIEvent) error {
	if ev.Type != slackevents.CallbackEvent {
		return nil
	}
	fn := b.routes.events[ev.InnerEvent.Type]
	if fn == nil {
		return nil
	}
	ctx = answering(ctx)
	if eventID != "" {
		ctx = store.WithRequestKey(ctx, "event:"+eventID)
	}
	b.inflight.Add(1)
	defer b.inflight.Done()
	err := fn(b, ctx, ev.InnerEvent)
	if errors.Is(err, store.ErrDuplicate) {
		b.log.Info("redelivered event ignored", slog.String("event_id", eventID))
		return nil
	}
	return err
}
