package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
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

// questions are the lesson questions as a reader of lang reads them.
func (b *Bot) questions(lang i18n.Lang) []string {
	return b.cfg.Lessons.QuestionsIn(string(lang))
}

func (b *Bot) questionLine(lang i18n.Lang, i int) string {
	qs := b.questions(lang)
	return tr(lang, "walk.question", "N", i+1, "Of", len(qs), "Question", escapeText(qs[i]))
}

// questionText is the question of a stored lesson as a reader of lang
// reads it: found by its index, which is the same in every language,
// when it was asked in one of the configured wordings; as it was asked
// when the questions have changed since.
func (b *Bot) questionText(lang i18n.Lang, l store.Lesson) string {
	i, mine := l.QuestionIdx, b.questions(lang)
	if i < 0 || i >= len(mine) {
		return l.Question
	}
	asked := b.cfg.Lessons.Questions[i] == l.Question
	for _, qs := range b.cfg.Lessons.ByLang {
		asked = asked || (i < len(qs) && qs[i] == l.Question)
	}
	if asked {
		return mine[i]
	}
	return l.Question
}

func captureButton(lang i18n.Lang, s *store.Session) slack.Block {
	btn := slack.NewButtonBlockElement(actionCapture, strconv.FormatInt(s.ID, 10), plain(tr(lang, "walk.capture_button")))
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
	// The walk-through reads replies in the language it asks in: the
	// person's (handleDM).
	lang := b.readerLang(ctx, d.Recipient)
	intro := "post.prompt.intro_speaker"
	if !s.HasSpeaker(d.Recipient) {
		intro = "post.prompt.intro_organiser"
	}
	var list strings.Builder
	for i, q := range b.questions(lang) {
		fmt.Fprintf(&list, "%d. %s\n", i+1, escapeText(q))
	}
	return b.postTop(ctx, d, ch.ID,
		slack.MsgOptionText(tr(lang, "post.prompt.text", "Title", escapeText(s.Title), "ID", s.ID, "Question", b.questionLine(lang, 0)), false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(mrkdwn(tr(lang, intro, "Title", escapeText(s.Title), "ID", s.ID, "Questions", list.String())), nil, nil),
			captureButton(lang, s),
			slack.NewContextBlock("", mrkdwn(tr(lang, "post.prompt.how"))),
			slack.NewSectionBlock(mrkdwn(b.questionLine(lang, 0)), nil, nil),
		))
}

// sendNudge reminds, once, someone who has not answered anything.
func (b *Bot) sendNudge(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	next, ok, err := b.svc.Nudge(ctx, s, d.Recipient)
	if err != nil || !ok {
		return "", "", err
	}
	lang := b.readerLang(ctx, d.Recipient)
	return b.postDM(ctx, d, d.Recipient,
		slack.MsgOptionText(tr(lang, "post.nudge.text", "Title", escapeText(s.Title), "ID", s.ID), false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(mrkdwn(tr(lang, "post.nudge.body", "Title", escapeText(s.Title), "ID", s.ID)), nil, nil),
			captureButton(lang, s),
			slack.NewSectionBlock(mrkdwn(b.questionLine(lang, next)), nil, nil),
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
	text := b.summaryText(b.postLang(s), s, lessons)
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

func (b *Bot) summaryText(lang i18n.Lang, s *store.Session, lessons []store.Lesson) string {
	head := tr(lang, "post.summary.head", "ID", s.ID, "Title", escapeText(s.Title), "When", dateIn(lang, s.Start, s.TZ))
	if len(lessons) == 0 {
		return head + "\n" + tr(lang, "post.summary.none")
	}
	body := b.lessonsBySpeaker(lang, lessons)
	more := "\n" + tr(lang, "post.summary.more", "Cmd", b.cfg.Command, "ID", s.ID)
	if len(body) > maxSummary {
		body = truncate(body, maxSummary) + "\n…"
	}
	return head + "\n" + body + more
}

// lessonsBySpeaker renders one session's lessons, already ordered speaker
// by speaker, as mrkdwn, each under its question as a reader of lang
// reads it.
func (b *Bot) lessonsBySpeaker(lang i18n.Lang, lessons []store.Lesson) string {
	var out strings.Builder
	user := ""
	for _, l := range lessons {
		if l.UserID != user {
			user = l.UserID
			fmt.Fprintf(&out, "\n%s\n", personRef(user))
		}
		fmt.Fprintf(&out, "_%s_\n%s\n", escapeText(b.questionText(lang, l)), quote(escapeText(l.Answer)))
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
	lang := req.Lang
	switch {
	case c.All:
		return b.seriesLessons(ctx, req, c)
	case c.ID != 0:
		s, lessons, err := b.svc.Lessons(ctx, c.ID)
		if err != nil {
			return Reply{}, err
		}
		head := tr(lang, "post.summary.head", "ID", s.ID, "Title", escapeText(s.Title), "When", dateIn(lang, s.Start, s.TZ))
		if len(lessons) == 0 {
			return Reply{Text: head + "\n" + tr(lang, "reply.lessons.none_yet", "After", humanOffset(lang, b.cfg.Lessons.PromptAfter))}, nil
		}
		return Reply{Text: truncate(head+"\n"+b.lessonsBySpeaker(lang, lessons), maxSummary)}, nil
	case c.Words != "":
		results, err := b.svc.Search(ctx, c.Words, maxListed)
		if err != nil {
			return Reply{}, err
		}
		if len(results) == 0 {
			return textReply(lang, "reply.lessons.no_match", "Words", escapeText(c.Words), "Cmd", b.cfg.Command), nil
		}
		lines := []string{tr(lang, "reply.lessons.matching", "Words", escapeText(c.Words))}
		for _, r := range results {
			snippet := snippetMarks.Replace(escapeText(r.Snippet))
			lines = append(lines, b.lessonLine(lang, r.Lesson, snippet))
		}
		lines = append(lines, tr(lang, "reply.lessons.search_how", "Cmd", b.cfg.Command))
		return Reply{Text: strings.Join(lines, "\n")}, nil
	}
	latest, err := b.svc.LatestLessons(ctx, maxListed)
	if err != nil {
		return Reply{}, err
	}
	if len(latest) == 0 {
		return textReply(lang, "reply.lessons.none"), nil
	}
	lines := []string{tr(lang, "reply.lessons.latest")}
	for _, l := range latest {
		lines = append(lines, b.lessonLine(lang, l, escapeText(truncate(l.Answer, 280))))
	}
	lines = append(lines, tr(lang, "reply.lessons.latest_how", "Cmd", b.cfg.Command))
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

// lessonLine is one lesson in a list: where it comes from, then the
// (already escaped) excerpt. The session number links to its announcement
// once there is one.
func (b *Bot) lessonLine(lang i18n.Lang, l store.Lesson, excerpt string) string {
	ref := fmt.Sprintf("#%d", l.SessionID)
	if link := Permalink(l.AnnounceChannel, l.AnnounceTS); link != "" {
		ref = fmt.Sprintf("<%s|#%d>", link, l.SessionID)
	}
	return fmt.Sprintf("• *%s* %s · %s · _%s_\n%s", ref, escapeText(l.SessionTitle), personRef(l.UserID), escapeText(b.questionText(lang, l)), quote(excerpt))
}
