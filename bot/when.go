package bot

import (
	"errors"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
)

// Dates are read word by word, in English or Spanish, as people write
// them: 2026-12-03, today/hoy, tomorrow/mañana, pasado mañana, tue/mar/
// martes, 3 dec, dec 3, 3 de diciembre, el 3 de diciembre, 3 dic 2026.
// Parse keeps a date as written (Command.Date) after checking its words;
// When and ReportRange read it again against a clock.

// A dateSpec is a date as the user wrote it, before a clock makes it a day.
type dateSpec struct {
	kind    int // one of the date* constants
	offset  int // dateRelative: days from today
	weekday time.Weekday
	year    int
	month   time.Month
	day     int
}

const (
	dateRelative = iota // today, tomorrow, yesterday, pasado mañana
	dateWeekday         // tue, martes
	dateFixed           // 2026-12-03, 3 dic 2026
	dateYearless        // 3 dec, dec 3, 3 de diciembre
)

// errNotDate means the words are not a date at all (as opposed to a date
// that is wrong, like 32 dec): an unquoted title keeps going past them.
var errNotDate = errors.New("not a date")

var relativeDays = map[string]int{
	"today": 0, "hoy": 0,
	"tomorrow": 1, "manana": 1,
	"yesterday": -1, "ayer": -1,
}

var weekdayWords = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "lun": time.Monday, "lunes": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "mar": time.Tuesday, "martes": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "mie": time.Wednesday, "mier": time.Wednesday, "miercoles": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"jue": time.Thursday, "jueves": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "vie": time.Friday, "viernes": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sab": time.Saturday, "sabado": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday, "dom": time.Sunday, "domingo": time.Sunday,
}

var monthWords = map[string]time.Month{
	"jan": time.January, "january": time.January, "ene": time.January, "enero": time.January,
	"feb": time.February, "february": time.February, "febrero": time.February,
	"mar": time.March, "march": time.March, "marzo": time.March,
	"apr": time.April, "april": time.April, "abr": time.April, "abril": time.April,
	"may": time.May, "mayo": time.May,
	"jun": time.June, "june": time.June, "junio": time.June,
	"jul": time.July, "july": time.July, "julio": time.July,
	"aug": time.August, "august": time.August, "ago": time.August, "agosto": time.August,
	"sep": time.September, "sept": time.September, "set": time.September, "september": time.September,
	"septiembre": time.September, "setiembre": time.September,
	"oct": time.October, "october": time.October, "octubre": time.October,
	"nov": time.November, "november": time.November, "noviembre": time.November,
	"dec": time.December, "december": time.December, "dic": time.December, "diciembre": time.December,
}

// dateAt reads a date starting at args[i] (one to six words). n is 0 when
// there is none; err is set when the words look like a date but are
// wrong (32 dec).
func dateAt(args []arg, i int) (date string, n int, err error) {
	if i >= len(args) {
		return "", 0, nil
	}
	_, n, err = matchDate(args[i:])
	if n == 0 || err != nil {
		return "", 0, err
	}
	return joinText(args[i : i+n]), n, nil
}

// parseDate reads a date as Parse returns it: errNotDate, or a *UsageError.
func parseDate(s string) (dateSpec, error) {
	var buf [8]arg
	a := fieldArgs(s, buf[:0])
	spec, n, err := matchDate(a)
	switch {
	case err != nil:
		return dateSpec{}, err
	case n == 0 || n != len(a):
		return dateSpec{}, errNotDate
	}
	return spec, nil
}

// matchDate reads the date that a starts with: its spec and how many
// words it took (0: none).
func matchDate(a []arg) (dateSpec, int, error) {
	if word(a, 0) == "el" { // el martes, el 3 de diciembre
		spec, n, err := matchBareDate(a[1:])
		if n == 0 || err != nil {
			return dateSpec{}, 0, err
		}
		return spec, n + 1, nil
	}
	return matchBareDate(a)
}

func matchBareDate(a []arg) (dateSpec, int, error) {
	w0 := word(a, 0)
	if w0 == "" {
		return dateSpec{}, 0, nil
	}
	if w0 == "pasado" && word(a, 1) == "manana" {
		return dateSpec{kind: dateRelative, offset: 2}, 2, nil
	}
	// 3 dec, 3 de diciembre, 3 dic 2026, 3 de diciembre de 2026
	if d, ok := dayNumber(w0); ok {
		j := 1
		if word(a, 1) == "de" {
			j = 2
		}
		if m, ok := monthWords[word(a, j)]; ok {
			return withYear(a, j+1, m, d)
		}
	}
	// dec 3, dec 3 2026
	if m, ok := monthWords[w0]; ok {
		if d, ok := dayNumber(word(a, 1)); ok {
			return withYear(a, 2, m, d)
		}
	}
	spec, err := parseDateWord(a[0].text)
	switch {
	case err == errNotDate:
		return dateSpec{}, 0, nil
	case err != nil:
		return dateSpec{}, 0, err
	}
	return spec, 1, nil
}

// withYear finishes a day and month, read from a[:i], with the year that
// may follow ("2026", "de 2026").
func withYear(a []arg, i int, m time.Month, d int) (dateSpec, int, error) {
	y, n := yearAt(a, i)
	written := func() string { return joinText(a[:i+n]) }
	if n == 0 {
		// 2024 is a leap year: 29 feb exists in some year, 30 feb in none.
		if d < 1 || d > daysIn(2024, m) {
			return dateSpec{}, 0, usage(msgNotADate, "Input", echo(written()))
		}
		return dateSpec{kind: dateYearless, month: m, day: d}, i, nil
	}
	if d < 1 || d > daysIn(y, m) {
		return dateSpec{}, 0, usage(msgNotADate, "Input", echo(written()))
	}
	return dateSpec{kind: dateFixed, year: y, month: m, day: d}, i + n, nil
}

// yearAt reads "2026" or "de 2026" at a[i]: the year and how many words.
func yearAt(a []arg, i int) (int, int) {
	j := i
	if word(a, j) == "de" {
		j++
	}
	if y, ok := smallInt(word(a, j), 4, 4); ok {
		return y, j + 1 - i
	}
	return 0, 0
}

func parseDateWord(w string) (dateSpec, error) {
	f := foldWord(w)
	if off, ok := relativeDays[f]; ok {
		return dateSpec{kind: dateRelative, offset: off}, nil
	}
	if wd, ok := weekdayWords[f]; ok {
		return dateSpec{kind: dateWeekday, weekday: wd}, nil
	}
	ys, rest, _ := strings.Cut(w, "-")
	ms, ds, _ := strings.Cut(rest, "-")
	if ys != "" && ms != "" && ds != "" && isDigits(ys) && isDigits(ms) && isDigits(ds) {
		y, ok1 := smallInt(ys, 4, 4)
		m, ok2 := smallInt(ms, 1, 2)
		d, ok3 := smallInt(ds, 1, 2)
		if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
			return dateSpec{}, usage(msgNotADate, "Input", echo(w))
		}
		return dateSpec{kind: dateFixed, year: y, month: time.Month(m), day: d}, nil
	}
	if strings.Contains(w, "/") && strings.Trim(w, "0123456789/") == "" {
		return dateSpec{}, usage(msgAmbiguousDate, "Input", echo(w))
	}
	return dateSpec{}, errNotDate
}

// dayNumber reads 3, 03, 3rd or 1º; 32 is still a day number, so that
// 32 dec is reported as a wrong date.
func dayNumber(s string) (int, bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th", "ro", "º", "°"} {
		if strings.HasSuffix(s, suffix) {
			s = s[:len(s)-len(suffix)]
			break
		}
	}
	return smallInt(s, 1, 2)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// When resolves a Date and Time string in loc, relative to now (both pure inputs).
// Weekday names mean the next such day after today (a week ahead when
// today is that day); a date without a year means its next occurrence not
// in the past. Other times in the past (yesterday, a date gone by) are
// returned as read; exchange decides what may start then.
func When(date, clock string, now time.Time, loc *time.Location) (time.Time, error) {
	t, _, err := when(date, clock, now, loc)
	return t, err
}

// Resolve sets Start from the Date and Time of a new or moved session,
// read in loc relative to now as When reads them, and SayDate when the
// date was a word the reply should turn back into a day (mañana, tue,
// 3 dic): the reply then says it, with i18n.LongDate(c.Start).
func (c *Command) Resolve(now time.Time, loc *time.Location) error {
	t, kind, err := when(c.Date, c.Time, now, loc)
	if err != nil {
		return err
	}
	c.Start, c.SayDate = t, kind != dateFixed
	return nil
}

func when(date, clock string, now time.Time, loc *time.Location) (time.Time, int, error) {
	if loc == nil {
		loc = time.UTC
	}
	spec, err := parseDate(date)
	if err == errNotDate {
		return time.Time{}, 0, usage(msgNotADate, "Input", echo(date))
	}
	if err != nil {
		return time.Time{}, 0, err
	}
	h, m, err := parseClock(clock)
	if err != nil {
		return time.Time{}, 0, err
	}
	now = now.In(loc)
	y, mo, d := now.Date()
	at := func(y int, mo time.Month, d int) time.Time { return localTime(y, mo, d, h, m, loc) }
	var t time.Time
	switch spec.kind {
	case dateRelative:
		t = at(y, mo, d+spec.offset)
	case dateWeekday:
		ahead := (int(spec.weekday) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		t = at(y, mo, d+ahead)
	case dateFixed:
		t = at(spec.year, spec.month, spec.day)
	case dateYearless:
		// Eight years always reach the next 29 feb.
		for year := y; year <= y+8; year++ {
			if spec.day <= daysIn(year, spec.month) {
				if t = at(year, spec.month, spec.day); !t.Before(now) {
					break
				}
			}
		}
	}
	// A time already past is read as written: whether it may be used is
	// the product's rule (exchange refuses a session in the past), not
	// the grammar's.
	return t, spec.kind, nil
}

// localTime is time.Date, except that a wall time inside a DST gap
// (Santiago skips from 00:00 to 01:00 one September night) moves past the
// gap, as calendar apps do; time.Date would put it before the gap, on the
// previous day.
func localTime(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	if t.Hour() != h || t.Minute() != m {
		_, before := t.Zone()
		if _, after := t.Add(24 * time.Hour).Zone(); after > before {
			t = t.Add(time.Duration(after-before) * time.Second)
		}
	}
	return t
}

// A period is what a report covers: a month (2026-01, enero, ene 2026,
// january) or a day (any date).
type period struct {
	isDay bool
	date  dateSpec   // isDay
	month time.Month // !isDay
	year  int        // !isDay; 0: the last such month
}

// periodAt reads a month or a date starting at args[i].
func periodAt(args []arg, i int) (string, int, error) {
	_, n, err := matchPeriod(args[i:])
	if n == 0 || err != nil {
		return "", 0, err
	}
	return joinText(args[i : i+n]), n, nil
}

// matchPeriod reads the month or date that a starts with. "mar" alone is
// March here, not Tuesday: a report is about a period.
func matchPeriod(a []arg) (period, int, error) {
	w0 := word(a, 0)
	if looksLikeMonth(w0) {
		y, m, err := parseMonth(a[0].text)
		if err != nil {
			return period{}, 0, err
		}
		return period{month: m, year: y}, 1, nil
	}
	spec, n, err := matchDate(a)
	if err != nil {
		return period{}, 0, err
	}
	if n >= 2 {
		return period{date: spec, isDay: true}, n, nil
	}
	if m, ok := monthWords[w0]; ok {
		y, yn := yearAt(a, 1)
		return period{month: m, year: y}, 1 + yn, nil
	}
	if n == 1 {
		return period{date: spec, isDay: true}, 1, nil
	}
	return period{}, 0, nil
}

func looksLikeMonth(s string) bool {
	y, m, ok := strings.Cut(s, "-")
	return ok && len(y) == 4 && isDigits(y) && m != "" && isDigits(m)
}

func parseMonth(s string) (int, time.Month, error) {
	y, ms, _ := strings.Cut(s, "-")
	year, ok1 := smallInt(y, 4, 4)
	m, ok2 := smallInt(ms, 1, 2)
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return 0, 0, usage(msgNotAMonth, "Input", echo(s))
	}
	return year, time.Month(m), nil
}

// ReportRange resolves report From/To (either may be empty) into [from, to) in loc.
// A month "2026-01" covers that month; a date covers that day; empty From = 30 days
// before now; empty To = now, or the end of From's month or day when only From is given.
// Words look back, as reports are about the past: "tue" is the last Tuesday
// (today if it is one), "3 dec" the last 3 December, "enero" the last January
// (this one if it is January).
func ReportRange(from, to string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	start, end := now.AddDate(0, 0, -30), now
	if from != "" {
		s, e, err := reportPeriod(from, now)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		start, end = s, e
	}
	if to != "" {
		_, e, err := reportPeriod(to, now)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		end = e
	}
	if !start.Before(end) {
		return time.Time{}, time.Time{}, usage(msgReportReversed, "From", i18n.Day(start), "To", i18n.Day(end))
	}
	return start, end, nil
}

// reportPeriod is the month or day s names, looking back from now.
func reportPeriod(s string, now time.Time) (time.Time, time.Time, error) {
	loc := now.Location()
	var buf [8]arg
	a := fieldArgs(s, buf[:0])
	p, n, err := matchPeriod(a)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if n == 0 || n != len(a) {
		return time.Time{}, time.Time{}, usage(msgNotDateOrMonth, "Input", echo(s))
	}
	y, m, d := now.Date()
	if !p.isDay {
		if p.year == 0 {
			p.year = y
			if p.month > m {
				p.year--
			}
		}
		return localTime(p.year, p.month, 1, 0, 0, loc), localTime(p.year, p.month+1, 1, 0, 0, loc), nil
	}
	spec := p.date
	switch spec.kind {
	case dateRelative:
		d += spec.offset
	case dateWeekday:
		d -= (int(now.Weekday()) - int(spec.weekday) + 7) % 7
	case dateFixed:
		y, m, d = spec.year, spec.month, spec.day
	case dateYearless:
		year := y
		for ; year > y-8; year-- {
			if spec.day <= daysIn(year, spec.month) && (year < y || spec.month < m || spec.month == m && spec.day <= d) {
				break
			}
		}
		y, m, d = year, spec.month, spec.day
	}
	return localTime(y, m, d, 0, 0, loc), localTime(y, m, d+1, 0, 0, loc), nil
}
