package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Every DM to the bot is answered through the outbox (exchange.Reply):
// the core owes the reply in the commit that stores the message's
// effect and key, and sendReply words and posts it. Outside a lesson
// walk-through the answer is chat: after `stop`, the offer to add the
// message to the lessons just left; otherwise the person's next
// sessions and how to get help.

const actionAddAnswer = "add_answer"

// dmSessions is how many upcoming sessions a chat answer lists.
const dmSessions = 3

// oweReply owes the answer to w's message, a DM that changed nothing,
// under ctx's request key: refusal, or the chat answer when it is empty.
// A redelivery of the message is not an error: it is answered already.
func (b *Bot) oweReply(ctx context.Context, w exchange.Walk, refusal string) error {
	err := b.svc.OweReply(ctx, w, refusal)
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}

var _ = registerSender(exchange.KindReply, (*Bot).sendReply)

// sendReply words and posts a reply the core owed, in the reader's
// language and in the thread the message was in. The steps of a
// walk-through and the confirmations of an evaluation or a form are
// plain text.
func (b *Bot) sendReply(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	r, err := exchange.ReadReply(d.Payload)
	if err != nil {
		return "", "", fmt.Errorf("bot: reply row %d: %w", d.ID, err)
	}
	var opts []slack.MsgOption
	switch l := b.readerLang(ctx, d.Recipient); {
	case r.Walk != nil:
		opts = []slack.MsgOption{slack.MsgOptionText(b.walkText(l, *r.Walk), false)}
	case r.Eval != nil:
		opts = []slack.MsgOption{slack.MsgOptionText(evalText(l, *r.Eval), false)}
	case r.Form != nil:
		text, err := b.formText(ctx, l, d.Recipient, *r.Form)
		if text == "" || err != nil {
			return "", "", err
		}
		opts = []slack.MsgOption{slack.MsgOptionText(text, false)}
	default:
		text, blocks := r.Text, sections(r.Text)
		if text == "" {
			text, blocks = b.chatAnswer(ctx, exchange.Walk{UserID: d.Recipient, Channel: r.Channel}, r.TS)
		}
		opts = []slack.MsgOption{slack.MsgOptionText(clipMrkdwn(text, maxPlainText), false), slack.MsgOptionBlocks(blocks...)}
	}
	if r.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(r.Thread))
	}
	if r.Channel == "" {
		// A form's confirmation, to the person's DM.
		return b.postDM(ctx, d, d.Recipient, opts...)
	}
	return b.postTop(ctx, d, r.Channel, opts...)
}

// chatAnswer is the answer to a DM that no walk-through waits on; ts is
// the person's message.
func (b *Bot) chatAnswer(ctx context.Context, w exchange.Walk, ts string) (string, []slack.Block) {
	l := b.readerLang(ctx, w.UserID)
	if s, ok := b.svc.Stopped(ctx, w); ok {
		text := tr(l, "native.dm.after_stop", "Title", escapeText(s.Title), "ID", s.ID)
		add := button(actionAddAnswer, strconv.FormatInt(s.ID, 10)+":"+ts, tr(l, "native.dm.add_button"))
		add.Style = slack.StylePrimary
		return text, append(sections(text), slack.NewActionBlock("add_answer", add))
	}
	text := b.chatHelp(ctx, l, w.UserID)
	return text, sections(text)
}

// chatHelp is the short answer to a chat: the person's next sessions,
// and the commands that do the rest.
func (b *Bot) chatHelp(ctx context.Context, l i18n.Lang, userID string) string {
	lines := []string{tr(l, "native.dm.hello")}
	p, err := b.svc.List(ctx, userID, exchange.ScopeMine, 1)
	switch {
	case err != nil || p.Total == 0:
		lines = append(lines, tr(l, "native.dm.no_sessions", "List", b.listCommand(l, exchange.ScopeUpcoming, 1)))
	default:
		lines = append(lines, tr(l, "native.dm.your_sessions"))
		for i, s := range p.Sessions {
			if i == dmSessions {
				break
			}
			lines = append(lines, "• "+listLine(l, s))
		}
		if p.Total > dmSessions {
			lines = append(lines, tr(l, "native.dm.more_sessions", "Count", p.Total-dmSessions, "List", b.listCommand(l, exchange.ScopeMine, 1)))
		}
	}
	lines = append(lines, tr(l, "native.dm.help", "Help", "`"+b.cfg.Command+" "+tr(l, "native.dm.word_help")+"`"))
	return strings.Join(lines, "\n")
}

var _ = actions.add(actionAddAnswer, (*Bot).pressAddAnswer)

// pressAddAnswer adds the message the offer was about to the person's
// lessons. The message is read back from the conversation: a button's
// value is too small to carry it. The press is answered once the answer
// is stored; the offer then becomes what came of it (after the answer,
// so a Slack error there cannot fail a press already stored). A press
// that names no message to update owes its confirmation as a DM instead,
// an outbox row in the same commit.
//
// Every press of one offer names the same message, which the core adds
// once: a second press (the offer not yet replaced, or replaced by a
// process that crashed first) turns the offer into "already added", or,
// with no offer to turn, is answered by the first press's confirmation.
func (b *Bot) pressAddAnswer(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	idText, ts, _ := strings.Cut(a.Value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || ts == "" {
		return fmt.Errorf("bot: add answer button with value %q", a.Value)
	}
	l := b.readerLang(ctx, cb.User.ID)
	hist, err := b.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: cb.Channel.ID, Latest: ts, Inclusive: true, Limit: 1,
	})
	if err != nil {
		return err
	}
	var text string
	for _, m := range hist.Messages {
		if m.Timestamp == ts && m.User == cb.User.ID {
			text = unescapeEntities.Replace(m.Text)
		}
	}
	offer := cb.Message.Timestamp
	var confirm *exchange.ConfirmTo
	if offer == "" {
		confirm = &exchange.ConfirmTo{Channel: cb.Channel.ID}
	}
	var reply string
	s, q, err := b.svc.AddAnswer(ctx, cb.User.ID, id, ts, text, confirm)
	switch e, _ := exchange.AsError(err); {
	case errors.Is(err, store.ErrDuplicate):
		return err
	case e != nil && e.Code == exchange.CodeAlreadyAdded && offer == "":
		// The first press owed the confirmation; a DM saying so again
		// would tell them twice.
		return nil
	case err != nil:
		msg, ok := b.mistake(l, err)
		if !ok {
			return err
		}
		if offer == "" {
			// Refused, so nothing was stored: the refusal is what
			// commits the press's key.
			return b.oweReply(ctx, exchange.Walk{UserID: cb.User.ID, Channel: cb.Channel.ID}, msg)
		}
		reply = msg
	case offer == "":
		return nil // the confirmation is owed
	default:
		reply = addedText(l, exchange.FormReply{Session: s.ID, Title: s.Title, Question: q})
	}
	channel := cb.Channel.ID
	b.after(func(ctx context.Context) error {
		// The offer becomes what came of it, so it cannot be pressed twice.
		_, _, _, err := b.slack.UpdateMessageContext(ctx, channel, offer,
			slack.MsgOptionText(reply, false), slack.MsgOptionBlocks(sections(reply)...))
		return err
	})
	return nil
}

// addedText confirms, in lang, a message added to an answer.
func addedText(lang i18n.Lang, f exchange.FormReply) string {
	return tr(lang, "native.dm.added", "Title", escapeText(f.Title), "ID", f.Session, "Question", f.Question+1)
}
