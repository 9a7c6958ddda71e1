package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// metadataEvent names the Slack message metadata every bot post carries;
// its payload names the outbox row, so recovery can find a post whose
// local commit was lost.
const metadataEvent = "exchangebot_delivery"

// lookupPages bounds how far back recovery pages through a channel.
const lookupPages = 10

func deliveryMetadata(id int64) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType:    metadataEvent,
		EventPayload: map[string]any{"delivery_id": strconv.FormatInt(id, 10)},
	})
}

// The post helpers below are the only way a delivery reaches Slack: each
// records the channel on the row first (so recovery knows where to look,
// and so a worker that lost its claim stops here) and tags the post with
// the row's metadata. A sender makes at most one post per delivery.

// postTop posts a top-level message carrying the delivery's metadata.
func (b *Bot) postTop(ctx context.Context, d store.Delivery, channel string, opts ...slack.MsgOption) (string, string, error) {
	if err := b.recordChannel(ctx, d, channel); err != nil {
		return "", "", err
	}
	opts = append(opts, deliveryMetadata(d.ID))
	return b.postOrPlain(ctx, d, channel, opts)
}

// postOrPlain posts, and when Slack refuses the blocks posts the message
// again as its text alone: the refusal means nothing was posted, and a
// message in plain words is better than none. Every sender's text holds
// what a reader needs.
func (b *Bot) postOrPlain(ctx context.Context, d store.Delivery, channel string, opts []slack.MsgOption) (string, string, error) {
	ch, ts, err := b.slack.PostMessageContext(ctx, channel, opts...)
	if blocksRefused(err) {
		b.log.Warn("slack refused the blocks; posting as text", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind), slog.Any("error", err))
		b.metrics.PlainFallbacks.WithLabelValues(d.Kind).Inc()
		return b.slack.PostMessageContext(ctx, channel, append(opts, slack.MsgOptionBlocks())...)
	}
	return ch, ts, err
}

// postThread posts in the session announcement's thread; until the
// announcement is out it asks to be retried, and when the announcement
// never will be, it posts in the channel instead.
func (b *Bot) postThread(ctx context.Context, d store.Delivery, s *store.Session, opts ...slack.MsgOption) (string, string, error) {
	if s.AnnounceTS == "" {
		state, err := b.store.AnnouncementState(ctx, s.ID)
		switch {
		case err != nil:
			return "", "", err
		case state == store.StatePending || state == store.StateSending || state == store.StateSent:
			// Sent means another process posted it after s was read.
			return "", "", outbox.ErrNotYet
		}
		// The announcement will never be out (it failed, or was never
		// planned): the note goes to the channel itself rather than nowhere.
		channel := d.Recipient
		if channel == "" {
			channel = s.Channel
		}
		if channel == "" {
			return "", "", nil
		}
		return b.postTop(ctx, d, channel, opts...)
	}
	if err := b.recordChannel(ctx, d, s.AnnounceChannel); err != nil {
		return "", "", err
	}
	opts = append(opts, slack.MsgOptionTS(s.AnnounceTS), deliveryMetadata(d.ID))
	return b.postOrPlain(ctx, d, s.AnnounceChannel, opts)
}

// postDM opens (or reuses) the DM with user and posts there.
func (b *Bot) postDM(ctx context.Context, d store.Delivery, user string, opts ...slack.MsgOption) (string, string, error) {
	ch, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", "", err
	}
	return b.postTop(ctx, d, ch.ID, opts...)
}

func (b *Bot) recordChannel(ctx context.Context, d store.Delivery, channel string) error {
	err := b.store.SetDeliveryChannel(ctx, d, channel)
	if errors.Is(err, store.ErrNotFound) {
		return outbox.ErrClaimLost
	}
	return err
}

// findPost looks for the post of delivery d in the channel recorded on
// the row, at the top level and in the session announcement's thread
// (or, for a reply, the DM thread it answered in), by the metadata every
// post carries. The post helpers record the channel before posting, so a
// row without one never got as far as a post; the fallback to the row's
// own channel covers rows claimed by versions that recorded it only for
// DMs.
func (b *Bot) findPost(ctx context.Context, d store.Delivery, s *store.Session) (channel, ts string, found bool, err error) {
	channel = d.Channel
	if channel == "" {
		switch {
		case d.InThread && s != nil:
			channel = s.AnnounceChannel
		case strings.HasPrefix(d.Recipient, "C") || strings.HasPrefix(d.Recipient, "G"):
			channel = d.Recipient
		}
	}
	if channel == "" || d.Kind == kindUpdate || d.Kind == kindHome {
		return "", "", false, nil
	}
	want := strconv.FormatInt(d.ID, 10)
	// Posts come after the row was due; the margin absorbs clock skew
	// between this host and Slack.
	oldest := fmt.Sprintf("%d.000000", d.Due.Add(-10*time.Minute).Unix())
	var thread string
	if s != nil && d.Kind != kindAnnounce && s.AnnounceChannel == channel && s.AnnounceTS != "" {
		thread = s.AnnounceTS
	}
	lookups := []func() (string, error){
		func() (string, error) { return b.findInHistory(ctx, channel, oldest, want) },
	}
	threadFirst := d.InThread
	if d.Kind == exchange.KindReply {
		// A reply to a message in a DM thread went to that thread.
		if r, err := exchange.ReadReply(d.Payload); err == nil && r.Thread != "" && r.Channel == channel {
			thread, threadFirst = r.Thread, true
		}
	}
	if thread != "" {
		inThread := func() (string, error) { return b.findInReplies(ctx, channel, thread, oldest, want) }
		if threadFirst {
			lookups = []func() (string, error){inThread, lookups[0]}
		} else {
			lookups = append(lookups, inThread)
		}
	}
	for _, look := range lookups {
		ts, err := look()
		if err != nil || ts != "" {
			return channel, ts, ts != "", err
		}
	}
	return "", "", false, nil
}

func (b *Bot) findInHistory(ctx context.Context, channel, oldest, want string) (string, error) {
	cursor := ""
	for range lookupPages {
		resp, err := b.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Oldest: oldest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true,
		})
		if err != nil {
			return "", err
		}
		if ts := matchDelivery(resp.Messages, want); ts != "" {
			return ts, nil
		}
		cursor = resp.ResponseMetaData.NextCursor
		if !resp.HasMore || cursor == "" {
			return "", nil
		}
	}
	return "", nil
}

func (b *Bot) findInReplies(ctx context.Context, channel, thread, oldest, want string) (string, error) {
	cursor := ""
	for range lookupPages {
		msgs, more, next, err := b.slack.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: thread, Oldest: oldest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true,
		})
		if err != nil {
			return "", err
		}
		if ts := matchDelivery(msgs, want); ts != "" {
			return ts, nil
		}
		if !more || next == "" {
			return "", nil
		}
		cursor = next
	}
	return "", nil
}

// matchDelivery returns the ts of the message whose metadata names the
// delivery want.
func matchDelivery(msgs []slack.Message, want string) string {
	for _, m := range msgs {
		md := m.Metadata
		if md.EventType == metadataEvent && fmt.Sprint(md.EventPayload["delivery_id"]) == want {
			return m.Timestamp
		}
	}
	return ""
}
