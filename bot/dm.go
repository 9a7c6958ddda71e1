package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// A message to the bot outside a lesson walk-through gets an answer:
// after `stop`, the offer to add it to the lessons just left; otherwise
// the person's next sessions and how to get help. Such a message stores
// nothing else, so its answer is an outbox row (exchange.KindReply)
// committed with the message's key: Slack hears back once the row is
// stored, and a redelivery finds the key and gets no second answer.

const actionAddAnswer = "add_answer"

// dmSessions is how many upcoming sessions a chat answer lists.
const dmSessions = 3

// dmReply is the payload of an exchange.KindReply row: where the
// person's message was, and a refusal already worded in their language,
// or, with Text empty, the chat answer, worded when it is sent.
type dmReply struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"` // the person's message
	Thread  string `json:"thread,omitempty"`
	Text    string `json:"text,omitempty"`
}

// oweReply plans the answer to m, a DM that changed nothing, under ctx's
// request key (key): text, or the chat answer when text is empty. A
// redelivery of m is not an error: it is answered already.
func (b *Bot) oweReply(ctx context.Context, m *slackevents.MessageEvent, key, text string) error {
	payload, err := json.Marshal(dmReply{Channel: m.Channel, TS: m.TimeStamp, Thread: m.ThreadTimeStamp, Text: text})
	if err != nil {
		return err
	}
	err = b.svc.OweReply(ctx, m.User, key, string(payload))
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}

var _ = registerSender(exchange.KindReply, (*Bot).sendReply)

// sendReply posts a reply planned by oweReply.
func (b *Bot) sendReply(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	var r dmReply
	if err := json.Unmarshal([]byte(d.Payload), &r); err != nil || r.Channel == "" {
		return "", "", fmt.Errorf("bot: reply row %d with payload %q", d.ID, d.Payload)
	}
	text, blocks := r.Text, sections(r.Text)
	if text == "" {
		w := exchange.Walk{UserID: d.Recipient, Channel: r.Channel}
		text, blocks = b.chatAnswer(ctx, w, r.TS)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(clipMrkdwn(text, maxPlainText), false), slack.MsgOptionBlocks(blocks...)}
	if r.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(r.Thread))
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
// value is too small to carry it.
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
	var reply string
	s, q, err := b.svc.AddAnswer(ctx, cb.User.ID, id, text)
	if err != nil {
		msg, ok := b.mistake(l, err)
		if !ok {
			return err
		}
		reply = msg
	} else {
		reply = tr(l, "native.dm.added", "Title", escapeText(s.Title), "ID", s.ID, "Question", q+1)
	}
	if cb.Message.Timestamp != "" {
		// The offer becomes what came of it, so it cannot be pressed twice.
		_, _, _, err = b.slack.UpdateMessageContext(ctx, cb.Channel.ID, cb.Message.Timestamp,
			slack.MsgOptionText(reply, false), slack.MsgOptionBlocks(sections(reply)...))
		return err
	}
	_, _, err = b.slack.PostMessageContext(ctx, cb.Channel.ID, slack.MsgOptionText(reply, false))
	return err
}
