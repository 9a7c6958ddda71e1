package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// A series has one announcement, planned on its first occurrence and
// shared by all (store.Tx.SetAnnouncement), so every occurrence's
// reminders, notes and summary go to its thread. It lists the next dates
// and offers Join for all of them or for one.

// Action ids of the series' buttons.
const (
	actionSeriesJoin    = "series_join"     // value: the series id
	actionSeriesJoinOne = "series_join_one" // a select whose options' values are session ids
	actionSeriesLeave   = "series_leave"    // value: the series id
)

// maxNextDates bounds the dates an announcement or `show` lists: a
// section holds 3,000 characters, and a year of weekly dates would not
// fit; the rest are a command away.
const maxNextDates = 8

// maxJoinOptions bounds the "Join one…" choices (Slack allows 100).
const maxJoinOptions = 25

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// registerSeries wires the series' note under its announcement.
func (b *Bot) registerSeries() {
	b.senders[exchange.KindSeriesNote] = b.sendSeriesNote
}

// announcementOf is the text and blocks of s's announcement: the
// series' when s is an occurrence of one.
func (b *Bot) announcementOf(ctx context.Context, s *store.Session) (string, []slack.Block, error) {
	if s.SeriesID == 0 {
		text, blocks := b.announcement(s)
		return text, blocks, nil
	}
	sr, err := b.store.Series(ctx, s.SeriesID)
	if err != nil {
		return "", nil, err
	}
	text, blocks := b.seriesAnnouncement(b.postLang(s), sr)
	return text, blocks, nil
}

// seriesAnnouncement renders a series' announcement as it now is.
func (b *Bot) seriesAnnouncement(lang i18n.Lang, sr *store.Series) (string, []slack.Block) {
	up := sr.Upcoming(b.now())
	// What the series is about is said by its next occurrence, or by its
	// last when none is ahead.
	lead := sr.Occurrences[len(sr.Occurrences)-1]
	if len(up) > 0 {
		lead = up[0]
	}
	cancelled := sr.Confirmed() == 0
	title := escapeText(lead.Title)
	textID := "series.announce.text"
	if cancelled {
		textID = "series.announce.cancelled_text"
	}
	details := b.seriesDetails(lang, sr, lead)
	blocks := []slack.Block{
		header(i18n.T(lang, textID, map[string]any{"Title": lead.Title})),
		slack.NewSectionBlock(mrkdwn(details), nil, nil),
	}
	// The text is the whole of it in mrkdwn: the notification, and what
	// is posted alone if Slack refuses the blocks.
	whole := func(more string) string {
		head := "*" + i18n.T(lang, textID, map[string]any{"Title": title}) + "*"
		return clipMrkdwn(strings.Join([]string{head, details, more}, "\n"), maxPlainText)
	}
	switch {
	case cancelled:
		note := i18n.T(lang, "series.announce.cancelled", nil)
		return whole(note), append(blocks, contextLine(note))
	case len(up) == 0:
		note := i18n.T(lang, "series.announce.ended", map[string]any{"Slash": b.cfg.Command, "ID": lead.ID})
		return whole(note), append(blocks, contextLine(note))
	}
	var dates []string
	for _, o := range up[:min(len(up), maxNextDates)] {
		dates = append(dates, fmt.Sprintf("• %s · *#%d* · %s", placeText(lang, o), o.ID, dateIn(lang, o.Start, o.TZ)))
	}
	next := i18n.T(lang, "series.announce.next", nil) + "\n" + strings.Join(dates, "\n")
	if more := len(up) - maxNextDates; more > 0 {
		next += "\n" + i18n.T(lang, "series.announce.more", map[string]any{"Count": more, "Slash": b.cfg.Command, "ID": lead.ID})
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(next), nil, nil))

	joinAll := button(actionSeriesJoin, itoa(sr.ID), i18n.T(lang, "series.announce.join_all", nil))
	joinAll.Style = slack.StylePrimary
	var options []*slack.OptionBlockObject
	for _, o := range up[:min(len(up), maxJoinOptions)] {
		label := placeText(lang, o) + " · " + i18n.DayTime(o.Start.In(b.svc.Zone(o))).Word(lang)
		options = append(options, option(itoa(o.ID), label))
	}
	one := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(i18n.T(lang, "series.announce.join_one", nil)), actionSeriesJoinOne, options...)
	leave := button(actionSeriesLeave, itoa(sr.ID), i18n.T(lang, "series.announce.leave_all", nil))
	return whole(next), append(blocks, slack.NewActionBlock("series_"+itoa(sr.ID), joinAll, one, leave))
}

// seriesDetails is the section under the header: how often, how many,
// and what the next occurrence says about itself.
func (b *Bot) seriesDetails(lang i18n.Lang, sr *store.Series, lead *store.Session) string {
	lines := []string{i18n.T(lang, "series.announce.summary", map[string]any{
		"Every": everyText(lang, sr.Every), "Count": sr.Confirmed(), "Duration": i18n.Duration(lead.Duration),
	})}
	if len(lead.Speakers) > 0 {
		lines = append(lines, i18n.T(lang, "series.announce.speakers", map[string]any{"Names": speakerNames(lead.Speakers)}))
	}
	if len(lead.Partners) > 0 {
		parts := make([]string, len(lead.Partners))
		for i, p := range lead.Partners {
			parts[i] = escapeText(p)
		}
		lines = append(lines, i18n.T(lang, "series.announce.partners", map[string]any{"Names": strings.Join(parts, ", ")}))
	}
	if lead.Link != "" {
		lines = append(lines, i18n.T(lang, "series.announce.link", map[string]any{"Link": "<" + lead.Link + ">"}))
	}
	if lead.Description != "" {
		lines = append(lines, escapeText(lead.Description))
	}
	return truncate(strings.Join(lines, "\n"), 3000)
}

// sendSeriesNote posts, in the series' thread, that its next occurrence
// is coming. Like a reminder it says nothing once the occurrence was
// cancelled or moved since the note was planned (the move planned
// another).
func (b *Bot) sendSeriesNote(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() || (!d.Deadline.IsZero() && !d.Deadline.Equal(s.Start)) {
		return "", "", nil
	}
	lang := b.postLang(s)
	text := i18n.T(lang, "series.note.text", map[string]any{
		"Title": escapeText(s.Title), "ID": s.ID, "Place": placeText(lang, s), "When": dateIn(lang, s.Start, s.TZ),
	})
	join := button(actionJoin, itoa(s.ID), i18n.T(lang, "series.note.join", nil))
	return b.postThread(ctx, d, s, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("series_note_"+itoa(s.ID), join),
	))
}

// seriesNoticeText words a note about several occurrences moved or
// cancelled at once; ok is false for other notices.
func seriesNoticeText(lang i18n.Lang, payload string) (text string, ok bool) {
	n, ok := exchange.ReadNotice(payload)
	if !ok {
		return "", false
	}
	switch n.Event {
	case exchange.NoticeSeriesMoved:
		return i18n.T(lang, "series.notice.moved", map[string]any{
			"Title": escapeText(n.Title), "Count": n.Count, "Was": dateIn(lang, n.Was, n.TZ), "Start": dateIn(lang, n.Start, n.TZ),
			"Duration": i18n.Duration(n.Duration),
		}), true
	case exchange.NoticeSeriesCancelled:
		text := i18n.T(lang, "series.notice.cancelled", map[string]any{
			"Title": escapeText(n.Title), "Count": n.Count, "Start": dateIn(lang, n.Start, n.TZ),
		})
		if n.Reason != "" {
			text += " " + i18n.T(lang, "series.notice.reason", map[string]any{"Reason": escapeText(n.Reason)})
		}
		return text, true
	}
	return "", false
}

var _ = actions.add(actionSeriesJoin, (*Bot).pressSeriesJoin)

// pressSeriesJoin joins the presser to every occurrence still ahead.
func (b *Bot) pressSeriesJoin(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: series join button with value %q", a.Value)
	}
	sr, err := b.svc.Series(ctx, id)
	var reply Reply
	if err == nil {
		reply, err = b.joinSeries(ctx, cb.User.ID, sr.Occurrences[0].ID)
	}
	return b.answerSeriesPress(ctx, cb, "series_join_button", reply, err)
}

var _ = actions.add(actionSeriesLeave, (*Bot).pressSeriesLeave)

// pressSeriesLeave takes the presser out of every occurrence still ahead.
func (b *Bot) pressSeriesLeave(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: series leave button with value %q", a.Value)
	}
	sr, err := b.svc.Series(ctx, id)
	var reply Reply
	if err == nil {
		reply, err = b.leaveSeries(ctx, cb.User.ID, sr.Occurrences[0].ID)
	}
	return b.answerSeriesPress(ctx, cb, "series_leave_button", reply, err)
}

var _ = actions.add(actionSeriesJoinOne, (*Bot).pressSeriesJoinOne)

// pressSeriesJoinOne joins the presser to the occurrence they chose.
func (b *Bot) pressSeriesJoinOne(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.SelectedOption.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: series join choice with value %q", a.SelectedOption.Value)
	}
	reply, err := b.join(ctx, b.readerLang(ctx, cb.User.ID), cb.User.ID, id)
	return b.answerSeriesPress(ctx, cb, "series_join_one", reply, err)
}

// answerSeriesPress tells the presser how their press went: reply, or
// the mistake err words; other errors are failures.
func (b *Bot) answerSeriesPress(ctx context.Context, cb slack.InteractionCallback, name string, reply Reply, err error) error {
	if err != nil {
		text, ok := b.mistake(b.readerLang(ctx, cb.User.ID), err)
		if !ok {
			return err
		}
		reply = Reply{Text: text}
	}
	b.metrics.Commands.WithLabelValues(name, "ok").Inc()
	return b.answerPress(ctx, cb, reply)
}

// The new-session form's repeat choice: how often (or not at all), and
// when it ends, in one field that takes a date or a number of sessions.
func seriesFormRepeat(lang i18n.Lang) *slack.InputBlock {
	var options []*slack.OptionBlockObject
	for _, o := range []struct{ value, id string }{
		{"none", "series.form.none"}, {exchange.EveryWeek, "series.form.week"},
		{exchange.EveryTwoWeeks, "series.form.two_weeks"}, {exchange.EveryMonth, "series.form.month"},
	} {
		options = append(options, option(o.value, i18n.T(lang, o.id, nil)))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "v", options...)
	sel.InitialOption = options[0]
	return input("repeat", i18n.T(lang, "series.form.repeat", nil), sel, true)
}

func seriesFormEnds(lang i18n.Lang) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(plain(i18n.T(lang, "series.form.ends_hint", nil)), "v")
	return input("repeat_end", i18n.T(lang, "series.form.ends", nil), el, true)
}

// readRepeat reads the form's repeat choice into a Repeat, noting in errs
// what it cannot read; exchange checks the rest (limits, until before the
// start) with the other fields.
func (b *Bot) readRepeat(lang i18n.Lang, cb slack.InteractionCallback, start time.Time, loc *time.Location, errs map[string]string) exchange.Repeat {
	var r exchange.Repeat
	if every := viewValue(cb, "repeat").SelectedOption.Value; every != "none" {
		r.Every = every
	}
	end := strings.TrimSpace(viewValue(cb, "repeat_end").Value)
	switch {
	case end == "":
	case r.Every == "":
		errs["repeat_end"] = i18n.T(lang, "series.form.ends_without_repeat", nil)
	case isDigits(end):
		n, err := strconv.Atoi(end)
		if err != nil {
			n = exchange.MaxOccurrences + 1
		}
		r.Count = &n
	case start.IsZero() || loc == nil:
		// The date or time field says why there is no start to count from.
	default:
		until, err := UntilDay(end, start, b.now(), loc)
		if err != nil {
			errs["repeat_end"] = i18n.T(lang, "series.form.ends_bad", nil)
		}
		r.Until = until
	}
	return r
}

// seriesFormField is the input of the new-session form a refusal about a
// series is about; "" for other refusals.
func seriesFormField(code string) string {
	switch code {
	case exchange.CodeEvery:
		return "repeat"
	case exchange.CodeSeriesEnds, exchange.CodeSeriesCount, exchange.CodeSeriesUntil, exchange.CodeSeriesTooLong:
		return "repeat_end"
	}
	return ""
}

// seriesFormError words a refusal about a series for the form, in plain
// words; ok is false for other refusals.
func seriesFormError(l i18n.Lang, e *exchange.Error) (text string, ok bool) {
	day := func(key string) any {
		t, _ := e.Arg(key).(time.Time)
		return i18n.Day(t)
	}
	switch e.Code {
	case exchange.CodeEvery:
		return i18n.T(l, "series.form.error.every", nil), true
	case exchange.CodeSeriesEnds:
		return i18n.T(l, "series.form.ends_bad", nil), true
	case exchange.CodeSeriesCount:
		return i18n.T(l, "series.form.error.count", map[string]any{"Given": e.Arg("count"), "Max": e.Arg("max")}), true
	case exchange.CodeSeriesUntil:
		return i18n.T(l, "series.form.error.until", map[string]any{"Until": day("until")}), true
	case exchange.CodeSeriesTooLong:
		return i18n.T(l, "series.form.error.too_long", map[string]any{"Until": day("until"), "Max": e.Arg("max")}), true
	}
	return "", false
}
