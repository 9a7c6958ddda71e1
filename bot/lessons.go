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
	"github.com/exchangebot/exchangebot/store"
)

// callbackLessons is the capture modal's callback id.
const callbackLessons = "lessons"

// maxSummary keeps a summary under Slack's 40,000-character message limit
// with room for the closing line.
const maxSummary = 38000

// registerLessons wires the lesson deliveries: prompt, nudge and summary.
func (b *Bot) registerLessons() {
	b.senders[kindPrompt] = b.sendPrompt
	b.senders[kindNudge] = b.sendNudge
	b.senders[kindSummary] = b.sendSummary
}

func (b *Bot) questionLine(i int) string {
	qs := b.cfg.Lessons.Questions
	return fmt.Sprintf("*Question %d of %d:* %s", i+1, len(qs), escapeText(qs[i]))
}

func captureButton(s *store.Session) slack.Block {
	btn := slack.NewButtonBlockElement(actionCapture, strconv.FormatInt(s.ID, 10), plain("Capture lessons"))
	btn.Style = slack.StylePrimary
	return slack.NewActionBlock("capture_"+strconv.FormatInt(s.ID, 10), btn)
}

// sendPrompt asks one speaker (or the creator) for lessons by DM and
// starts the walk-through with the first question.
func (b *Bot) sendPrompt(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	qs := b.cfg.Lessons.Questions
	if s.Cancelled() || len(qs) == 0 {
		return "", "", nil
	}
	// postDM would open the DM too, but the prompt must be recorded with
	// its channel before the question is out: a quick reply must find it.
	ch, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{d.Recipient}})
	if err != nil {
		return "", "", err
	}
	p, err := b.svc.RecordPrompt(ctx, s.ID, d.Recipient, ch.ID)
	if err != nil {
		return "", "", err
	}
	if p.Finished() {
		return "", "", nil // answered already (a session moved after it ended)
	}
	role := "speaking at"
	if !s.HasSpeaker(d.Recipient) {
		role = "organising"
	}
	var list strings.Builder
	for i, q := range qs {
		fmt.Fprintf(&list, "%d. %s\n", i+1, escapeText(q))
	}
	intro := fmt.Sprintf("Thank you for %s *%s* (#%d). What did you learn? Your answers become lessons peers can search.\n%s",
		role, escapeText(s.Title), s.ID, list.String())
	how := "Answer in the form, or right here: reply to each question in this chat. `skip` moves on, `stop` ends and keeps what you gave."
	return b.postTop(ctx, d, ch.ID,
		slack.MsgOptionText(fmt.Sprintf("What did you learn from %s (#%d)? %s", escapeText(s.Title), s.ID, b.questionLine(0)), false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(mrkdwn(intro), nil, nil),
			captureButton(s),
			slack.NewContextBlock("", mrkdwn(how)),
			slack.NewSectionBlock(mrkdwn(b.questionLine(0)), nil, nil),
		))
}

// sendNudge reminds, once, someone who has not answered anything.
func (b *Bot) sendNudge(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	next, ok, err := b.svc.Nudge(ctx, s, d.Recipient)
	if err != nil || !ok {
		return "", "", err
	}
	text := fmt.Sprintf("A gentle reminder: what did you learn from *%s* (#%d)? A few lines help peers who run the next one. "+
		"Use the form, or reply here. `skip` moves on, `stop` ends.", escapeText(s.Title), s.ID)
	return b.postDM(ctx, d, d.Recipient,
		slack.MsgOptionText(fmt.Sprintf("What did you learn from %s (#%d)?", escapeText(s.Title), s.ID), false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(mrkdwn(text), nil, nil),
			captureButton(s),
			slack.NewSectionBlock(mrkdwn(b.questionLine(next)), nil, nil),
		))
}

// sendSummary posts a session's lessons. The planned row (recipient
// lessons.channel, possibly empty) posts to that channel and first
// enqueues a second row for the announcement's thread, so each row makes
// one post and a retry repeats neither.
func (b *Bot) sendSummary(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() {
		return "", "", nil
	}
	if err := b.svc.OweSummaryThread(ctx, d, s); err != nil {
		return "", "", err
	}
	lessons, err := b.store.Lessons(ctx, s.ID)
	if err != nil {
		return "", "", err
	}
	text := b.summaryText(s, lessons)
	if d.InThread {
		// An announcement that never went out leaves no thread to post in.
		if s.AnnounceTS == "" {
			return "", "", nil
		}
		return b.postThread(ctx, d, s, slack.MsgOptionText(text, false))
	}
	if d.Recipient == "" {
		return "", "", nil
	}
	return b.postTop(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}

func (b *Bot) summaryText(s *store.Session, lessons []store.Lesson) string {
	head := fmt.Sprintf("*Lessons from #%d %s* (%s)", s.ID, escapeText(s.Title), slackDate(s.Start, s.TZ))
	if len(lessons) == 0 {
		return head + "\nNo lessons were captured for this session."
	}
	body := lessonsBySpeaker(lessons)
	more := fmt.Sprintf("\n`%s lessons %d` shows them all; speakers can still add or edit theirs.", b.cfg.Command, s.ID)
	if len(body) > maxSummary {
		body = truncate(body, maxSummary) + "\n…"
	}
	return head + "\n" + body + more
}

// lessonsBySpeaker renders one session's lessons, already ordered speaker
// by speaker, as mrkdwn.
func lessonsBySpeaker(lessons []store.Lesson) string {
	var out strings.Builder
	user := ""
	for _, l := range lessons {
		if l.UserID != user {
			user = l.UserID
			fmt.Fprintf(&out, "\n<@%s>\n", user)
		}
		fmt.Fprintf(&out, "_%s_\n%s\n", escapeText(l.Question), quote(escapeText(l.Answer)))
	}
	return strings.TrimPrefix(out.String(), "\n")
}

// quote makes text a mrkdwn block quote, line by line.
func quote(text string) string {
	return "> " + strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n> ")
}

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
	ctx = store.WithRequestKey(ctx, "im:"+m.Channel+":"+m.TimeStamp)
	w := exchange.Walk{UserID: m.User, Channel: m.Channel}
	var step exchange.Step
	var err error
	switch strings.ToLower(strings.Trim(text, " .!`")) {
	case "stop":
		step, err = b.svc.Stop(ctx, w)
	case "skip":
		step, err = b.svc.Skip(ctx, w)
	default:
		step, err = b.svc.Answer(ctx, w, text)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	var reply string
	if msg, ok := b.mistake(err); ok {
		reply = msg
	} else if err != nil {
		return err
	} else if step.Session == nil {
		return nil // not in a walk-through: ordinary chat with the bot
	} else {
		reply = b.stepText(ctx, w, step)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(reply, false)}
	if m.ThreadTimeStamp != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTimeStamp))
	}
	_, _, err = b.slack.PostMessageContext(ctx, m.Channel, opts...)
	return err
}

// stepText is what the bot says after one step of a walk-through.
func (b *Bot) stepText(ctx context.Context, w exchange.Walk, st exchange.Step) string {
	s := st.Session
	if st.Stopped {
		return fmt.Sprintf("Stopped. I kept the %d %s you gave for #%d; the *Capture lessons* button above lets you add or edit them any time.",
			st.Answers, plural(st.Answers, "answer", "answers"), s.ID) + b.nextPromptNote(ctx, w)
	}
	text := "Saved."
	if st.Skipped {
		text = "Skipped."
	}
	if !st.Done {
		return text + " " + b.questionLine(st.Next)
	}
	return fmt.Sprintf("%s That was the last question: thank you! Your lessons from *%s* (#%d) are saved and searchable with `%s lessons`.",
		text, escapeText(s.Title), s.ID, b.cfg.Command) + b.nextPromptNote(ctx, w)
}

// nextPromptNote tells someone who just finished one walk-through that
// their next replies go to another session still waiting, and where.
func (b *Bot) nextPromptNote(ctx context.Context, w exchange.Walk) string {
	s, next, ok := b.svc.Waiting(ctx, w)
	if !ok {
		return ""
	}
	return fmt.Sprintf("\n\nYou also have questions open about *%s* (#%d). %s", escapeText(s.Title), s.ID, b.questionLine(next))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// lessonsMeta travels in the capture modal's private_metadata.
type lessonsMeta struct {
	Session int64 `json:"session"`
}

var _ = actions.add(actionCapture, (*Bot).openCapture)

// openCapture opens the capture form, filled with the presser's answers
// so far so they can edit them.
func (b *Bot) openCapture(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: capture button with value %q", a.Value)
	}
	s, mine, err := b.svc.Capture(ctx, cb.User.ID, id)
	if e, ok := exchange.AsError(err); ok {
		text := b.errorText(e)
		if e.Code == exchange.CodeNotFound {
			text = fmt.Sprintf("Session #%d no longer exists.", id)
		}
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, Reply{Text: text})
		return nil
	}
	if err != nil {
		return err
	}
	meta, _ := json.Marshal(lessonsMeta{Session: s.ID})
	if _, err := b.slack.OpenViewContext(ctx, cb.TriggerID, b.lessonsModal(s, mine, string(meta))); err != nil {
		return fmt.Errorf("bot: views.open: %w", err)
	}
	return nil
}

// lessonsModal has one optional multi-line input per question: any subset
// may be answered, now or later.
func (b *Bot) lessonsModal(s *store.Session, answers map[int]string, meta string) slack.ModalViewRequest {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*#%d %s*\nAnswer any of these; you can come back and edit them.",
		s.ID, escapeText(s.Title))), nil, nil)}
	for i, q := range b.cfg.Lessons.Questions {
		el := slack.NewPlainTextInputBlockElement(nil, "answer")
		el.Multiline = true
		el.MaxLength = 3000
		el.InitialValue = answers[i]
		blocks = append(blocks, input(fmt.Sprintf("q%d", i+1), truncate(q, 2000), el, true))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackLessons,
		Title:           plain("Capture lessons"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
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
	answers := map[int]string{}
	for i := range qs {
		answers[i] = stateValue(cb, fmt.Sprintf("q%d", i+1), "answer").Value
	}
	s, n, err := b.svc.SubmitAnswers(ctx, cb.User.ID, meta.Session, answers)
	if e, ok := exchange.AsError(err); ok {
		text := b.errorText(e)
		if e.Code == exchange.CodeNotFound {
			text = fmt.Sprintf("Session #%d no longer exists.", meta.Session)
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"q1": text}), nil
	}
	if err != nil {
		return nil, err
	}
	b.tellUser(ctx, "", cb.User.ID, textReply("Thank you: %d %s saved for *%s* (#%d). Press *Capture lessons* again to edit them.",
		n, plural(n, "answer", "answers"), escapeText(s.Title), s.ID))
	return nil, nil
}

// maxListed bounds the lessons one reply lists.
const maxListed = 10

var _ = commands.add("lessons", (*Bot).cmdLessons)

// cmdLessons is `lessons` (the latest), `lessons <id>` (one session) and
// `lessons <words>` (search).
func (b *Bot) cmdLessons(ctx context.Context, _ Request, c Command) (Reply, error) {
	switch {
	case c.ID != 0:
		s, lessons, err := b.svc.Lessons(ctx, c.ID)
		if err != nil {
			return Reply{}, err
		}
		head := fmt.Sprintf("*Lessons from #%d %s* (%s)", s.ID, escapeText(s.Title), slackDate(s.Start, s.TZ))
		if len(lessons) == 0 {
			return textReply("%s\nNone yet. Speakers are asked by DM %s after the session ends.", head, humanOffset(b.cfg.Lessons.PromptAfter)), nil
		}
		return Reply{Text: truncate(head+"\n"+lessonsBySpeaker(lessons), maxSummary)}, nil
	case c.Words != "":
		results, err := b.svc.Search(ctx, c.Words, maxListed)
		if err != nil {
			return Reply{}, err
		}
		if len(results) == 0 {
			return textReply("No lessons match “%s”. Try fewer or other words, or `%s lessons` for the latest.", escapeText(c.Words), b.cfg.Command), nil
		}
		lines := []string{fmt.Sprintf("*Lessons matching “%s”*, best first", escapeText(c.Words))}
		for _, r := range results {
			snippet := strings.NewReplacer(store.MarkStart, "*", store.MarkEnd, "*").Replace(escapeText(r.Snippet))
			lines = append(lines, lessonLine(r.Lesson, snippet))
		}
		lines = append(lines, fmt.Sprintf("`%s lessons <id>` shows all of one session's lessons.", b.cfg.Command))
		return Reply{Text: strings.Join(lines, "\n")}, nil
	}
	latest, err := b.svc.LatestLessons(ctx, maxListed)
	if err != nil {
		return Reply{}, err
	}
	if len(latest) == 0 {
		return textReply("No lessons yet. After each session its speakers are asked by DM what they learned."), nil
	}
	lines := []string{"*Latest lessons*"}
	for _, l := range latest {
		lines = append(lines, lessonLine(l, escapeText(truncate(l.Answer, 280))))
	}
	lines = append(lines, fmt.Sprintf("`%s lessons <id>` for one session, `%s lessons <words>` to search.", b.cfg.Command, b.cfg.Command))
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

// lessonLine is one lesson in a list: where it comes from, then the
// (already escaped) excerpt. The session number links to its announcement
// once there is one.
func lessonLine(l store.Lesson, excerpt string) string {
	ref := fmt.Sprintf("#%d", l.SessionID)
	if link := Permalink(l.AnnounceChannel, l.AnnounceTS); link != "" {
		ref = fmt.Sprintf("<%s|#%d>", link, l.SessionID)
	}
	return fmt.Sprintf("• *%s* %s · <@%s> · _%s_\n%s", ref, escapeText(l.SessionTitle), l.UserID, escapeText(l.Question), quote(excerpt))
}
