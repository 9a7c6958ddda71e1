package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

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
			fmt.Fprintf(&out, "\n%s\n", personRef(user))
		}
		fmt.Fprintf(&out, "_%s_\n%s\n", escapeText(l.Question), quote(escapeText(l.Answer)))
	}
	return strings.TrimPrefix(out.String(), "\n")
}

// quote makes text a mrkdwn block quote, line by line.
func quote(text string) string {
	return "> " + strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n> ")
}

// snippetMarks turns the store's match marks into bold.
var snippetMarks = strings.NewReplacer(store.MarkStart, "*", store.MarkEnd, "*")

// maxListed bounds the lessons one reply lists.
const maxListed = 10

var _ = commands.add("lessons", (*Bot).cmdLessons)

// cmdLessons is `lessons` (the latest), `lessons <id>` (one session) and
// `lessons <words>` (search).
func (b *Bot) cmdLessons(ctx context.Context, req Request, c Command) (Reply, error) {
	switch {
	case c.All:
		return b.seriesLessons(ctx, req, c)
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
			snippet := snippetMarks.Replace(escapeText(r.Snippet))
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
	return fmt.Sprintf("• *%s* %s · %s · _%s_\n%s", ref, escapeText(l.SessionTitle), personRef(l.UserID), escapeText(l.Question), quote(excerpt))
}
