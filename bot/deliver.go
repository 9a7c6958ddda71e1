package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
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
	// maxAttempts bounds retries of errors that are neither transient
	// (Slack down) nor known to be permanent. Transient errors are retried
	// for as long as the message is still useful: an outage loses nothing.
	maxAttempts = 8
	minBackoff  = 5 * time.Second
	maxBackoff  = 10 * time.Minute
	// sendTimeout bounds the Slack side of one delivery, from its claim to
	// the end of the post. A worker that has not finished by then has
	// given up on that post.
	sendTimeout = 15 * time.Second
	// recoverAfter is how old a claim must be before recovery takes the
	// row back. Another live process (the server and `exchangebot run`
	// share the database) may be posting a younger one; once sendTimeout
	// has passed, and Slack has had ample time to finish a post it was
	// handed, the row's fate in Slack is settled and can be looked up.
	recoverAfter = sendTimeout + 30*time.Second
	// markTimeout bounds recording an outcome, which goes ahead even when
	// the run's context has ended: an unrecorded post waits for recovery.
	markTimeout = 10 * time.Second
	// lookupPages bounds how far back recovery pages through a channel.
	lookupPages = 10
)

var (
	// errRetryLater is returned by a sender that cannot act yet (a thread
	// note whose announcement is not out) and wants another try soon.
	errRetryLater = errors.New("waiting for the announcement")
	// errNoThread means the announcement will never be posted (it failed
	// or was withdrawn), so there is no thread to post in.
	errNoThread = errors.New("the announcement never went out, so there is no thread to post in")
	// errClaimLost means recovery took the row back from this worker,
	// which therefore must neither post nor record anything.
	errClaimLost = errors.New("bot: delivery claim lost")
	// errLookup marks a failure to check Slack for an earlier attempt:
	// whether that attempt was posted is still unknown.
	errLookup = errors.New("looking for an earlier attempt")
)

func deliveryMetadata(id int64) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType:    metadataEvent,
		EventPayload: map[string]any{"delivery_id": strconv.FormatInt(id, 10)},
	})
}

// deliverDue first settles rows a dead worker left in sending, then sends
// every delivery that is due. It stops at a rate limit, leaving the rest
// for after Slack's Retry-After, and at the first sign that Slack is down,
// so an outage costs one call per run rather than one per row.
func (b *Bot) deliverDue(ctx context.Context) error {
	if err := b.recoverSending(ctx); err != nil {
		return err
	}
	for {
		if b.rateLimitWait() > 0 {
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
			more, err := b.deliverOne(ctx, d.ID)
			if err != nil {
				return err
			}
			if !more {
				return nil
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

// noteRateLimit starts (or extends) the quiet period Slack asked for.
func (b *Bot) noteRateLimit(retryAfter time.Duration) {
	until := b.now().Add(retryAfter)
	b.mu.Lock()
	if until.After(b.rateLimitedUntil) {
		b.rateLimitedUntil = until
	}
	b.mu.Unlock()
	b.log.Warn("slack rate limit: no calls until it passes", slog.Duration("retry_after", retryAfter))
}

// deliverOne claims and sends one row and records the outcome on it. It
// returns false when the run should stop (Slack limiting us or down);
// only store errors are returned as errors.
func (b *Bot) deliverOne(ctx context.Context, id int64) (bool, error) {
	// The deadline starts before the claim, so every Slack call made under
	// this claim ends within sendTimeout of it (see recoverAfter).
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	d, err := b.store.ClaimDelivery(ctx, id, b.now())
	if errors.Is(err, store.ErrNotFound) {
		return true, nil // another worker took it
	}
	if err != nil {
		return false, err
	}
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer mcancel()

	var sess *store.Session
	if d.SessionID != 0 {
		if sess, err = b.store.Session(sctx, d.SessionID); err != nil {
			now := b.now()
			return false, errors.Join(err, b.settled(d, b.store.MarkUncertain(mctx, d, now.Add(minBackoff), err.Error(), now)))
		}
	}
	if b.tooLate(d, b.now()) {
		return true, b.skip(mctx, d, "too late to arrive before the session")
	}
	if d.Channel != "" {
		// An earlier attempt may have reached Slack: look before posting again.
		channel, ts, found, err := b.findPost(sctx, d, sess)
		if err != nil {
			return b.failed(mctx, d, fmt.Errorf("%w: %w", errLookup, err))
		}
		if found {
			return true, b.markPosted(mctx, d, channel, ts)
		}
	}
	channel, ts, err := b.send(sctx, d, sess)
	if err != nil {
		return b.failed(mctx, d, err)
	}
	if channel == "" {
		// Nothing to post (e.g. a nudge to someone who answered).
		return true, b.skip(mctx, d, "nothing to send")
	}
	return true, b.markPosted(mctx, d, channel, ts)
}

// tooLate reports whether a delivery can no longer arrive in time.
func (b *Bot) tooLate(d store.Delivery, at time.Time) bool {
	return !d.Deadline.IsZero() && !at.Before(d.Deadline)
}

func (b *Bot) skip(ctx context.Context, d store.Delivery, reason string) error {
	b.metrics.Deliveries.WithLabelValues(d.Kind, "skipped").Inc()
	return b.settled(d, b.store.MarkDone(ctx, d, store.StateSkipped, reason, b.now()))
}

func (b *Bot) markPosted(ctx context.Context, d store.Delivery, channel, ts string) error {
	b.metrics.Deliveries.WithLabelValues(d.Kind, "sent").Inc()
	if d.Kind == kindAnnounce {
		return b.settled(d, b.store.MarkAnnounced(ctx, d, channel, ts, b.now()))
	}
	return b.settled(d, b.store.MarkPosted(ctx, d, channel, ts, b.now()))
}

// settled passes on a store error, except that a claim lost to recovery
// is only logged: whoever took the row back records its fate.
func (b *Bot) settled(d store.Delivery, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		b.log.Warn("delivery was taken back by recovery", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind))
		return nil
	}
	return err
}

// failed records a failed attempt and says whether the run goes on.
func (b *Bot) failed(ctx context.Context, d store.Delivery, err error) (bool, error) {
	now := b.now()
	var rl *slack.RateLimitedError
	switch {
	case errors.Is(err, errClaimLost):
		b.log.Warn("delivery was taken back by recovery before posting", slog.Int64("delivery", d.ID))
		return true, nil
	case errors.Is(err, errNoThread):
		b.metrics.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
		return true, b.settled(d, b.store.MarkDone(ctx, d, store.StateFailed, err.Error(), now))
	case errors.Is(err, errRetryLater):
		wait := min(backoff(d.Attempts), time.Minute)
		return true, b.retry(ctx, d, now.Add(wait), err, false)
	case errors.As(err, &rl):
		// The guard holds every call until Retry-After; the row keeps its
		// place in the queue, so an announcement still goes out before
		// the thread replies that wait for it.
		b.metrics.Deliveries.WithLabelValues(d.Kind, "rate_limited").Inc()
		return false, b.retry(ctx, d, d.NextAttempt, err, false)
	case permanent(err):
		b.metrics.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
		b.log.Error("delivery failed", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind), slog.Any("error", err))
		return true, b.settled(d, b.store.MarkDone(ctx, d, store.StateFailed, err.Error(), now))
	case transient(err):
		b.metrics.Deliveries.WithLabelValues(d.Kind, "retry").Inc()
		b.log.Warn("slack unavailable, delivery will be retried", slog.Int64("delivery", d.ID),
			slog.Duration("in", backoff(d.Attempts)), slog.Any("error", err))
		return false, b.retry(ctx, d, now.Add(backoff(d.Attempts)), err, true)
	case d.Attempts >= maxAttempts:
		b.metrics.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
		b.log.Error("delivery failed", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind),
			slog.Int("attempts", d.Attempts), slog.Any("error", err))
		return true, b.settled(d, b.store.MarkDone(ctx, d, store.StateFailed, err.Error(), now))
	default:
		b.metrics.Deliveries.WithLabelValues(d.Kind, "retry").Inc()
		b.log.Warn("delivery will be retried", slog.Int64("delivery", d.ID), slog.Duration("in", backoff(d.Attempts)), slog.Any("error", err))
		var se slack.SlackErrorResponse
		// An error answer from Slack means the post was refused; anything
		// else (a sender's own error) may have come after a post.
		return true, b.retry(ctx, d, now.Add(backoff(d.Attempts)), err, !errors.As(err, &se))
	}
}

// retry puts d back for another attempt at next, unless by then it would
// arrive after its deadline. uncertain says Slack may have taken the post.
func (b *Bot) retry(ctx context.Context, d store.Delivery, next time.Time, cause error, uncertain bool) error {
	if b.tooLate(d, next) {
		return b.skip(ctx, d, "too late to arrive before the session: "+cause.Error())
	}
	if uncertain || errors.Is(cause, errLookup) {
		return b.settled(d, b.store.MarkUncertain(ctx, d, next, cause.Error(), b.now()))
	}
	return b.settled(d, b.store.MarkRetry(ctx, d, next, cause.Error(), b.now()))
}

// backoff doubles from minBackoff with each attempt, up to maxBackoff.
func backoff(attempts int) time.Duration {
	d := minBackoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// permanent reports Slack answers that no retry will change.
func permanent(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "token_revoked",
		"missing_scope", "user_not_found", "cannot_dm_bot", "invalid_blocks", "msg_too_long", "message_not_found",
		"cant_update_message", "restricted_action", "thread_not_found":
		return true
	}
	return false
}

// transient reports errors that mean Slack is unreachable or failing
// (network errors, timeouts, 5xx, Slack's own internal errors). Slack may
// or may not have acted on the request.
func transient(err error) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
		return false
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == 408 || sc.Code == 429
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
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
		// chat.update sets the whole message, so repeating it is harmless
		// and it needs no metadata to be found again.
		_, _, _, err := b.slack.UpdateMessageContext(ctx, s.AnnounceChannel, s.AnnounceTS,
			slack.MsgOptionText(announcementText(s), false),
			slack.MsgOptionBlocks(announcementBlocks(s, b.cfg.BaseURL)...))
		return s.AnnounceChannel, s.AnnounceTS, err
	case kindThread:
		return b.postThread(ctx, d, s, slack.MsgOptionText(noticeText(d), false))
	}
	if fn := b.senders[d.Kind]; fn != nil {
		return fn(ctx, d, s)
	}
	return "", "", fmt.Errorf("bot: unknown delivery kind %q", d.Kind)
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
	return b.slack.PostMessageContext(ctx, channel, opts...)
}

// postThread posts in the session announcement's thread; until the
// announcement is out it asks to be retried, and it gives up when the
// announcement never will be.
func (b *Bot) postThread(ctx context.Context, d store.Delivery, s *store.Session, opts ...slack.MsgOption) (string, string, error) {
	if s.AnnounceTS == "" {
		state, err := b.store.AnnouncementState(ctx, s.ID)
		switch {
		case err != nil:
			return "", "", err
		case state == store.StatePending || state == store.StateSending || state == store.StateSent:
			// Sent means another process posted it after s was read.
			return "", "", errRetryLater
		}
		return "", "", errNoThread
	}
	if err := b.recordChannel(ctx, d, s.AnnounceChannel); err != nil {
		return "", "", err
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
	return b.postTop(ctx, d, ch.ID, opts...)
}

func (b *Bot) recordChannel(ctx context.Context, d store.Delivery, channel string) error {
	err := b.store.SetDeliveryChannel(ctx, d, channel)
	if errors.Is(err, store.ErrNotFound) {
		return errClaimLost
	}
	return err
}

// sender delivers one kind of outbox row, through postTop, postThread or
// postDM.
type sender func(ctx context.Context, d store.Delivery, s *store.Session) (channel, ts string, err error)

// recoverSending settles rows a worker left in sending long enough ago
// that it must have died between Slack and its local commit. Each is
// looked up in Slack by its metadata: found, it is recorded as sent with
// Slack's ts; not found, it goes back to pending and is sent again.
func (b *Bot) recoverSending(ctx context.Context) error {
	stale, err := b.store.SendingDeliveries(ctx, b.now().Add(-recoverAfter))
	if err != nil {
		return err
	}
	for _, d := range stale {
		if err := ctx.Err(); err != nil {
			return err
		}
		if b.rateLimitWait() > 0 {
			return nil
		}
		more, err := b.recoverOne(ctx, d)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return nil
}

func (b *Bot) recoverOne(ctx context.Context, d store.Delivery) (bool, error) {
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer mcancel()
	var sess *store.Session
	if d.SessionID != 0 {
		var err error
		if sess, err = b.store.Session(sctx, d.SessionID); err != nil {
			return false, err
		}
	}
	channel, ts, found, err := b.findPost(sctx, d, sess)
	log := b.log.With(slog.Int64("delivery", d.ID), slog.String("kind", d.Kind))
	switch {
	case err != nil && permanent(err):
		// Slack will not say whether it has the post; sending again could
		// duplicate it, so the row ends here with the reason.
		log.Error("recovery: cannot look the delivery up in Slack", slog.Any("error", err))
		b.metrics.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
		return true, b.settled(d, b.store.MarkDone(mctx, d, store.StateFailed, "recovery could not check Slack: "+err.Error(), b.now()))
	case err != nil:
		// Stays in sending; the next run asks again.
		log.Warn("recovery: lookup failed, will retry", slog.Any("error", err))
		return false, nil
	case found:
		log.Info("recovery: delivery was posted before the crash", slog.String("channel", channel), slog.String("ts", ts))
		return true, b.markPosted(mctx, d, channel, ts)
	case b.tooLate(d, b.now()):
		return true, b.skip(mctx, d, "too late to arrive before the session (recovered: not in Slack)")
	default:
		log.Info("recovery: delivery not in Slack, sending it again")
		b.metrics.Deliveries.WithLabelValues(d.Kind, "recovered").Inc()
		return true, b.settled(d, b.store.MarkRetry(mctx, d, b.now(), "recovered: not found in Slack", b.now()))
	}
}

// findPost looks for the post of delivery d in the channel recorded on
// the row, at the top level and in the session announcement's thread,
// by the metadata every post carries. The post helpers record the channel
// before posting, so a row without one never got as far as a post; the
// fallback to the row's own channel covers rows claimed by versions that
// recorded it only for DMs.
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
	if channel == "" || d.Kind == kindUpdate {
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
	if thread != "" {
		inThread := func() (string, error) { return b.findInReplies(ctx, channel, thread, oldest, want) }
		if d.InThread {
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

// rateGuard stands between the bot and Slack: after a 429 no call at all,
// from any part of the bot, goes out before Retry-After has passed. A call
// in that window fails at once with a RateLimitedError carrying the time
// still to wait, which callers already know how to handle.
type rateGuard struct {
	api SlackAPI
	b   *Bot
}

func (g *rateGuard) check() error {
	if wait := g.b.rateLimitWait(); wait > 0 {
		return &slack.RateLimitedError{RetryAfter: wait}
	}
	return nil
}

func (g *rateGuard) note(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		g.b.noteRateLimit(rl.RetryAfter)
	}
	return err
}

func (g *rateGuard) PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error) {
	if err := g.check(); err != nil {
		return "", "", err
	}
	ch, ts, err := g.api.PostMessageContext(ctx, channelID, options...)
	return ch, ts, g.note(err)
}

func (g *rateGuard) PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error) {
	if err := g.check(); err != nil {
		return "", err
	}
	ts, err := g.api.PostEphemeralContext(ctx, channelID, userID, options...)
	return ts, g.note(err)
}

func (g *rateGuard) UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error) {
	if err := g.check(); err != nil {
		return "", "", "", err
	}
	ch, ts, text, err := g.api.UpdateMessageContext(ctx, channelID, timestamp, options...)
	return ch, ts, text, g.note(err)
}

func (g *rateGuard) OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	if err := g.check(); err != nil {
		return nil, false, false, err
	}
	ch, noOp, already, err := g.api.OpenConversationContext(ctx, params)
	return ch, noOp, already, g.note(err)
}

func (g *rateGuard) OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	resp, err := g.api.OpenViewContext(ctx, triggerID, view)
	return resp, g.note(err)
}

func (g *rateGuard) GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	u, err := g.api.GetUserInfoContext(ctx, user, options...)
	return u, g.note(err)
}

func (g *rateGuard) GetUserGroupMembersContext(ctx context.Context, group string, options ...slack.GetUserGroupMembersOption) ([]string, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	members, err := g.api.GetUserGroupMembersContext(ctx, group, options...)
	return members, g.note(err)
}

func (g *rateGuard) GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	resp, err := g.api.GetConversationHistoryContext(ctx, params)
	return resp, g.note(err)
}

func (g *rateGuard) GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	if err := g.check(); err != nil {
		return nil, false, "", err
	}
	msgs, more, next, err := g.api.GetConversationRepliesContext(ctx, params)
	return msgs, more, next, g.note(err)
}
