package bot

import (
	"errors"
	"github.com/exchangebot/exchangebot/i18n"
	"strings"
	"time"
)

// maxDuration caps a session: anything longer is far more likely a typo
// (90h for 90m) than a real session.
const maxDuration = 24 * time.Hour

// periodAt reads a month (2026-01) or a date starting at args[i].
func periodAt(args []arg, i int) (string, int, error) {
	if a := args[i]; !a.hasQuote && looksLikeMonth(a.text) {
		if _, _, err := parseMonth(a.text); err != nil {
			return "", 0, err
		}
		return a.text, 1, nil
	}
	return dateAt(args, i)
}

// ParseDuration reads "90m", "1h30m", "1.5h", "2h"; zero, negative or over 24h is a *UsageError.
// The result is rounded to the minute.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "-") {
		return 0, usage(msgDurationNegative, "Input", echo(s))
	}
	// time.ParseDuration alone would also take 300ms or 2us.
	if t == "" || strings.Trim(t, "0123456789.hm") != "" || !strings.ContainsAny(t, "0123456789") {
		return 0, usage(msgNotADuration, "Input", echo(s))
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, usage(msgNotADuration, "Input", echo(s))
	}
	if d > maxDuration {
		return 0, usage(msgDurationTooLong, "Input", echo(s))
	}
	if d = d.Round(time.Minute); d <= 0 {
		return 0, usage(msgDurationTooShort, "Input", echo(s))
	}
	return d, nil
}

func isClock(s string) bool {
	_, _, err := parseClock(s)
	return err == nil
}

// parseClock reads 15:00, 9:05, 3pm, 3:30pm, 15h and 15h30.
func parseClock(s string) (hour, minute int, err error) {
	t := strings.ToLower(s)
	bad := func() error { return usage(msgNotATime, "Input", echo(s)) }
	var suffix string
	if strings.HasSuffix(t, "am") || strings.HasSuffix(t, "pm") {
		t, suffix = t[:len(t)-2], t[len(t)-2:]
	}
	hs, ms, sep := strings.Cut(t, ":")
	if !sep && suffix == "" {
		if hs, ms, sep = strings.Cut(t, "h"); !sep {
			return 0, 0, bad()
		}
		sep = ms != "" // 15h has no minutes
	}
	hour, ok := smallInt(hs, 1, 2)
	if !ok {
		return 0, 0, bad()
	}
	if sep {
		if minute, ok = smallInt(ms, 2, 2); !ok {
			return 0, 0, bad()
		}
		if minute > 59 {
			return 0, 0, usage(msgMinutesRange, "Input", echo(s))
		}
	}
	switch {
	case suffix == "" && hour > 23:
		return 0, 0, usage(msgHoursRange, "Input", echo(s))
	case suffix != "" && (hour < 1 || hour > 12):
		return 0, 0, usage(msgAmPmRange, "Input", echo(s))
	case suffix != "":
		hour %= 12
		if suffix == "pm" {
			hour += 12
		}
	}
	return hour, minute, nil
}

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
	dateRelative = iota // today, tomorrow, yesterday
	dateWeekday         // tue, martes
	dateFixed           // 2026-12-03
	dateYearless        // 3 dec, dec 3
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
	"wed": time.Wednesday, "wednesday": time.Wednesday, "mie": time.Wednesday, "miercoles": time.Wednesday,
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

// dateAt reads a date of one word (2026-12-03, tue) or two (3 dec, dec 3)
// starting at args[i]. n is 0 when there is none; err is set when the words
// look like a date but are wrong (32 dec).
func dateAt(args []arg, i int) (date string, n int, err error) {
	if i >= len(args) || args[i].hasQuote {
		return "", 0, nil
	}
	if i+1 < len(args) && !args[i+1].hasQuote {
		switch _, err := parseDayMonth(args[i].text, args[i+1].text); {
		case err == nil:
			return args[i].text + " " + args[i+1].text, 2, nil
		case err != errNotDate:
			return "", 0, err
		}
	}
	switch _, err := parseDate(args[i].text); {
	case err == nil:
		return args[i].text, 1, nil
	case err != errNotDate:
		return "", 0, err
	}
	return "", 0, nil
}

// parseDate reads one date as Parse returns it. It returns errNotDate or a *UsageError.
func parseDate(s string) (dateSpec, error) {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		return parseDateWord(f[0])
	case 2:
		return parseDayMonth(f[0], f[1])
	}
	return dateSpec{}, errNotDate
}

// parseDayMonth reads both orders: "3 dec" (Spanish, British) and "dec 3" (American).
func parseDayMonth(a, b string) (dateSpec, error) {
	if m, ok := monthWords[foldWord(b)]; ok {
		if d, ok := dayNumber(a); ok {
			return yearless(m, d, a+" "+b)
		}
	}
	if m, ok := monthWords[foldWord(a)]; ok {
		if d, ok := dayNumber(b); ok {
			return yearless(m, d, a+" "+b)
		}
	}
	return dateSpec{}, errNotDate
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

func yearless(m time.Month, d int, written string) (dateSpec, error) {
	// 2024 is a leap year: 29 feb exists in some year, 30 feb in none.
	if d < 1 || d > daysIn(2024, m) {
		return dateSpec{}, usage(msgNotADate, "Input", echo(written))
	}
	return dateSpec{kind: dateYearless, month: m, day: d}, nil
}

// dayNumber reads 3, 03 or 3rd; a number too large for a day is still a
// day number, so that 32 dec is reported as a wrong date.
func dayNumber(s string) (int, bool) {
	t := strings.ToLower(s)
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(t, suffix) {
			t = t[:len(t)-len(suffix)]
			break
		}
	}
	return smallInt(t, 1, 4)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
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

// When resolves a Date and Time string in loc, relative to now (both pure inputs).
// Weekday names mean the next such day after today; a date without a year
// means its next occurrence not in the past. A start before now is a *UsageError.
func When(date, clock string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	spec, err := parseDate(date)
	if err == errNotDate {
		return time.Time{}, usage(msgNotADate, "Input", echo(date))
	}
	if err != nil {
		return time.Time{}, err
	}
	h, m, err := parseClock(clock)
	if err != nil {
		return time.Time{}, err
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
	if t.Before(now) {
		return time.Time{}, usage(msgInPast, "When", i18n.DayTime(t))
	}
	return t, nil
}

// ReportRange resolves report From/To (either may be empty) into [from, to) in loc.
// A month "2026-01" covers that month; a date covers that day; empty From = 30 days
// before now; empty To = now, or the end of From's month or day when only From is given.
// Date words look back, as reports are about the past: "tue" is the last Tuesday
// (today if it is one), "3 dec" the last 3 December.
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
	if looksLikeMonth(s) {
		y, m, err := parseMonth(s)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return localTime(y, m, 1, 0, 0, loc), localTime(y, m+1, 1, 0, 0, loc), nil
	}
	spec, err := parseDate(s)
	if err == errNotDate {
		return time.Time{}, time.Time{}, usage(msgNotDateOrMonth, "Input", echo(s))
	}
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	y, m, d := now.Date()
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
