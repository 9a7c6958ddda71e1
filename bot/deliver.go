package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

// metadataEvent names the Slack message metadata every bot post carries;
// its payload names the outbox row, so recovery can find a post whose
// local commit was lost.
const metadataEvent = "exchangebot_delivery"

const (
	deliverBatch = 50
	maxAttempts  = 8
)

// errRetryLater is returned by a sender that cannot act yet (a thread
// note whose announcement is not out) and wants another try soon.
var errRetryLater = errors.New("waiting for the announcement")

func deliveryMetadata(id int64) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType:    metadataEvent,
		EventPayload: map[string]any{"delivery_id": strconv.FormatInt(id, 10)},
	})
}

// deliverDue sends every delivery that is due. It stops at the first rate
// limit, leaving the rest for after Slack's Retry-After.
func (b *Bot) deliverDue(ctx context.Context) error {
	for {
		if wait := b.rateLimitWait(); wait > 0 {
			return nil
		}
		due, err := b.store.DueDeliveries(ctx, b.now(), deliverBatch)
		if err != nil {
			return err
		}
		for _, d := range due {
			if err := ctx.Err(); err != nil {
				return err
			}
			if b.rateLimitWait() > 0 {
				return nil
			}
			if err := b.deliverOne(ctx, d.ID); err != nil {
				return err
			}
		}
		if len(due) < deliverBatch {
			return nil
		}
	}
}

func (b *Bot) rateLimitWait() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rateLimitedUntil.Sub(b.now())
}

// deliverOne claims and sends one row; only store errors are returned,
// Slack errors are recorded on the row.
func (b *Bot) deliverOne(ctx context.Context, id int64) error {
	now := b.now()
	d, err := b.store.ClaimDelivery(ctx, id, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil // another worker took it
	}
	if err != nil {
		return err
	}
	var sess *store.Session
	if d.SessionID != 0 {
		if sess, err = b.store.Session(ctx, d.SessionID); err != nil {
			return err
		}
	}
	if !d.Deadline.IsZero() && !now.Before(d.Deadline) {
		b.metrics.Deliveries.WithLabelValues(d.Kind, "skipped").Inc()
		return b.store.MarkDone(ctx, d.ID, store.StateSkipped, "too late to arrive before the session", now)
	}
	channel, ts, err := b.send(ctx, d, sess)
	now = b.now()
	var rl *slack.RateLimitedError
	switch {
	case err == nil:
		b.metrics.Deliveries.WithLabelValues(d.Kind, "sent").Inc()
		if channel == "" {
			// Nothing to post (e.g. a nudge to someone who answered).
			return b.store.MarkDone(ctx, d.ID, store.StateSkipped, "nothing to send", now)
		}
		if d.Kind == kindAnnounce {
			return b.store.MarkAnnounced(ctx, d, channel, ts, now)
		}
		return b.store.MarkSent(ctx, d.ID, channel, ts, now)
	case errors.Is(err, errRetryLater):
		return b.store.MarkRetry(ctx, d.ID, now.Add(5*time.Second), err.Error(), now)
	case errors.As(err, &rl):
		until := now.Add(rl.RetryAfter)
		b.mu.Lock()
		if until.After(b.rateLimitedUntil) {
			b.rateLimitedUntil = until
		}
		b.mu.Unlock()
		b.metrics.Deliveries.WithLabelValues(d.Kind, "rate_limited").Inc()
		b.log.Warn("slack rate limit", slog.Duration("retry_after", rl.RetryAfter), slog.Int64("delivery", d.ID))
		return b.store.MarkRetry(ctx, d.ID, until, err.Error(), now)
	case permanent(err) || d.Attempts >= maxAttempts:
		b.metrics.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
		b.log.Error("delivery failed", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind), slog.Any("error", err))
		return b.store.MarkDone(ctx, d.ID, store.StateFailed, err.Error(), now)
	default:
		b.metrics.Deliveries.WithLabelValues(d.Kind, "retry").Inc()
		backoff := time.Duration(math.Min(float64(5*time.Second)*math.Pow(2, float64(d.Attempts-1)), float64(30*time.Minute)))
		b.log.Warn("delivery will be retried", slog.Int64("delivery", d.ID), slog.Duration("in", backoff), slog.Any("error", err))
		return b.store.MarkRetry(ctx, d.ID, now.Add(backoff), err.Error(), now)
	}
}

// permanent reports Slack answers that no retry will change.
func permanent(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive",
		"user_not_found", "cannot_dm_bot", "invalid_blocks", "msg_too_long", "message_not_found", "cant_update_message":
		return true
	}
	return false
}

// send posts one delivery and returns where it went. An empty channel
// with no error means there was nothing left to say.
func (b *Bot) send(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	switch d.Kind {
	case kindAnnounce:
		return b.postTop(ctx, d, d.Recipient,
			slack.MsgOptionText(announcementText(s), false),
			slack.MsgOptionBlocks(announcementBlocks(s, b.cfg.BaseURL)...))
	case kindUpdate:
		if s.AnnounceTS == "" {
			return "", "", nil // the announcement, when it goes out, shows the current state
		}
		_, _, _, err := b.slack.UpdateMessageContext(ctx, s.AnnounceChannel, s.AnnounceTS,
			slack.MsgOptionText(announcementText(s), false),
			slack.MsgOptionBlocks(announcementBlocks(s, b.cfg.BaseURL)...))
		return s.AnnounceChannel, s.AnnounceTS, err
	case kindThread:
		return b.postThread(ctx, d, s, slack.MsgOptionText(d.Payload, false))
	}
	if fn := b.senders[d.Kind]; fn != nil {
		return fn(ctx, d, s)
	}
	return "", "", fmt.Errorf("bot: unknown delivery kind %q", d.Kind)
}

// postTop posts a top-level message carrying the delivery's metadata.
func (b *Bot) postTop(ctx context.Context, d store.Delivery, channel string, opts ...slack.MsgOption) (string, string, error) {
	opts = append(opts, deliveryMetadata(d.ID))
	return b.slack.PostMessageContext(ctx, channel, opts...)
}

// postThread posts in the session announcement's thread; until the
// announcement exists it asks to be retried.
func (b *Bot) postThread(ctx context.Context, d store.Delivery, s *store.Session, opts ...slack.MsgOption) (string, string, error) {
	if s.AnnounceTS == "" {
		return "", "", errRetryLater
	}
	opts = append(opts, slack.MsgOptionTS(s.AnnounceTS), deliveryMetadata(d.ID))
	return b.slack.PostMessageContext(ctx, s.AnnounceChannel, opts...)
}

// postDM opens (or reuses) the DM with user and posts there.
func (b *Bot) postDM(ctx context.Context, d store.Delivery, user string, opts ...slack.MsgOption) (string, string, error) {
	ch, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", "", err
	}
	if err := b.store.SetDeliveryChannel(ctx, d.ID, ch.ID); err != nil {
		return "", "", err
	}
	return b.postTop(ctx, d, ch.ID, opts...)
}

// sender delivers one kind of outbox row.
type sender func(ctx context.Context, d store.Delivery, s *store.Session) (channel, ts string, err error)
