package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// actionRetry is the "Send again" button on the note that tells a
// session's creator a message could not be delivered (sendUndelivered);
// its value is the failed delivery's id.
const actionRetry = "retry_delivery"

var _ = actions.add(actionRetry, (*Bot).pressRetry)

// pressRetry puts the failed delivery back in the queue, under the
// interaction's request key (a redelivered press requeues nothing and
// says nothing), then tells the presser, ephemerally, that it goes out
// again, or why not.
func (b *Bot) pressRetry(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: retry button with value %q", a.Value)
	}
	lang := b.readerLang(ctx, cb.User.ID)
	d, err := b.svc.Retry(ctx, exchange.Actor{UserID: cb.User.ID, Channel: cb.Channel.ID}, id)
	if errors.Is(err, store.ErrDuplicate) {
		b.metrics.Commands.WithLabelValues("retry_button", "duplicate").Inc()
		return err
	}
	var text string
	if err != nil {
		refusal, ok := b.mistake(lang, err)
		if !ok {
			b.metrics.Commands.WithLabelValues("retry_button", "error").Inc()
			return err
		}
		b.metrics.Commands.WithLabelValues("retry_button", "usage_error").Inc()
		text = refusal
	} else {
		b.metrics.Commands.WithLabelValues("retry_button", "ok").Inc()
		text = b.retriedText(ctx, lang, d)
	}
	b.tellUser(ctx, cb.Channel.ID, cb.User.ID, Reply{Text: text})
	return nil
}

// retriedText says that d goes out again, naming what and about which
// session when it has one.
func (b *Bot) retriedText(ctx context.Context, lang i18n.Lang, d store.Delivery) string {
	if d.SessionID != 0 {
		if s, err := b.store.Session(ctx, d.SessionID); err == nil {
			return tr(lang, "retry.done", "What", i18n.Msg(deliveryNoun(d.Kind)), "Title", escapeText(s.Title), "ID", s.ID, "Delivery", d.ID)
		}
	}
	return tr(lang, "retry.done_plain", "Delivery", d.ID)
}
