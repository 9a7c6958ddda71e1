package bot

import (
	"context"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Series from Slack: the commands' series forms (`new … every:`, `move
// 12 all`, `cancel 12 all`, `join 12 all`, `leave 12 all`, `lessons 12
// all`) and their replies. The series' announcement, notes and buttons
// are in series_blocks.go.

// everyMsg words how often a series repeats.
var everyMsg = map[string]string{
	exchange.EveryWeek:     "series.every.week",
	exchange.EveryTwoWeeks: "series.every.two_weeks",
	exchange.EveryMonth:    "series.every.month",
}

func everyText(lang i18n.Lang, every string) string {
	if id, ok := everyMsg[every]; ok {
		return i18n.T(lang, id, nil)
	}
	return every
}

// placeText is "3 of 6": where an occurrence falls in its series.
func placeText(lang i18n.Lang, s *store.Session) string {
	return i18n.T(lang, "series.place", map[string]any{"Place": s.SeriesPlace, "Size": s.SeriesSize})
}

// seriesMark is what `list` adds to an occurrence's line: " · 3 of 6".
func seriesMark(lang i18n.Lang, s *store.Session) string {
	if s.SeriesID == 0 || s.SeriesPlace == 0 {
		return ""
	}
	return " · " + placeText(lang, s)
}

// UntilDay reads the date of until:/hasta: as the day a series may last
// until, at midnight in loc: a date with a year as written, one without
// the first such day from the start's on, a weekday the first one after
// the start's day, and today or tomorrow from now.
func UntilDay(date string, start, now time.Time, loc *time.Location) (time.Time, error) {
	spec, err := parseDate(date)
	if err == errNotDate {
		return time.Time{}, usage(msgUntilNotDate, "Input", echo(date))
	}
	if err != nil {
		return time.Time{}, err
	}
	from := start.In(loc)
	y, m, d := from.Date()
	switch spec.kind {
	case dateRelative:
		y, m, d = now.In(loc).Date()
		d += spec.offset
	case dateWeekday:
		ahead := (int(spec.weekday) - int(from.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		d += ahead
	case dateFixed:
		y, m, d = spec.year, spec.month, spec.day
	case dateYearless:
		// Eight years always reach the next 29 February.
		for year := y; year <= y+8; year++ {
			if spec.day > daysIn(year, spec.month) {
				continue
			}
			if t := time.Date(year, spec.month, spec.day, 0, 0, 0, 0, loc); !t.Before(time.Date(y, m, d, 0, 0, 0, 0, loc)) {
				return t, nil
			}
		}
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}

// repeatOf is how a `new` or `plan` command repeats, its first
// occurrence starting at start in loc; zero when it does not.
func (b *Bot) repeatOf(c Command, start time.Time, loc *time.Location) (exchange.Repeat, error) {
	r := exchange.Repeat{Every: c.Every}
	if c.Every == "" {
		return r, nil
	}
	if c.Count != 0 {
		n := c.Count
		r.Count = &n
	}
	if c.Until != "" {
		until, err := UntilDay(c.Until, start, b.now(), loc)
		if err != nil {
			return exchange.Repeat{}, err
		}
		r.Until = until
	}
	return r, nil
}

// newSeries schedules the series `new … every:` describes; d is the
// draft of its first occurrence.
func (b *Bot) newSeries(ctx context.Context, req Request, c Command, d exchange.Draft, loc *time.Location) (Reply, error) {
	var err error
	if d.Repeat, err = b.repeatOf(c, d.Start, loc); err != nil {
		return Reply{}, err
	}
	sr, err := b.svc.ScheduleSeries(ctx, req.actor(), d)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: b.seriesScheduledText(req.Lang, sr)}, nil
}

func (b *Bot) seriesScheduledText(lang i18n.Lang, sr *store.Series) string {
	first, last := sr.Occurrences[0], sr.Occurrences[len(sr.Occurrences)-1]
	where := i18n.T(lang, "series.reply.no_channel", nil)
	if first.Channel != "" {
		where = i18n.T(lang, "series.reply.announcing", map[string]any{
			"Channel": channelRef(first.Channel), "Slash": b.cfg.Command, "ID": first.ID,
		})
	}
	return i18n.T(lang, "series.reply.scheduled", map[string]any{
		"Count": len(sr.Occurrences), "Every": everyText(lang, sr.Every), "Title": escapeText(first.Title),
		"First": first.ID, "Last": last.ID, "Start": dateIn(lang, first.Start, first.TZ), "End": dateIn(lang, last.Start, last.TZ),
		"Duration": i18n.Duration(first.Duration),
	}) + " " + where
}

// moveSeries is `move <id> all …`.
func (b *Bot) moveSeries(ctx context.Context, req Request, c Command, start time.Time) (Reply, error) {
	moved, was, err := b.svc.MoveSeries(ctx, req.actor(), c.ID, start, c.Duration)
	if err != nil {
		return Reply{}, err
	}
	first, lang := moved[0], req.Lang
	return Reply{Text: i18n.T(lang, "series.reply.moved", map[string]any{
		"Count": len(moved), "Title": escapeText(first.Title), "ID": first.ID,
		"Was": dateIn(lang, was, first.TZ), "Start": dateIn(lang, first.Start, first.TZ),
	})}, nil
}

// cancelSeries is `cancel <id> all [reason]`.
func (b *Bot) cancelSeries(ctx context.Context, req Request, c Command) (Reply, error) {
	cancelled, err := b.svc.CancelSeries(ctx, req.actor(), c.ID, c.Reason)
	if err != nil {
		return Reply{}, err
	}
	first, lang := cancelled[0], req.Lang
	return Reply{Text: i18n.T(lang, "series.reply.cancelled", map[string]any{
		"Count": len(cancelled), "Title": escapeText(first.Title), "ID": first.ID, "Start": dateIn(lang, first.Start, first.TZ),
	})}, nil
}

// joinSeries serves `join <id> all` and the series' Join all button.
func (b *Bot) joinSeries(ctx context.Context, userID string, id int64) (Reply, error) {
	sr, n, err := b.svc.JoinSeries(ctx, userID, id)
	if err != nil {
		return Reply{}, err
	}
	lang := b.readerLang(ctx, userID)
	up := sr.Upcoming(b.now())
	title := escapeText(up[0].Title)
	if n == 0 {
		return Reply{Text: i18n.T(lang, "series.reply.joined_already", map[string]any{"Title": title})}, nil
	}
	return Reply{Text: i18n.T(lang, "series.reply.joined", map[string]any{
		"Count": n, "Title": title, "Next": dateIn(lang, up[0].Start, up[0].TZ), "Slash": b.cfg.Command,
	})}, nil
}

// leaveSeries serves `leave <id> all` and the series' Leave all button.
func (b *Bot) leaveSeries(ctx context.Context, userID string, id int64) (Reply, error) {
	sr, n, err := b.svc.LeaveSeries(ctx, userID, id)
	if err != nil {
		return Reply{}, err
	}
	lang := b.readerLang(ctx, userID)
	title := escapeText(sr.Occurrences[0].Title)
	if n == 0 {
		return Reply{Text: i18n.T(lang, "series.reply.left_none", map[string]any{"Title": title})}, nil
	}
	return Reply{Text: i18n.T(lang, "series.reply.left", map[string]any{"Count": n, "Title": title})}, nil
}

// seriesLessons is `lessons <id> all`: every occurrence's lessons, in the
// series' order, those with none left out.
func (b *Bot) seriesLessons(ctx context.Context, req Request, c Command) (Reply, error) {
	sr, lessons, err := b.svc.SeriesLessons(ctx, c.ID)
	if err != nil {
		return Reply{}, err
	}
	lang := req.Lang
	lines := []string{i18n.T(lang, "series.lessons.head", map[string]any{
		"Title": escapeText(sr.Occurrences[0].Title), "Every": everyText(lang, sr.Every), "Size": len(sr.Occurrences),
	})}
	if len(lessons) == 0 {
		lines = append(lines, i18n.T(lang, "series.lessons.none", nil))
		return Reply{Text: strings.Join(lines, "\n")}, nil
	}
	by := map[int64][]store.Lesson{}
	for _, l := range lessons {
		by[l.SessionID] = append(by[l.SessionID], l)
	}
	for _, o := range sr.Occurrences {
		if len(by[o.ID]) == 0 {
			continue
		}
		lines = append(lines, "", i18n.T(lang, "series.lessons.occurrence", map[string]any{
			"ID": o.ID, "Title": escapeText(o.Title), "When": dateIn(lang, o.Start, o.TZ),
		}), b.lessonsBySpeaker(lang, by[o.ID]))
	}
	return Reply{Text: truncate(strings.Join(lines, "\n"), maxSummary)}, nil
}

// seriesShowText is what `show` adds for an occurrence of a series: its
// place, how often, the next occurrences, and how to join them all.
func (b *Bot) seriesShowText(ctx context.Context, lang i18n.Lang, s *store.Session) (string, error) {
	sr, err := b.store.Series(ctx, s.SeriesID)
	if err != nil {
		return "", err
	}
	every := everyText(lang, sr.Every)
	var lines []string
	if s.Cancelled() {
		lines = append(lines, i18n.T(lang, "series.show.cancelled", map[string]any{"Every": every, "Size": s.SeriesSize}))
	} else {
		lines = append(lines, i18n.T(lang, "series.show.head", map[string]any{"Place": placeText(lang, s), "Every": every}))
	}
	var next []string
	for _, o := range sr.Upcoming(b.now()) {
		if o.ID == s.ID || !o.Start.After(s.Start) {
			continue
		}
		if len(next) == maxNextDates {
			break
		}
		next = append(next, "#"+itoa(o.ID)+" "+dateIn(lang, o.Start, o.TZ))
	}
	if len(next) > 0 {
		lines = append(lines, i18n.T(lang, "series.show.next", map[string]any{"Dates": strings.Join(next, ", ")}))
	}
	lines = append(lines, i18n.T(lang, "series.show.join", map[string]any{"Slash": b.cfg.Command, "ID": s.ID}))
	return strings.Join(lines, "\n"), nil
}

// seriesReportLine is what `report` adds about series; "" when none was
// held in the period.
func seriesReportLine(lang i18n.Lang, r store.Report) string {
	if r.Series == 0 {
		return ""
	}
	return "\n" + i18n.T(lang, "series.report.line", map[string]any{"Count": r.Series, "Held": r.SeriesHeld})
}

// seriesErrorText words the exchange service's refusals about series; ok
// is false for the others.
func seriesErrorText(lang i18n.Lang, e *exchange.Error) (text string, ok bool) {
	day := func(key string) any {
		t, _ := e.Arg(key).(time.Time)
		return i18n.Day(t)
	}
	switch e.Code {
	case exchange.CodeEvery:
		return i18n.T(lang, "series.error.every", map[string]any{"Input": echo(strings.TrimSpace(toString(e.Arg("every"))))}), true
	case exchange.CodeSeriesEnds:
		return i18n.T(lang, "series.error.ends", nil), true
	case exchange.CodeSeriesCount:
		return i18n.T(lang, "series.error.count", map[string]any{"Given": e.Arg("count"), "Max": e.Arg("max")}), true
	case exchange.CodeSeriesUntil:
		start, _ := e.Arg("start").(time.Time)
		return i18n.T(lang, "series.error.until", map[string]any{"Until": day("until"), "Start": i18n.DayTime(start)}), true
	case exchange.CodeSeriesTooLong:
		start, _ := e.Arg("start").(time.Time)
		return i18n.T(lang, "series.error.too_long", map[string]any{
			"Every": everyText(lang, toString(e.Arg("every"))), "Start": i18n.Day(start), "Until": day("until"), "Max": e.Arg("max"),
		}), true
	case exchange.CodeNotSeries:
		return i18n.T(lang, "series.error.not_series", map[string]any{"ID": e.Arg("id")}), true
	}
	return "", false
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// seriesHelp is what `help` says about series.
func seriesHelp(lang i18n.Lang, slash string) string {
	return i18n.T(lang, "series.help", map[string]any{"Slash": slash})
}
