package i18n

import (
	"strconv"
	"time"
)

// Day words the calendar day of a time: "3 Dec 2026", "3 dic 2026".
type Day time.Time

// DayTime words a time to the minute with its zone, for a message that
// must be exact: "Thu 3 Dec 2026 15:00 -03", "jue 3 dic 2026 15:00 -03".
type DayTime time.Time

// LongDate words a day in full, for a reply that says which day a word
// such as "tue" or "mañana" was taken to mean: "Tuesday 8 December 2026",
// "martes 8 de diciembre de 2026".
type LongDate time.Time

// Word implements Value.
func (d Day) Word(lang Lang) string {
	t := time.Time(d)
	return T(lang, "date.day", dateData(lang, t))
}

// Word implements Value.
func (d DayTime) Word(lang Lang) string {
	t := time.Time(d)
	data := dateData(lang, t)
	data["Clock"] = t.Format("15:04")
	data["Zone"] = t.Format("MST")
	return T(lang, "date.day_time", data)
}

// Word implements Value.
func (d LongDate) Word(lang Lang) string {
	return T(lang, "date.long", dateData(lang, time.Time(d)))
}

func dateData(lang Lang, t time.Time) map[string]any {
	return map[string]any{
		"Day":          strconv.Itoa(t.Day()),
		"Year":         strconv.Itoa(t.Year()),
		"Weekday":      T(lang, weekdays[t.Weekday()], nil),
		"WeekdayShort": T(lang, weekdaysShort[t.Weekday()], nil),
		"Month":        T(lang, months[t.Month()-1], nil),
		"MonthShort":   T(lang, monthsShort[t.Month()-1], nil),
	}
}

// The names are whole ids, not built from a prefix, so that the catalog
// tests find every id in the source.
var (
	weekdays = [...]string{"weekday.sunday", "weekday.monday", "weekday.tuesday",
		"weekday.wednesday", "weekday.thursday", "weekday.friday", "weekday.saturday"}
	weekdaysShort = [...]string{"weekday_short.sunday", "weekday_short.monday", "weekday_short.tuesday",
		"weekday_short.wednesday", "weekday_short.thursday", "weekday_short.friday", "weekday_short.saturday"}
	months = [...]string{"month.january", "month.february", "month.march", "month.april",
		"month.may", "month.june", "month.july", "month.august", "month.september",
		"month.october", "month.november", "month.december"}
	monthsShort = [...]string{"month_short.january", "month_short.february", "month_short.march",
		"month_short.april", "month_short.may", "month_short.june", "month_short.july",
		"month_short.august", "month_short.september", "month_short.october",
		"month_short.november", "month_short.december"}
)

// Duration words a length of time in hours and minutes: "1 hour 30
// minutes", "1 hora y 30 minutos". Seconds are dropped.
type Duration time.Duration

// Word implements Value.
func (d Duration) Word(lang Lang) string {
	total := int(time.Duration(d) / time.Minute)
	h, m := total/60, total%60
	hours := T(lang, "duration.hours", map[string]any{"Count": h})
	minutes := T(lang, "duration.minutes", map[string]any{"Count": m})
	switch {
	case h == 0:
		return minutes
	case m == 0:
		return hours
	}
	return T(lang, "duration.hours_minutes", map[string]any{"Hours": hours, "Minutes": minutes})
}
