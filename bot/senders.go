package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// Slack is the delivery engine's surface for every kind of outbox row:
// slackSender implements outbox.Sender over one registry of senders by
// kind (Bot.senders). Each kind registers beside its handler: the ones
// below here, reminders with them, lessons and the digest in their files.

// sender delivers one kind of outbox row, through postTop, postThread or
// postDM. An empty channel with no error means there was nothing to say.
type sender func(ctx context.Context, d store.Delivery, s *store.Session) (channel, ts string, err error)

func (b *Bot) registerSenders() {
	b.senders[kindAnnounce] = b.sendAnnouncement
	b.senders[kindUpdate] = b.sendUpdate
	b.senders[kindThread] = b.sendThreadNote
	b.senders[kindReminder] = b.sendReminder
	b.senders[kindUndelivered] = b.sendUndelivered
	b.senders[kindHome] = b.sendHome
	b.senders[kindSpeakerAdded] = b.sendSpeakerAdded
	for kind, fn := range extraSenders {
		b.senders[kind] = func(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
			return fn(b, ctx, d, s)
		}
	}
}

func (b *Bot) sendAnnouncement(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	text, blocks, err := b.announcementOf(ctx, s)
	if err != nil {
		return "", "", err
	}
	return b.postTop(ctx, d, d.Recipient, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
}

// sendUpdate refreshes the announcement. chat.update sets the whole
// message, so repeating it is harmless and it needs no metadata to be
// found again.
func (b *Bot) sendUpdate(ctx context.Context, _ store.Delivery, s *store.Session) (string, string, error) {
	if s.AnnounceTS == "" {
		return "", "", nil // the announcement, when it goes out, shows the current state
	}
	text, blocks, err := b.announcementOf(ctx, s)
	if err != nil {
		return "", "", err
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	_, _, _, err = b.slack.UpdateMessageContext(ctx, s.AnnounceChannel, s.AnnounceTS, opts...)
	if blocksRefused(err) {
		b.metrics.PlainFallbacks.WithLabelValues(kindUpdate).Inc()
		_, _, _, err = b.slack.UpdateMessageContext(ctx, s.AnnounceChannel, s.AnnounceTS, append(opts, slack.MsgOptionBlocks())...)
	}
	return s.AnnounceChannel, s.AnnounceTS, err
}

// blocksRefused reports whether Slack refused a message for its blocks
// or its length: the same words as plain text will be taken.
func blocksRefused(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks":
		return true
	}
	return false
}

func (b *Bot) sendThreadNote(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	text, ok := seriesNoticeText(b.postLang(s), d.Payload)
	if !ok {
		text = noticeText(b.postLang(s), d)
	}
	if n, ok := exchange.ReadNotice(d.Payload); ok && n.Event == exchange.NoticeLink {
		text = linkNote(b.postLang(s), n)
	}
	return b.postThread(ctx, d, s, slack.MsgOptionText(text, false))
}

// linkNote tells the thread that the join link changed.
func linkNote(l i18n.Lang, n exchange.Notice) string {
	if n.Link == "" {
		return tr(l, "native.notice.link_removed", "Title", escapeText(n.Title))
	}
	return tr(l, "native.notice.link", "Title", escapeText(n.Title), "Link", "<"+n.Link+">", "Date", dateIn(l, n.Start, n.TZ))
}

// slackSender is the Slack surface of the delivery engine.
type slackSender struct{ b *Bot }

var _ outbox.Sender = slackSender{}

func (ss slackSender) session(ctx context.Context, d store.Delivery) (*store.Session, error) {
	if d.SessionID == 0 {
		return nil, nil
	}
	return ss.b.store.Session(ctx, d.SessionID)
}

func (ss slackSender) Send(ctx context.Context, d store.Delivery) (outbox.Result, error) {
	fn := ss.b.senders[d.Kind]
	if fn == nil {
		// Refused, not failed: a newer version sharing the database may know it.
		return outbox.Result{}, fmt.Errorf("bot: unknown delivery kind %q", d.Kind)
	}
	s, err := ss.session(ctx, d)
	if err != nil {
		return outbox.Result{}, err
	}
	channel, ts, err := fn(ctx, d, s)
	if channel == "" && err == nil {
		return outbox.Result{}, nil
	}
	return outbox.Result{Channel: channel, TS: ts, Announcement: d.Kind == kindAnnounce}, err
}

func (ss slackSender) Find(ctx context.Context, d store.Delivery) (outbox.Result, bool, error) {
	s, err := ss.session(ctx, d)
	if err != nil {
		return outbox.Result{}, false, err
	}
	channel, ts, found, err := ss.b.findPost(ctx, d, s)
	return outbox.Result{Channel: channel, TS: ts, Announcement: d.Kind == kindAnnounce}, found, err
}

// Lane keeps what goes to one session's announcement and thread in
// order (a note after its announcement), and each person's DMs in order.
func (ss slackSender) Lane(d store.Delivery) string {
	switch {
	case d.SessionID != 0 && (d.InThread || d.Kind == kindAnnounce || d.Kind == kindUpdate || d.Kind == kindThread):
		return "session:" + strconv.FormatInt(d.SessionID, 10)
	case d.Kind == kindHome:
		return "home:" + d.Recipient // never behind that person's DMs
	case d.Recipient != "":
		return "to:" + d.Recipient
	}
	return ""
}

// Classify sorts Slack's answers into the engine's classes.
func (ss slackSender) Classify(err error) outbox.Verdict {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return outbox.Verdict{Class: outbox.Limited, After: rl.RetryAfter}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return outbox.Verdict{Class: slackErrorClass(se.Err), After: outbox.MinBackoff}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == 429:
			return outbox.Verdict{Class: outbox.Limited, After: outbox.MinBackoff}
		case sc.Code >= 500 || sc.Code == 408:
			return outbox.Verdict{Class: outbox.Unavailable}
		case sc.Code == 401 || sc.Code == 403:
			return outbox.Verdict{Class: outbox.Unauthorized}
		}
		return outbox.Verdict{Class: outbox.Refused}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return outbox.Verdict{Class: outbox.Unavailable}
	}
	return outbox.Verdict{Class: outbox.Broken}
}

// slackErrorClass sorts Slack's error codes
// (https://api.slack.com/methods/chat.postMessage#errors and kin).
func slackErrorClass(code string) outbox.Class {
	switch code {
	case "ratelimited":
		return outbox.Limited
	case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org":
		return outbox.Unavailable
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "no_permission",
		"org_login_required", "ekm_access_denied", "two_factor_setup_required":
		// Passing while a token is replaced or an app reinstalled.
		return outbox.Unauthorized
	case "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "user_not_found", "user_disabled",
		"cannot_dm_bot", "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "message_not_found",
		"cant_update_message", "edit_window_closed", "restricted_action", "restricted_action_read_only_channel",
		"restricted_action_thread_only_channel", "restricted_action_non_threadable_channel", "thread_not_found",
		"too_many_attachments", "messages_tab_disabled", "is_inactive", "user_is_restricted":
		return outbox.Permanent
	}
	return outbox.Refused
}

// slackErrorCode names an error for people: Slack's code when there is one.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}

// Undeliverable owes the session's creator a DM about d (exchange's
// Undelivered says when and how often).
func (ss slackSender) Undeliverable(ctx context.Context, d store.Delivery, cause error) ([]store.Delivery, error) {
	if d.Kind == kindUndelivered || d.SessionID == 0 {
		return nil, nil // a digest has no creator; the log and the metric tell the operator
	}
	s, err := ss.session(ctx, d)
	if err != nil {
		return nil, err
	}
	where := d.Recipient
	if d.Channel != "" {
		where = d.Channel
	}
	row, ok := exchange.Undelivered(d, s, where, slackErrorCode(cause), ss.b.now())
	if !ok {
		return nil, nil
	}
	return []store.Delivery{row}, nil
}

// sendUndelivered tells the creator what could not be posted, why, and how
// it gets sent once fixed.
func (b *Bot) sendUndelivered(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	id, err := strconv.ParseInt(d.Payload, 10, 64)
	if err != nil {
		return "", "", fmt.Errorf("bot: undelivered notice with payload %q", d.Payload)
	}
	failed, err := b.store.Delivery(ctx, id)
	if err != nil {
		return "", "", err
	}
	if failed.State != store.StateFailed {
		return "", "", nil // sent since (retried after a fix)
	}
	lang := b.readerLang(ctx, d.Recipient)
	where, place := failed.Recipient, "post.undelivered.in_dm"
	if failed.InThread || failed.Kind == kindAnnounce || failed.Kind == kindSummary {
		// A post in a channel; the channel recorded is where it was tried.
		place = "post.undelivered.in_channel"
		if failed.Channel != "" {
			where = failed.Channel
		}
	}
	text := tr(lang, "post.undelivered.text", "What", i18n.Msg(deliveryNoun(failed.Kind)), "Title", escapeText(s.Title),
		"ID", s.ID, "Place", tr(lang, place, "Where", where), "Error", escapeText(failed.LastError),
		"Advice", i18n.Msg(failureAdvice(failed.LastError)), "Delivery", failed.ID)
	again := button(actionRetry, strconv.FormatInt(failed.ID, 10), tr(lang, "retry.button"))
	again.Style = slack.StylePrimary
	blocks := append(sections(text), slack.NewActionBlock("retry_"+strconv.FormatInt(failed.ID, 10), again))
	return b.postDM(ctx, d, d.Recipient, slack.MsgOptionText(clipMrkdwn(text, maxPlainText), false), slack.MsgOptionBlocks(blocks...))
}

// deliveryNoun is the message id naming what a kind of row posts.
func deliveryNoun(kind string) string {
	switch kind {
	case kindAnnounce:
		return "post.undelivered.announcement"
	case kindUpdate:
		return "post.undelivered.update"
	case kindThread:
		return "post.undelivered.note"
	case kindReminder:
		return "post.undelivered.reminder"
	case kindPrompt, kindNudge:
		return "post.undelivered.questions"
	case kindSummary:
		return "post.undelivered.summary"
	}
	return "post.undelivered.message"
}

// failureAdvice is the message id of what to do about Slack's error code.
func failureAdvice(code string) string {
	switch code {
	case "channel_not_found":
		return "post.undelivered.advice.channel_not_found"
	case "not_in_channel":
		return "post.undelivered.advice.not_in_channel"
	case "is_archived":
		return "post.undelivered.advice.is_archived"
	case "user_not_found", "user_disabled", "cannot_dm_bot", "messages_tab_disabled":
		return "post.undelivered.advice.no_dm"
	}
	return "post.undelivered.advice.none"
}
