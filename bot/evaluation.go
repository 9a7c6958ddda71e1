package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Participant evaluation on Slack: the DMs (ratings, follow-up and their
// nudges), their buttons and forms, and replies in the DM. What is asked,
// of whom and until when is exchange's; this words it and reads answers.

// Action ids of the evaluation DMs' buttons. Slack wants the ids in one
// block distinct, so each rating and each answer has its own.
const (
	actionRate    = "eval_rate_"    // + 1…5; value "<session>:<rating>"
	actionApplied = "eval_applied_" // + yes|partly|not_yet; value "<session>:<answer>"
	actionPlan    = "eval_plan"     // value "<session>": the plan form
	actionChange  = "eval_change"   // value "<session>": the what-changed form
	actionOptOut  = "eval_opt_out"
)

// callbackEvaluation is the evaluation form's callback id.
const callbackEvaluation = "evaluation"

var _ = actions.add(actionRate+"1", (*Bot).pressRate)
var _ = actions.add(actionRate+"2", (*Bot).pressRate)
var _ = actions.add(actionRate+"3", (*Bot).pressRate)
var _ = actions.add(actionRate+"4", (*Bot).pressRate)
var _ = actions.add(actionRate+"5", (*Bot).pressRate)
var _ = actions.add(actionApplied+store.AppliedYes, (*Bot).pressApplied)
var _ = actions.add(actionApplied+store.AppliedPartly, (*Bot).pressApplied)
var _ = actions.add(actionApplied+store.AppliedNotYet, (*Bot).pressApplied)
var _ = actions.add(actionPlan, (*Bot).pressForm)
var _ = actions.add(actionChange, (*Bot).pressForm)
var _ = actions.add(actionOptOut, (*Bot).pressOptOut)
var _ = views.add(callbackEvaluation, (*Bot).submitEvaluation)

func (b *Bot) registerEvaluation() {
	b.senders[exchange.KindEvaluate] = b.sendEvaluate
	for _, k := range []string{exchange.KindEvaluation, exchange.KindEvaluationNudge, exchange.KindFollowUp, exchange.KindFollowUpNudge} {
		b.senders[k] = b.sendEvaluationDM
	}
}

// sendEvaluate posts nothing: it owes the session's participants their
// ratings DMs, which go out as rows of their own.
func (b *Bot) sendEvaluate(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	_, err := b.svc.OweEvaluations(ctx, d, s)
	return "", "", err
}

// sendEvaluationDM asks one participant, by DM, the questions of d's
// kind. What a reply will answer is recorded before the DM is out.
func (b *Bot) sendEvaluationDM(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	ch, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{d.Recipient}})
	if err != nil {
		return "", "", err
	}
	ev, ok, err := b.svc.EvaluationDM(ctx, d.Kind, s, d.Recipient, ch.ID)
	if err != nil || !ok {
		return "", "", err
	}
	l := i18n.For(b.readerLang(ctx, d.Recipient))
	data := map[string]any{"ID": s.ID, "Title": escapeText(truncate(s.Title, 150))}
	var blocks []slack.Block
	var text string
	switch d.Kind {
	case exchange.KindEvaluation, exchange.KindEvaluationNudge:
		intro := "eval.ask"
		if d.Kind == exchange.KindEvaluationNudge {
			intro = "eval.nudge"
		}
		text = l.T("eval.ask_text", data)
		blocks = append(blocks, section(l.T(intro, data), nil), rateButtons(s.ID))
		if ev.Plan == "" {
			blocks = append(blocks, section(l.T("eval.ask_plan", nil), nil))
		}
		blocks = append(blocks, slack.NewActionBlock("eval_more_"+strconv.FormatInt(s.ID, 10),
			evalButton(actionPlan, strconv.FormatInt(s.ID, 10), l.T("eval.button.plan", nil), true),
			evalButton(actionOptOut, "", l.T("eval.button.opt_out", nil), false)))
	default:
		data["Plan"] = quote(escapeText(truncate(ev.Plan, 2000)))
		text = l.T("eval.follow_up_text", data)
		intro := l.T("eval.follow_up", data)
		if d.Kind == exchange.KindFollowUpNudge {
			intro = l.T("eval.follow_up_nudge", data)
		}
		blocks = append(blocks, section(intro, nil), appliedButtons(l, s.ID))
		if ev.Changed == "" {
			blocks = append(blocks, section(l.T("eval.follow_up_change", nil), nil))
		}
		blocks = append(blocks, slack.NewActionBlock("eval_more_"+strconv.FormatInt(s.ID, 10),
			evalButton(actionChange, strconv.FormatInt(s.ID, 10), l.T("eval.button.change", nil), true),
			evalButton(actionOptOut, "", l.T("eval.button.opt_out", nil), false)))
	}
	blocks = append(blocks, contextLine(l.T("eval.opt_out_note", nil)))
	return b.postTop(ctx, d, ch.ID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
}

func evalButton(actionID, value, label string, primary bool) *slack.ButtonBlockElement {
	btn := button(actionID, value, label)
	if primary {
		btn.Style = slack.StylePrimary
	}
	return btn
}

// rateButtons are the five usefulness buttons, 1 to 5.
func rateButtons(id int64) slack.Block {
	var els []slack.BlockElement
	for n := 1; n <= 5; n++ {
		els = append(els, evalButton(actionRate+strconv.Itoa(n), fmt.Sprintf("%d:%d", id, n), strconv.Itoa(n), false))
	}
	return slack.NewActionBlock("eval_rate_"+strconv.FormatInt(id, 10), els...)
}

// appliedButtons answer "did you apply it?".
func appliedButtons(l i18n.Localizer, id int64) slack.Block {
	var els []slack.BlockElement
	for _, a := range exchange.Applied {
		els = append(els, evalButton(actionApplied+a, fmt.Sprintf("%d:%s", id, a), appliedWord(l, a), false))
	}
	return slack.NewActionBlock("eval_applied_"+strconv.FormatInt(id, 10), els...)
}

func appliedWord(l i18n.Localizer, a string) string {
	switch a {
	case store.AppliedYes:
		return l.T("eval.button.yes", nil)
	case store.AppliedPartly:
		return l.T("eval.button.partly", nil)
	}
	return l.T("eval.button.not_yet", nil)
}

// evalError words the exchange service's refusals of an evaluation
// answer from the catalogs; other errors pass unchanged.
func evalError(err error) error {
	e, ok := exchange.AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case exchange.CodeNotFound:
		return usage("eval.error.session_gone", "ID", e.Arg("id"))
	case exchange.CodeNotJoined:
		return usage("eval.error.not_joined", "ID", e.Arg("id"))
	case exchange.CodeEvaluationClosed:
		closed, _ := e.Arg("closed").(time.Time)
		return usage("eval.error.closed", "ID", e.Arg("id"), "Closed", i18n.Day(closed))
	case exchange.CodeNotAsked:
		return usage("eval.error.not_asked", "ID", e.Arg("id"))
	case exchange.CodeRating:
		return usage("eval.error.rating", "Rating", e.Arg("rating"))
	case exchange.CodeApplied:
		return usage("eval.error.applied")
	case exchange.CodeEmptyAnswer:
		return usage("eval.error.empty")
	case exchange.CodeAnswerTooLong:
		return usage(msgAnswerTooLong, "Count", e.Arg("len"), "Max", e.Arg("max"))
	}
	return err
}

// pressKey makes the answer a button press gives commit with a key of the
// press, so a redelivered press stores nothing twice; a key the request
// already carries is kept.
func pressKey(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) context.Context {
	if store.PendingRequestKey(ctx) != nil {
		return ctx
	}
	at := a.ActionTs
	if at == "" {
		at = cb.ActionTs
	}
	return store.WithRequestKey(ctx, "press:"+cb.User.ID+":"+a.ActionID+":"+a.Value+":"+at)
}

// answerEvalPress replies to the presser once their answer is stored, or
// tells them why it was refused. A redelivered press gets no reply.
func (b *Bot) answerEvalPress(ctx context.Context, cb slack.InteractionCallback, err error, reply func(l i18n.Localizer) string) error {
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	l := i18n.For(b.readerLang(ctx, cb.User.ID))
	var text string
	var ue *UsageError
	switch {
	case errors.As(evalError(err), &ue):
		text = ue.In(l.Lang)
	case err != nil:
		return err
	default:
		text = reply(l)
	}
	b.tellUser(ctx, cb.Channel.ID, cb.User.ID, Reply{Text: text})
	return nil
}

// pressValue reads "<session>:<word>" from a button.
func pressValue(a *slack.BlockAction) (int64, string, error) {
	idText, word, _ := strings.Cut(a.Value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", fmt.Errorf("bot: %s button with value %q", a.ActionID, a.Value)
	}
	return id, word, nil
}

func (b *Bot) pressRate(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, word, err := pressValue(a)
	if err != nil {
		return err
	}
	rating, err := strconv.Atoi(word)
	if err != nil {
		return fmt.Errorf("bot: rating button with value %q", a.Value)
	}
	s, err := b.svc.Rate(pressKey(ctx, cb, a), cb.User.ID, id, rating)
	return b.answerEvalPress(ctx, cb, err, func(l i18n.Localizer) string {
		data := map[string]any{"ID": s.ID, "Rating": rating}
		if ev, err := b.store.Evaluation(ctx, s.ID, cb.User.ID); err == nil && ev.Plan == "" {
			return l.T("eval.rated_ask_plan", data)
		}
		return l.T("eval.rated", data)
	})
}

func (b *Bot) pressApplied(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, applied, err := pressValue(a)
	if err != nil {
		return err
	}
	s, err := b.svc.Apply(pressKey(ctx, cb, a), cb.User.ID, id, applied)
	return b.answerEvalPress(ctx, cb, err, func(l i18n.Localizer) string {
		data := map[string]any{"ID": s.ID, "Applied": appliedWord(l, applied)}
		if ev, err := b.store.Evaluation(ctx, s.ID, cb.User.ID); err == nil && ev.Changed == "" {
			return l.T("eval.applied_ask_change", data)
		}
		return l.T("eval.applied_saved", data)
	})
}

func (b *Bot) pressOptOut(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	err := b.svc.OptOut(pressKey(ctx, cb, a), cb.User.ID)
	return b.answerEvalPress(ctx, cb, err, func(l i18n.Localizer) string { return l.T("eval.opted_out", nil) })
}

// evaluationMeta travels in the evaluation form's private_metadata.
type evaluationMeta struct {
	Session int64  `json:"session"`
	Phase   string `json:"phase"`
}

// pressForm opens the form behind "Write what I'll apply" or "Tell what
// changed", filled with what the presser wrote so far.
func (b *Bot) pressForm(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, _, err := pressValue(a)
	if err != nil {
		return err
	}
	phase := exchange.PhaseRatings
	if a.ActionID == actionChange {
		phase = exchange.PhaseFollowUp
	}
	s, ev, err := b.svc.EvaluationForm(ctx, cb.User.ID, id, phase)
	if err != nil {
		return b.answerEvalPress(ctx, cb, err, nil)
	}
	l := i18n.For(b.readerLang(ctx, cb.User.ID))
	meta, _ := json.Marshal(evaluationMeta{Session: s.ID, Phase: phase})
	if _, err := b.slack.OpenViewContext(ctx, cb.TriggerID, evaluationModal(l, s, ev, phase, string(meta))); err != nil {
		return fmt.Errorf("bot: views.open: %w", err)
	}
	return nil
}

func evaluationModal(l i18n.Localizer, s *store.Session, ev store.Evaluation, phase, meta string) slack.ModalViewRequest {
	data := map[string]any{"ID": s.ID, "Title": truncate(s.Title, 150)}
	title, label, initial := l.T("eval.form.plan_title", nil), l.T("eval.form.plan_label", data), ev.Plan
	if phase == exchange.PhaseFollowUp {
		title, label, initial = l.T("eval.form.change_title", nil), l.T("eval.form.change_label", data), ev.Changed
	}
	el := slack.NewPlainTextInputBlockElement(nil, "text")
	el.Multiline = true
	el.MaxLength = exchange.MaxAnswer
	blocks := []slack.Block{input("text", truncate(label, 2000), el, false)}
	// An answer longer than the form takes (stored before the limit) is
	// shown, not prefilled: saving the form would cut it.
	if v, ok := initialValue(initial, exchange.MaxAnswer); ok {
		el.InitialValue = v
	} else {
		shown := append([]slack.Block{contextLine(l.T("eval.form.long_answer", map[string]any{"Max": exchange.MaxAnswer}))},
			sections(quote(escapeText(initial)))...)
		blocks = append(shown, blocks...)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackEvaluation,
		Title:           viewTitle(title),
		Submit:          viewTitle(l.T("eval.form.save", nil)),
		Close:           viewTitle(l.T("eval.form.cancel", nil)),
		PrivateMetadata: meta,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// submitEvaluation stores the form; a refusal shows beside its field.
func (b *Bot) submitEvaluation(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	var meta evaluationMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Session <= 0 {
		return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("evaluation view with metadata %q", cb.View.PrivateMetadata)}
	}
	text := stateValue(cb, "text", "text").Value
	save := b.svc.SavePlan
	if meta.Phase == exchange.PhaseFollowUp {
		save = b.svc.SaveChange
	}
	// Their confirmation is owed with the answer, in their DM.
	_, err := save(ctx, cb.User.ID, meta.Session, text, &exchange.ConfirmTo{})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil // stored and confirmed when it first came
	}
	lang := b.readerLang(ctx, cb.User.ID)
	var ue *UsageError
	if errors.As(evalError(err), &ue) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"text": ue.In(lang)}), nil
	}
	return nil, err
}

// formText confirms, in lang, what a form stored. A session scheduled
// is described as it is now; one gone since is confirmed by nothing.
func (b *Bot) formText(ctx context.Context, lang i18n.Lang, userID string, f exchange.FormReply) (string, error) {
	switch f.Saved {
	case exchange.SavedPlan:
		return tr(lang, "eval.plan_saved", "ID", f.Session), nil
	case exchange.SavedChange:
		return tr(lang, "eval.change_saved", "ID", f.Session), nil
	case exchange.SavedAdded:
		return addedText(lang, f), nil
	case exchange.SavedSession:
		s, err := b.store.Session(ctx, f.Session)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		r, err := b.newSessionReply(ctx, lang, userID, s, f.Request)
		return r.Text, err
	}
	return tr(lang, "form.lessons.saved", "Count", f.Answers, "Title", escapeText(f.Title), "ID", f.Session), nil
}

// evaluationReply takes a DM reply as the answer to the evaluation
// question waiting there (the caller checked one waits), under the
// message's redelivery key; the confirmation is owed with it.
func (b *Bot) evaluationReply(ctx context.Context, w exchange.Walk, text string) error {
	_, control := ParseControl(text)
	step, err := b.svc.EvaluationReply(ctx, w, text, control)
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	var ue *UsageError
	switch {
	case errors.As(evalError(err), &ue):
		// Refused, so nothing was stored: the refusal is what commits the key.
		return b.oweReply(ctx, w, ue.In(i18n.Lang(w.Lang)))
	case err != nil:
		return err
	case step.Session == nil:
		// Nothing waited after all (answered meanwhile): ordinary chat.
		return b.oweReply(ctx, w, "")
	}
	return nil
}

// evalText is the confirmation of a DM reply to an evaluation, in lang.
func evalText(lang i18n.Lang, r exchange.EvalReply) string {
	id := "eval.stopped"
	switch {
	case r.Saved && r.Phase == exchange.PhaseFollowUp:
		id = "eval.change_saved"
	case r.Saved:
		id = "eval.plan_saved"
	}
	return i18n.T(lang, id, map[string]any{"ID": r.Session})
}
