package bot

import (
	"context"
	"errors"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/outbox"
)

// rateGuard stands between the bot and Slack. After a 429 the call's
// method family (Slack limits each method on its own) waits out
// Retry-After for that conversation; a limit on posting to one channel
// holds neither other channels nor users.info or views.open. When Slack
// limits the family in two conversations at once, the family waits. A call
// that must wait fails at once with a RateLimitedError carrying the time
// still to wait, which callers already know how to handle. The pauses are
// kept in the store, so a Retry-After one replica is given holds every
// replica sharing the database.
type rateGuard struct {
	api    SlackAPI
	pauses *outbox.Pauses
	log    *slog.Logger
}

func (g *rateGuard) check(ctx context.Context, method, conversation string) error {
	wait, err := g.pauses.Wait(ctx, method, conversation)
	if err != nil {
		g.log.Warn("other replicas' slack rate limits could not be read", slog.Any("error", err))
	}
	if wait > 0 {
		return &slack.RateLimitedError{RetryAfter: wait}
	}
	return nil
}

func (g *rateGuard) note(ctx context.Context, method, conversation string, err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		whole, serr := g.pauses.Note(ctx, method, conversation, rl.RetryAfter)
		g.log.Warn("slack rate limit", slog.String("method", method), slog.String("conversation", conversation),
			slog.Bool("whole_method", whole), slog.Duration("retry_after", rl.RetryAfter))
		if serr != nil {
			g.log.Error("slack rate limit not shared with other replicas", slog.String("method", method), slog.Any("error", serr))
		}
	}
	return err
}

func (g *rateGuard) PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "chat.postMessage"
	if err := g.check(ctx, m, channelID); err != nil {
		return "", "", err
	}
	ch, ts, err := g.api.PostMessageContext(ctx, channelID, options...)
	return ch, ts, g.note(ctx, m, channelID, err)
}

func (g *rateGuard) PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "chat.postEphemeral"
	if err := g.check(ctx, m, channelID); err != nil {
		return "", err
	}
	ts, err := g.api.PostEphemeralContext(ctx, channelID, userID, options...)
	return ts, g.note(ctx, m, channelID, err)
}

func (g *rateGuard) UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "chat.update"
	if err := g.check(ctx, m, channelID); err != nil {
		return "", "", "", err
	}
	ch, ts, text, err := g.api.UpdateMessageContext(ctx, channelID, timestamp, options...)
	return ch, ts, text, g.note(ctx, m, channelID, err)
}

func (g *rateGuard) OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "conversations.open"
	if err := g.check(ctx, m, ""); err != nil {
		return nil, false, false, err
	}
	ch, noOp, already, err := g.api.OpenConversationContext(ctx, params)
	return ch, noOp, already, g.note(ctx, m, "", err)
}

func (g *rateGuard) OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "views.open"
	if err := g.check(ctx, m, ""); err != nil {
		return nil, err
	}
	resp, err := g.api.OpenViewContext(ctx, triggerID, view)
	return resp, g.note(ctx, m, "", err)
}

func (g *rateGuard) GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "users.info"
	if err := g.check(ctx, m, ""); err != nil {
		return nil, err
	}
	u, err := g.api.GetUserInfoContext(ctx, user, options...)
	return u, g.note(ctx, m, "", err)
}

func (g *rateGuard) GetUserGroupMembersContext(ctx context.Context, group string, options ...slack.GetUserGroupMembersOption) ([]string, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "usergroups.users.list"
	if err := g.check(ctx, m, ""); err != nil {
		return nil, err
	}
	members, err := g.api.GetUserGroupMembersContext(ctx, group, options...)
	return members, g.note(ctx, m, "", err)
}

func (g *rateGuard) GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "conversations.history"
	if err := g.check(ctx, m, params.ChannelID); err != nil {
		return nil, err
	}
	resp, err := g.api.GetConversationHistoryContext(ctx, params)
	return resp, g.note(ctx, m, params.ChannelID, err)
}

func (g *rateGuard) GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "conversations.replies"
	if err := g.check(ctx, m, params.ChannelID); err != nil {
		return nil, false, "", err
	}
	msgs, more, next, err := g.api.GetConversationRepliesContext(ctx, params)
	return msgs, more, next, g.note(ctx, m, params.ChannelID, err)
}

func (g *rateGuard) PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "views.publish"
	if err := g.check(ctx, m, req.UserID); err != nil {
		return nil, err
	}
	resp, err := g.api.PublishViewContext(ctx, req)
	return resp, g.note(ctx, m, req.UserID, err)
}

func (g *rateGuard) GetConversationInfoContext(ctx context.Context, in *slack.GetConversationInfoInput) (*slack.Channel, error) {
	ctx, cancel := answerBound(ctx)
	defer cancel()
	const m = "conversations.info"
	if err := g.check(ctx, m, in.ChannelID); err != nil {
		return nil, err
	}
	ch, err := g.api.GetConversationInfoContext(ctx, in)
	return ch, g.note(ctx, m, in.ChannelID, err)
}
