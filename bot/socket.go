package bot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Socket Mode work runs in a bounded pool: socketWorkers at once, up to
// socketQueue more waiting. Past that the reader waits too, which delays
// later acks rather than holding unbounded work in memory.
const (
	socketWorkers = 16
	socketQueue   = 256
)

// replyTimeout bounds sending a slash command's reply after the work.
const replyTimeout = 10 * time.Second

// RunSocketMode receives commands, interactions and events over Socket
// Mode (when an app token is set) and feeds them to the same code as the
// HTTP endpoints. Envelopes are handled concurrently, each acknowledged
// once what it asks for is stored (see socketEvent).
// It returns when ctx ends and every envelope received has been handled.
func (b *Bot) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	jobs := make(chan func(), socketQueue)
	var workers sync.WaitGroup
	for range socketWorkers {
		workers.Go(func() {
			for job := range jobs {
				job()
			}
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.socketEvents(ctx, client, jobs)
		// What was acknowledged is done before returning, like HTTP
		// requests under Server.Shutdown.
		close(jobs)
		workers.Wait()
	}()
	err := client.RunContext(ctx)
	<-done
	return err
}

func (b *Bot) socketEvents(ctx context.Context, client *socketmode.Client, jobs chan<- func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt, ok := <-client.Events:
			if !ok {
				return
			}
			// Work that has begun finishes even if shutdown starts
			// meanwhile.
			if job := b.socketEvent(context.WithoutCancel(ctx), client, evt); job != nil {
				b.inflight.Add(1)
				jobs <- func() {
					defer b.inflight.Done()
					b.answering.Add(1)
					defer b.answering.Add(-1)
					job()
				}
			}
		}
	}
}

// socketEvent returns the work evt asks for, or nil. Every envelope is
// acknowledged only once what it asks for is stored, never before: an
// event Slack has no ack for is redelivered, and a command or press
// without one shows the person an error, so nothing acknowledged can be
// lost. What is stored first is what is fast to store:
//   - a slash command is kept as it came, in the outbox (exchange.Accept),
//     and acknowledged at once; the delivery engine carries it out
//     (sendInbound), even after a crash, and answers at its response_url.
//     Its lookups (users.info…) could not hold the ack;
//   - a button press or an event stores its change, and what the bot owes
//     for it (a DM's answer, a form's confirmation) in the outbox, and is
//     then acknowledged; a form's ack carries its answer. Slack calls
//     that need not survive a crash come after (Bot.after).
func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) func() {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return nil
		}
		key := commandKey(sc.TriggerID, evt.Request.Payload)
		return func() {
			if err := b.accept(ctx, sc.UserID, key, evt.Request.Payload); err != nil {
				b.log.Error("command not stored, so not acknowledged", slog.String("user", sc.UserID), slog.Any("error", err))
				return
			}
			client.Ack(*evt.Request)
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return nil
		}
		return func() {
			resp, err := b.interact(ctx, cb)
			if err != nil {
				b.log.Error("interaction failed, so not acknowledged", slog.Any("error", err))
				return
			}
			if resp != nil {
				client.Ack(*evt.Request, resp) // a form's answer (inline errors)
				return
			}
			client.Ack(*evt.Request)
		}
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return nil
		}
		var eventID string
		if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
			eventID = cb.EventID
		}
		return func() {
			if err := b.event(ctx, eventID, ev); err != nil {
				b.log.Error("event failed, so not acknowledged: Slack redelivers it", slog.Any("error", err))
				return
			}
			client.Ack(*evt.Request)
		}
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.log.Warn("socket mode", slog.String("event", string(evt.Type)))
	}
	return nil
}

// replyLater sends a slash command's reply after its ack: to the
// command's response_url (which shows it as the command's own ephemeral
// answer), else as an ephemeral message in the channel.
func (b *Bot) replyLater(ctx context.Context, sc slack.SlashCommand, reply Reply) {
	ctx, cancel := context.WithTimeout(ctx, replyTimeout)
	defer cancel()
	if sc.ResponseURL != "" {
		msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: reply.Text}
		if len(reply.Blocks) > 0 {
			msg.Blocks = &slack.Blocks{BlockSet: reply.Blocks}
		}
		err := slack.PostWebhookCustomHTTPContext(ctx, sc.ResponseURL, replyClient, msg)
		if err == nil {
			return
		}
		b.log.Warn("reply to response_url failed; posting it instead", slog.String("user", sc.UserID), slog.Any("error", err))
	}
	opts := []slack.MsgOption{slack.MsgOptionText(reply.Text, false)}
	if len(reply.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(reply.Blocks...))
	}
	if _, err := b.slack.PostEphemeralContext(ctx, sc.ChannelID, sc.UserID, opts...); err != nil {
		b.log.Error("command reply lost", slog.String("user", sc.UserID), slog.Any("error", err))
	}
}

// replyClient posts to response_url, a Slack URL outside the Web API.
var replyClient = &http.Client{Timeout: replyTimeout}
