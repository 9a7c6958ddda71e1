package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/store"
)

// callbackLessons is the capture modal's callback id.
const callbackLessons = "lessons"

// maxSummary keeps a summary under Slack's 40,000-character message limit
// with room for the closing line.
const maxSummary = 38000

// registerLessons wires lesson capture: prompt, nudge and summary
// deliveries, the DM conversation, the capture modal and `lessons`.
func (b *Bot) registerLessons() {
	b.senders[kindPrompt] = b.sendPrompt
	b.senders[kindNudge] = b.sendNudge
	b.senders[kindSummary] = b.sendSummary
	b.actionHandlers[actionCapture] = b.openCapture
	b.viewHandlers[callbackLessons] = b.submitLessons
	b.eventHandlers["message"] = b.handleDM
	b.extraCommands["lessons"] = b.cmdLessons
}

// mayAnswer reports whether user answers the session's questions: the
// people prompt DMs go to, and anyone already prompted (a speaker since
// removed keeps their prompt).
func (b *Bot) mayAnswer(ctx context.Context, s *store.Session, user string) (bool, error) {
	if slices.Contains(promptRecipients(s), user) {
		return true, nil
	}
	_, err := b.store.Prompt(ctx, s.ID, user)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
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
	var p store.Prompt
	err = b.store.Update(ctx, func(tx store.Tx) (err error) {
		p, err = tx.RecordPrompt(ctx, s.ID, d.Recipient, ch.ID, b.now())
		return err
	})
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
	if s.Cancelled() || len(b.cfg.Lessons.Questions) == 0 {
		return "", "", nil
	}
	answered, err := b.store.Answered(ctx, s.ID)
	if err != nil {
		return "", "", err
	}
	if answered[d.Recipient] > 0 {
		return "", "", nil
	}
	p, err := b.store.Prompt(ctx, s.ID, d.Recipient)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.Finished() {
		// Never prompted (the prompt could not be delivered), or said stop.
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	next := min(p.NextQuestion, len(b.cfg.Lessons.Questions)-1)
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

// summaryThreadSuffix marks the copy of a summary that goes to the
// announcement's thread.
const summaryThreadSuffix = ":thread"

// sendSummary posts a session's lessons. The planned row (recipient
// lessons.channel, possibly empty) posts to that channel and first
// enqueues a second row for the announcement's thread, so each row makes
// one post and a retry repeats neither.
func (b *Bot) sendSummary(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() {
		return "", "", nil
	}
	if !d.InThread && s.Channel != "" {
		now := b.now()
		err := b.store.Update(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, store.Delivery{
				Kind: kindSummary, SessionID: s.ID, Recipient: s.Channel, InThread: true, Due: now,
				Dedupe: d.Dedupe + summaryThreadSuffix,
			}, now)
		})
		if err != nil {
			return "", "", err
		}
		b.kick()
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

// summaryKey is the dedupe key planLessons gives the session's summary.
func summaryKey(s *store.Session) string {
	return fmt.Sprintf("summary:%d:%d", s.ID, s.Start.Unix())
}

// summarizeIfAllAnswered makes the summary due now once every Slack
// speaker is through with their prompt, instead of at close_after. It
// reports whether it did.
func (b *Bot) summarizeIfAllAnswered(ctx context.Context, tx store.Tx, s *store.Session, now time.Time) (bool, error) {
	if s.Cancelled() {
		return false, nil
	}
	prompts, err := tx.Prompts(ctx, s.ID)
	if err != nil {
		return false, err
	}
	through := map[string]bool{}
	for _, p := range prompts {
		through[p.UserID] = p.Finished()
	}
	speakers := 0
	for _, sp := range s.Speakers {
		if sp.UserID == "" {
			continue
		}
		if !through[sp.UserID] {
			return false, nil
		}
		speakers++
	}
	if speakers == 0 {
		return false, nil
	}
	return tx.ExpediteDelivery(ctx, summaryKey(s), now)
}

// dmReply is what handleDM says back once the transaction is over.
type dmReply struct {
	text  string
	after bool // the person is through: look for another prompt waiting
}

// handleDM takes a reply in the bot's DM as the answer to the question
// the person's active prompt waits on.
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
	qs := b.cfg.Lessons.Questions
	now := b.now()
	var reply dmReply
	var expedited bool
	err := b.store.Update(ctx, func(tx store.Tx) error {
		reply, expedited = dmReply{}, false
		p, err := tx.ActivePrompt(ctx, m.Channel, m.User)
		if errors.Is(err, store.ErrNotFound) {
			return nil // not in a walk-through: ordinary chat with the bot
		}
		if err != nil {
			return err
		}
		s, err := tx.Session(ctx, p.SessionID)
		if err != nil {
			return err
		}
		i := p.NextQuestion
		switch ctl, _ := ParseControl(text); ctl {
		case "stop":
			if err := tx.StopPrompt(ctx, s.ID, m.User, now); err != nil {
				return err
			}
			counts, err := tx.Answered(ctx, s.ID)
			if err != nil {
				return err
			}
			reply = dmReply{text: fmt.Sprintf("Stopped. I kept the %d %s you gave for #%d; the *Capture lessons* button above lets you add or edit them any time.",
				counts[m.User], plural(counts[m.User], "answer", "answers"), s.ID), after: true}
			expedited, err = b.summarizeIfAllAnswered(ctx, tx, s, now)
			return err
		case "skip":
			reply.text = "Skipped."
		default:
			if i < len(qs) {
				if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: s.ID, UserID: m.User, QuestionIdx: i, Question: qs[i], Answer: text}, now); err != nil {
					return err
				}
			}
			reply.text = "Saved."
		}
		i++
		if i < len(qs) {
			reply.text += " " + b.questionLine(i)
			return tx.AdvancePrompt(ctx, s.ID, m.User, i, store.PromptAnswering, now)
		}
		if err := tx.AdvancePrompt(ctx, s.ID, m.User, i, store.PromptDone, now); err != nil {
			return err
		}
		reply = dmReply{text: fmt.Sprintf("%s That was the last question: thank you! Your lessons from *%s* (#%d) are saved and searchable with `%s lessons`.",
			reply.text, escapeText(s.Title), s.ID, b.cfg.Command), after: true}
		expedited, err = b.summarizeIfAllAnswered(ctx, tx, s, now)
		return err
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	if err != nil || reply.text == "" {
		return err
	}
	if expedited {
		b.kick()
	}
	if reply.after {
		reply.text += b.nextPromptNote(ctx, m.Channel, m.User)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(reply.text, false)}
	if m.ThreadTimeStamp != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTimeStamp))
	}
	_, _, err = b.slack.PostMessageContext(ctx, m.Channel, opts...)
	return err
}

// nextPromptNote tells someone who just finished one walk-through that
// their next replies go to another session still waiting, and where.
func (b *Bot) nextPromptNote(ctx context.Context, channel, user string) string {
	p, err := b.store.ActivePrompt(ctx, channel, user)
	if err != nil {
		return ""
	}
	s, err := b.store.Session(ctx, p.SessionID)
	if err != nil || p.NextQuestion >= len(b.cfg.Lessons.Questions) {
		return ""
	}
	return fmt.Sprintf("\n\nYou also have questions open about *%s* (#%d). %s", escapeText(s.Title), s.ID, b.questionLine(p.NextQuestion))
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

// openCapture opens the capture form, filled with the presser's answers
// so far so they can edit them.
func (b *Bot) openCapture(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: capture button with value %q", a.Value)
	}
	s, err := b.store.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, textReply("Session #%d no longer exists.", id))
		return nil
	}
	if err != nil {
		return err
	}
	ok, err := b.mayAnswer(ctx, s, cb.User.ID)
	if err != nil {
		return err
	}
	if !ok {
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, textReply("Only the speakers and the organiser of #%d answer its lesson questions. `%s lessons %d` shows their answers.",
			s.ID, b.cfg.Command, s.ID))
		return nil
	}
	lessons, err := b.store.Lessons(ctx, s.ID)
	if err != nil {
		return err
	}
	mine := map[int]string{}
	for _, l := range lessons {
		if l.UserID == cb.User.ID {
			mine[l.QuestionIdx] = l.Answer
		}
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
	s, err := b.store.Session(ctx, meta.Session)
	if errors.Is(err, store.ErrNotFound) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"q1": fmt.Sprintf("Session #%d no longer exists.", meta.Session)}), nil
	}
	if err != nil {
		return nil, err
	}
	ok, err := b.mayAnswer(ctx, s, cb.User.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"q1": fmt.Sprintf("Only the speakers and the organiser of #%d answer its questions.", s.ID)}), nil
	}
	var given []store.Lesson
	for i, q := range qs {
		if v := strings.TrimSpace(stateValue(cb, fmt.Sprintf("q%d", i+1), "answer").Value); v != "" {
			given = append(given, store.Lesson{SessionID: s.ID, UserID: cb.User.ID, QuestionIdx: i, Question: q, Answer: v})
		}
	}
	if len(given) == 0 {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"q1": "Answer at least one question, or press Cancel."}), nil
	}
	now := b.now()
	var expedited bool
	err = b.store.Update(ctx, func(tx store.Tx) error {
		for _, l := range given {
			if _, err := tx.SaveAnswer(ctx, l, now); err != nil {
				return err
			}
		}
		// The form answers the prompt; DM replies would now overwrite it.
		if err := tx.AdvancePrompt(ctx, s.ID, cb.User.ID, len(qs), store.PromptDone, now); err != nil {
			return err
		}
		expedited, err = b.summarizeIfAllAnswered(ctx, tx, s, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if expedited {
		b.kick()
	}
	b.tellUser(ctx, "", cb.User.ID, textReply("Thank you: %d %s saved for *%s* (#%d). Press *Capture lessons* again to edit them.",
		len(given), plural(len(given), "answer", "answers"), escapeText(s.Title), s.ID))
	return nil, nil
}

// maxListed bounds the lessons one reply lists.
const maxListed = 10

// cmdLessons is `lessons` (the latest), `lessons <id>` (one session) and
// `lessons <words>` (search).
func (b *Bot) cmdLessons(ctx context.Context, _ Request, c Command) (Reply, error) {
	switch {
	case c.ID != 0:
		s, err := b.session(ctx, c.ID)
		if err != nil {
			return Reply{}, err
		}
		lessons, err := b.store.Lessons(ctx, s.ID)
		if err != nil {
			return Reply{}, err
		}
		head := fmt.Sprintf("*Lessons from #%d %s* (%s)", s.ID, escapeText(s.Title), slackDate(s.Start, s.TZ))
		if len(lessons) == 0 {
			return textReply("%s\nNone yet. Speakers are asked by DM %s after the session ends.", head, humanOffset(b.cfg.Lessons.PromptAfter)), nil
		}
		return Reply{Text: truncate(head+"\n"+lessonsBySpeaker(lessons), maxSummary)}, nil
	case c.Words != "":
		results, err := b.store.Search(ctx, c.Words, maxListed)
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
	latest, err := b.store.LatestLessons(ctx, maxListed)
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
	if link := calendar.Permalink(l.AnnounceChannel, l.AnnounceTS); link != "" {
		ref = fmt.Sprintf("<%s|#%d>", link, l.SessionID)
	}
	return fmt.Sprintf("• *%s* %s · <@%s> · _%s_\n%s", ref, escapeText(l.SessionTitle), l.UserID, escapeText(l.Question), quote(excerpt))
}
