package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
)

// channelCheckTimeout bounds the look at a channel while someone waits
// for their session to be scheduled. Without an answer in time the
// session goes ahead: if the post then fails, the outbox tells its
// creator.
const channelCheckTimeout = 2 * time.Second

// errNotInvited: the channel is private (or hidden from the bot) and the
// bot is not in it, so nothing can be posted there until it is invited.
// Public channels need no invitation: the manifest asks for
// chat:write.public.
var errNotInvited = errors.New("bot: not invited to a private channel")

// errArchived: the channel is archived.
var errArchived = errors.New("bot: channel archived")

// checkChannel asks Slack whether the bot can post in channel, at once,
// so that the person scheduling hears it now rather than from a failed
// delivery later.
func (b *Bot) checkChannel(ctx context.Context, channel string) error {
	if b.offline || !(strings.HasPrefix(channel, "C") || strings.HasPrefix(channel, "G")) {
		return nil
	}
	if b.channels.fit(channel, b.now()) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, channelCheckTimeout)
	defer cancel()
	ch, err := b.slack.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err == nil && !ch.IsArchived && !(ch.IsPrivate && !ch.IsMember) {
		b.channels.remember(channel, b.now())
	}
	if err != nil {
		switch slackErrorCode(err) {
		case "channel_not_found", "not_in_channel":
			// Slack hides a private channel from a bot not in it.
			return errNotInvited
		case "is_archived":
			return errArchived
		}
		return nil // Slack could not say: do not stand in the way
	}
	switch {
	case ch.IsArchived:
		return errArchived
	case ch.IsPrivate && !ch.IsMember:
		return errNotInvited
	}
	return nil
}

// channelProblem words what checkChannel found, in plain words.
func (b *Bot) channelProblem(l i18n.Lang, channel string, err error) string {
	if errors.Is(err, errArchived) {
		return tr(l, "native.channel.archived", "Channel", channelRef(channel))
	}
	return tr(l, "native.channel.invite", "Channel", channelRef(channel))
}

// channelFitTTL is how long a channel found fit to announce in is not
// asked about again: scheduling many sessions in one channel asks Slack
// once, not once a command (a round trip while Slack waits). A channel
// archived meanwhile shows when the announcement fails, and its creator is
// told. A channel found unfit is asked about again next time, so an
// invitation shows at once.
const channelFitTTL = 5 * time.Minute

// channelCache remembers when channels were last found fit to post in.
type channelCache struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (c *channelCache) fit(channel string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.at[channel]
	return ok && now.Sub(at) < channelFitTTL
}

func (c *channelCache) remember(channel string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil {
		c.at = map[string]time.Time{}
	}
	c.at[channel] = now
}
