package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Lesson capture from Slack: the walk-through in the bot's DM, one
// question at a time, and the form behind the Capture lessons button.
var _ = events.add("message", (*Bot).handleDM)

// handleDM takes a reply in the bot's DM as the answer to the question
// the person's walk-through waits on; `skip` and `stop` steer it.
func (b *Bot) handleDM(ctx context.Context, ev slackevents.EventsAPIInnerEvent) error {
	m, ok := ev.Data.(*slackevents.MessageEvent)
	// Subtypes cover edits, deletions and bot posts; BotID catches the
	// rest of our own messages echoed back.
	if !ok || m.ChannelType != "im" || m.SubType != "" || m.BotID != "" || m.User == "" {
		return nil
	}
	// Slack sends &, < and > as entities; store what the person typed.
	text := strings.TrimSpace(unescapeEntities.Replace(m.Text))
	if text == "" {
		return nil
	}
	// The same message can come back under a new event id (a retry after
	// a slow answer, or over Socket Mode and HTTP both); its key is
	// recorded in the same commit as the answer.
	key := "im:" + m.Channel + ":" + m.TimeStamp
	ctx = store.WithRequestKey(ctx, key)
	lang := b.readerLang(ctx, m.User)
	w := exchange.Walk{UserID: m.User, Channel: m.Channel, Lang: string(lang), TS: m.TimeStamp, Thread: m.ThreadTimeStamp, Key: key}
	if b.svc.RepliesToEvaluation(ctx, w) {
		return b.evaluationReply(ctx, w, text)
	}
	var step exchange.Step
	var err error
	switch ctl, _ := ParseControl(text); ctl {
	case ControlStop:
		step, err = b.svc.Stop(ctx, w)
	case ControlSkip:
		step, err = b.svc.Skip(ctx, w)
	default:
		step, err = b.svc.Answer(ctx, w, text)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	msg, isMistake := b.mistake(lang, err)
	switch {
	case err != nil && !isMistake:
		return err
	case isMistake:
		// Refused, so nothing was stored: the refusal is what commits the key.
		return b.oweReply(ctx, w, msg)
	case step.Session == nil:
		// Not in a walk-through: never silence.
		return b.oweReply(ctx, w, "")
	}
	// The answer is stored, and with it the reply it is owed (the next
	// question, or the end), which sendReply words.
	return nil
}

// walkText is what the bot says, in lang, after one step of a
// walk-through.
func (b *Bot) walkText(lang i18n.Lang, st exchange.WalkReply) string {
	if st.Stopped {
		return tr(lang, "walk.stopped", "Count", st.Answers, "ID", st.Session) + b.openWalkNote(lang, st.Open)
	}
	text := tr(lang, "walk.saved")
	if st.Skipped {
		text = tr(lang, "walk.skipped")
	}
	if !st.Done {
		return text + " " + b.questionLine(lang, st.Next)
	}
	return text + " " + tr(lang, "walk.done", "Title", escapeText(st.Title), "ID", st.Session, "Cmd", b.cfg.Command) +
		b.openWalkNote(lang, st.Open)
}

// openWalkNote tells someone who just finished one walk-through that
// their next replies go to another session still waiting, and where.
func (b *Bot) openWalkNote(lang i18n.Lang, o *exchange.OpenWalk) string {
	if o == nil || o.Next >= len(b.questions(lang)) {
		return ""
	}
	return "\n\n" + tr(lang, "walk.also_open", "Title", escapeText(o.Title), "ID", o.Session, "Question", b.questionLine(lang, o.Next))
}

// lessonsMeta travels in the capture modal's private_metadata: the
// session, and the language the form asks in, which the answers are
// stored in.
type lessonsMeta struct {
	Session int64  `json:"session"`
	Lang    string `json:"lang,omitempty"`
}

var _ = actions.add(actionCapture, (*Bot).openCapture)

// openCapture opens the capture form, filled with the presser's answers
// so far so they can edit them.
func (b *Bot) openCapture(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: capture button with value %q", a.Value)
	}
	lang := b.readerLang(ctx, cb.User.ID)
	s, mine, err := b.svc.Capture(ctx, cb.User.ID, id)
	if e, ok := exchange.AsError(err); ok {
		text := b.errorText(lang, e)
		if e.Code == exchange.CodeNotFound {
			text = tr(lang, "form.lessons.gone", "ID", id)
		}
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, Reply{Text: text})
		return nil
	}
	if err != nil {
		return err
	}
	meta, _ := json.Marshal(lessonsMeta{Session: s.ID, Lang: string(lang)})
	view := b.lessonsModal(lang, s, mine, string(meta))
	b.after(func(ctx context.Context) error {
		if _, err := b.slack.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
			return fmt.Errorf("bot: views.open: %w", err)
		}
		return nil
	})
	return nil
}

// lessonsModal has one optional multi-line input per question: any subset
// may be answered, now or later.
func (b *Bot) lessonsModal(lang i18n.Lang, s *store.Session, answers map[int]string, meta string) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(tr(lang, "form.lessons.intro", "ID", s.ID, "Title", escapeText(s.Title))), nil, nil)}
	l := lang
	for i, q := range b.questions(lang) {
		el := slack.NewPlainTextInputBlockElement(nil, "answer")
		el.Multiline = true
		el.MaxLength = maxInputLength
		if v, fits := initialValue(answers[i], maxInputLength); fits {
			el.InitialValue = v
		} else {
			// Prefilled, it would not open; cut, saving would cut what
			// was stored. Shown instead, and kept unless replaced.
			blocks = append(blocks, contextLine(tr(l, "native.capture.long_answer", "Question", i+1)))
			blocks = append(blocks, sections(quote(escapeText(answers[i])))...)
		}
		blocks = append(blocks, input(fmt.Sprintf("q%d", i+1), q, el, true))
	}
	blocks = fitBlocks(blocks, maxViewBlocks, func(n int) string { return tr(l, "native.more", "Count", n) })
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackLessons,
		Title:           viewTitle(tr(lang, "form.lessons.title")),
		Submit:          viewTitle(tr(lang, "form.lessons.submit")),
		Close:           viewTitle(tr(lang, "form.lessons.close")),
		PrivateMetadata: meta,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

var _ = views.add(callbackLessons, (*Bot).submitLessons)

// submitLessons stores the form's non-empty answers; a blank field keeps
// what was there.
func (b *Bot) submitLessons(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	var meta lessonsMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Session <= 0 {
		return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("lessons view with metadata %q", cb.View.PrivateMetadata)}
	}
	qs := b.cfg.Lessons.Questions
	if len(qs) == 0 {
		return nil, nil
	}
	// The form asked in the language it was opened in; what the person
	// is told now is in theirs.
	lang := b.readerLang(ctx, cb.User.ID)
	asked := meta.Lang
	if asked == "" {
		asked = string(lang)
	}
	answers := map[int]string{}
	for i := range qs {
		answers[i] = stateValue(cb, fmt.Sprintf("q%d", i+1), "answer").Value
	}
	// Their confirmation is owed with the answers, in their DM.
	_, _, err := b.svc.SubmitAnswers(ctx, cb.User.ID, asked, meta.Session, answers, &exchange.ConfirmTo{})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil // stored and confirmed when it first came
	}
	if e, ok := exchange.AsError(err); ok {
		text := b.errorText(lang, e)
		if e.Code == exchange.CodeNotFound {
			text = tr(lang, "form.lessons.gone", "ID", meta.Session)
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"q1": text}), nil
	}
	return nil, err
}
