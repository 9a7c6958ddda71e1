package bot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/slack-go/slack"
)

// tellUser shows reply to one person: ephemerally in channel when known,
// else in their DM with the bot. It posts once the request's answer is on
// its way (Bot.after): what it says is about a change already stored (or
// refused), and the post must not hold the answer Slack waits for.
func (b *Bot) tellUser(_ context.Context, channel, user string, r Reply) {
	b.after(func(ctx context.Context) error {
		opts := []slack.MsgOption{slack.MsgOptionText(r.Text, false)}
		if len(r.Blocks) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(r.Blocks...))
		}
		var err error
		if channel != "" {
			_, err = b.slack.PostEphemeralContext(ctx, channel, user, opts...)
		} else {
			_, _, err = b.slack.PostMessageContext(ctx, user, opts...)
		}
		if err != nil {
			b.log.Warn("could not tell the user", "user", user, "error", err)
		}
		return nil
	})
}

// handleAction serves a button press by its action id; the reply goes
// to the presser.
func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	if fn := b.routes.actions[a.ActionID]; fn != nil {
		return fn(b, ctx, cb, a)
	}
	b.log.Warn("unknown action", "action_id", a.ActionID)
	return nil
}

var _ = actions.add(actionJoin, (*Bot).pressJoin)

func (b *Bot) pressJoin(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: join button with value %q", a.Value)
	}
	lang := b.readerLang(ctx, cb.User.ID)
	reply, err := b.join(ctx, lang, cb.User.ID, id)
	if err != nil {
		text, ok := b.mistake(lang, err)
		if !ok {
			return err
		}
		reply = Reply{Text: text}
	}
	b.metrics.Commands.WithLabelValues("join_button", "ok").Inc()
	return b.answerPress(ctx, cb, reply)
}

var _ = actions.add(actionCalendar, (*Bot).pressCalendar)

// pressCalendar answers nothing: the button is a link that Slack opens,
// and the press it reports needs no reply.
func (b *Bot) pressCalendar(context.Context, slack.InteractionCallback, *slack.BlockAction) error {
	return nil
}

// handleViewSubmission routes a submitted modal by callback id.
func (b *Bot) handleViewSubmission(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if fn := b.routes.views[cb.View.CallbackID]; fn != nil {
		return fn(b, ctx, cb)
	}
	return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("unknown view %q", cb.View.CallbackID)}
}
