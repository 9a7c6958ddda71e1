package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives commands, interactions and events over Socket
// Mode (when an app token is set) and feeds them to the same code as the
// HTTP endpoints. It returns when ctx ends and the event being handled,
// if any, is done.
func (b *Bot) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.socketEvents(ctx, client)
	}()
	err := client.RunContext(ctx)
	<-done
	return err
}

func (b *Bot) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt, ok := <-client.Events:
			if !ok {
				return
			}
			// A command that has begun finishes even if shutdown starts
			// meanwhile, like an HTTP request under Server.Shutdown.
			b.inflight.Add(1)
			b.socketEvent(context.WithoutCancel(ctx), client, evt)
			b.inflight.Done()
		}
	}
}

func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return
		}
		reply, dup := b.runCommand(ctx, sc, commandKey(sc.TriggerID, evt.Request.Payload))
		if dup {
			client.Ack(*evt.Request)
			return
		}
		client.Ack(*evt.Request, ephemeral(reply))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return
		}
		resp, err := b.interact(ctx, cb)
		if err != nil {
			b.log.Error("interaction failed", slog.Any("error", err))
		}
		if resp != nil {
			client.Ack(*evt.Request, resp)
			return
		}
		client.Ack(*evt.Request)
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		var eventID string
		if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
			eventID = cb.EventID
		}
		// Acked once stored: an event not acked is redelivered by Slack.
		if err := b.event(ctx, eventID, ev); err != nil {
			b.log.Error("event failed", slog.Any("error", err))
			return
		}
		client.Ack(*evt.Request)
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.log.Warn("socket mode", slog.String("event", string(evt.Type)))
	}
}
