package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
)

// offlineSlack stands in for Slack when no bot token is configured: every
// call is written to the log and succeeds, so the rest of the bot (store,
// feeds, outbox) runs exactly as it would online.
type offlineSlack struct {
	log *slog.Logger
	seq atomic.Int64
}

func (o *offlineSlack) ts() string {
	return fmt.Sprintf("%d.%06d", time.Now().Unix(), o.seq.Add(1)%1000000)
}

func (o *offlineSlack) logMessage(method, channel string, options []slack.MsgOption) {
	_, values, err := slack.UnsafeApplyMsgOptions("", channel, "", options...)
	if err != nil {
		o.log.Info("offline: would call Slack", slog.String("method", method), slog.String("channel", channel))
		return
	}
	values.Del("token")
	o.log.Info("offline: would call Slack", slog.String("method", method), slog.String("channel", channel),
		slog.String("text", values.Get("text")), slog.String("thread_ts", values.Get("thread_ts")),
		slog.String("blocks", values.Get("blocks")))
}

func (o *offlineSlack) PostMessageContext(_ context.Context, channel string, options ...slack.MsgOption) (string, string, error) {
	o.logMessage("chat.postMessage", channel, options)
	return channel, o.ts(), nil
}

func (o *offlineSlack) PostEphemeralContext(_ context.Context, channel, user string, options ...slack.MsgOption) (string, error) {
	o.logMessage("chat.postEphemeral", channel+"/"+user, options)
	return o.ts(), nil
}

func (o *offlineSlack) UpdateMessageContext(_ context.Context, channel, ts string, options ...slack.MsgOption) (string, string, string, error) {
	o.logMessage("chat.update", channel, options)
	return channel, ts, "", nil
}

func (o *offlineSlack) OpenConversationContext(_ context.Context, p *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	o.log.Info("offline: would call Slack", slog.String("method", "conversations.open"), slog.Any("users", p.Users))
	ch := &slack.Channel{}
	// A user id stands in for the DM channel, so offline logs stay readable.
	if len(p.Users) > 0 {
		ch.ID = p.Users[0]
	}
	return ch, false, false, nil
}

func (o *offlineSlack) OpenViewContext(_ context.Context, _ string, view slack.ModalViewRequest) (*slack.ViewResponse, error) {
	o.log.Info("offline: would call Slack", slog.String("method", "views.open"), slog.String("callback_id", view.CallbackID))
	return &slack.ViewResponse{}, nil
}

func (o *offlineSlack) GetUserInfoContext(context.Context, string, ...slack.GetUserInfoOption) (*slack.User, error) {
	return nil, errOffline
}

func (o *offlineSlack) GetUserGroupMembersContext(context.Context, string, ...slack.GetUserGroupMembersOption) ([]string, error) {
	return nil, errOffline
}

func (o *offlineSlack) GetConversationHistoryContext(context.Context, *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	return &slack.GetConversationHistoryResponse{}, nil
}

func (o *offlineSlack) GetConversationRepliesContext(context.Context, *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	return nil, false, "", nil
}

func (o *offlineSlack) PublishViewContext(_ context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error) {
	o.log.Info("offline: would call Slack", slog.String("method", "views.publish"), slog.String("user", req.UserID))
	return &slack.ViewResponse{}, nil
}

func (o *offlineSlack) GetConversationInfoContext(context.Context, *slack.GetConversationInfoInput) (*slack.Channel, error) {
	return nil, errOffline
}

var errOffline = errors.New("bot: offline, no Slack token")
