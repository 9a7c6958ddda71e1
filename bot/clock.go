package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
)

// Times and durations, read word by word in English or Spanish: 15:00,
// 3pm, 3 pm, 3 p. m., 15h, 15hrs, 15.00, 15:00 hrs, a las 15:00; 90m,
// 90 min, 1h30m, 1h 30m, 1.5h, 1 hora, 2 horas, 1 hora y 30 minutos.

// maxDuration caps a session (exchange's limit), read here so a typo
// (90h for 90m) is answered as one.
const maxDuration = exchange.MaxDuration

// clockAt reads a time starting at args[i]: the words as written and how
// many. n is 0 when there is none; err is set when the words look like a
// time but are wrong (25:00).
func clockAt(args []arg, i int) (clock string, n int, err error) {
	if i >= len(args) {
		return "", 0, nil
	}
	_, _, n, err = matchClock(args[i:])
	if n == 0 || err != nil {
		return "", 0, err
	}
	return joinText(args[i : i+n]), n, nil
}

func isClock(args []arg, i int) bool {
	_, n, err := clockAt(args, i)
	return n > 0 && err == nil
}

// parseClock reads a time as Parse returns it.
func parseClock(s string) (hour, minute int, err error) {
	var buf [8]arg
	a := fieldArgs(s, buf[:0])
	hour, minute, n, err := matchClock(a)
	if err != nil {
		return 0, 0, err
	}
	if n == 0 || n != len(a) {
		return 0, 0, usage(msgNotATime, "Input", echo(s))
	}
	return hour, minute, nil
}

// onlyClockPrefix reports whether a is nothing but the words that come
// before a time ("a las", "at").
func onlyClockPrefix(a []arg) bool {
	for i := range a {
		if w := word(a, i); w != "a" && w != "las" && w != "la" && w != "at" {
			return false
		}
	}
	return true
}

var meridiems = []string{"a.m.", "p.m.", "a.m", "p.m", "am", "pm"}

var hourWords = map[string]bool{"h": true, "hr": true, "hrs": true, "hs": true, "horas": true}

// matchClock reads the time that a starts with: 15:00, 9:05, 15.00, 15h,
// 15h30, 15hrs, 3pm, 3:30pm, optionally after "a las" or "at", and
// before "hrs", "pm", "p.m." or "p. m.". A bare number is not a time.
func matchClock(a []arg) (hour, minute, n int, err error) {
	i := 0
	switch {
	case word(a, 0) == "a" && (word(a, 1) == "las" || word(a, 1) == "la"):
		i = 2
	case word(a, 0) == "at":
		i = 1
	}
	if word(a, i) == "" {
		return 0, 0, 0, nil
	}
	t := strings.ToLower(a[i].text)
	j := i + 1
	var meridiem string
	for _, m := range meridiems {
		if len(t) > len(m) && strings.HasSuffix(t, m) {
			t, meridiem = t[:len(t)-len(m)], m[:1]
			break
		}
	}
	hoursWord := false
	if meridiem == "" {
		for _, suffix := range []string{"hrs", "hr", "hs", "h"} {
			if len(t) > len(suffix) && strings.HasSuffix(t, suffix) && strings.Trim(t[:len(t)-len(suffix)], "0123456789:.") == "" {
				t, hoursWord = t[:len(t)-len(suffix)], true
				break
			}
		}
	}
	if meridiem == "" && !hoursWord {
		switch w := word(a, j); {
		case w == "am" || w == "a.m" || w == "pm" || w == "p.m":
			meridiem, j = w[:1], j+1
		case (w == "a" || w == "p") && strings.HasSuffix(a[j].text, ".") && word(a, j+1) == "m":
			meridiem, j = w, j+2 // p. m.
		case hourWords[w] && strings.ContainsAny(t, ":."):
			hoursWord, j = true, j+1 // 15:00 hrs
		case hourWords[w] && isDigits(t):
			hoursWord, j = true, j+1 // 15 hrs
		}
	}
	written := joinText(a[i:j])
	bad := func() error { return usage(msgNotATime, "Input", echo(written)) }
	hs, ms, sep := strings.Cut(t, ":")
	if !sep {
		hs, ms, sep = strings.Cut(t, ".")
	}
	if !sep && meridiem == "" && !hoursWord {
		if hs, ms, sep = strings.Cut(t, "h"); !sep || ms == "" {
			return 0, 0, 0, bad() // a bare number, or not a time at all
		}
	}
	hour, ok := smallInt(hs, 1, 2)
	if !ok {
		return 0, 0, 0, bad()
	}
	if sep {
		if minute, ok = smallInt(ms, 2, 2); !ok {
			return 0, 0, 0, bad()
		}
		if minute > 59 {
			return 0, 0, 0, usage(msgMinutesRange, "Input", echo(written))
		}
	}
	switch {
	case meridiem == "" && hour > 23:
		return 0, 0, 0, usage(msgHoursRange, "Input", echo(written))
	case meridiem != "" && (hour < 1 || hour > 12):
		return 0, 0, 0, usage(msgAmPmRange, "Input", echo(written))
	case meridiem != "":
		hour %= 12
		if meridiem == "p" {
			hour += 12
		}
	}
	return hour, minute, j, nil
}

// durationAt reads a duration starting at args[i]: its length and how
// many words it took.
func durationAt(args []arg, i int) (time.Duration, int, error) {
	if i >= len(args) {
		return 0, 0, nil
	}
	return matchDuration(args[i:])
}

// ParseDuration reads "90m", "90 min", "1h30m", "1h 30m", "1.5h", "1 hora",
// "2 horas"; zero, negative or over 24h is a *UsageError. The result is
// rounded to the minute.
func ParseDuration(s string) (time.Duration, error) {
	var buf [8]arg
	a := fieldArgs(s, buf[:0])
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, usage(msgDurationNegative, "Input", echo(s))
	}
	d, n, err := matchDuration(a)
	if err != nil {
		return 0, err
	}
	if n != len(a) {
		return 0, usage(msgNotADuration, "Input", echo(s))
	}
	return d, nil
}

var durationUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"minuto": time.Minute, "minutos": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"hora": time.Hour, "horas": time.Hour,
}

// matchDuration reads the duration that a starts with: hours, then
// minutes, each a number and a unit, joined (1h30m) or not (1 h 30 min,
// 1 hora y 30 minutos). Words that start a duration but do not make one
// are a *UsageError.
func matchDuration(a []arg) (time.Duration, int, error) {
	var total time.Duration
	var last time.Duration // the unit of the last part: hours come before minutes
	n := 0
	for n < len(a) && last != time.Minute {
		j := n
		if last == time.Hour && word(a, j) == "y" {
			j++
		}
		parts, np, used := durationParts(a, j)
		if used == 0 || last != 0 && parts[0].unit != time.Minute {
			break
		}
		for _, p := range parts[:np] {
			total += p.length
			last = p.unit
		}
		n = j + used
	}
	if n == 0 {
		written := ""
		if len(a) > 0 {
			written = a[0].text
		}
		// A lone 0 says "no time" clearly enough to be told so.
		if word(a, 0) == "0" {
			return 0, 0, usage(msgDurationTooShort, "Input", echo(written))
		}
		return 0, 0, usage(msgNotADuration, "Input", echo(written))
	}
	written := joinText(a[:n])
	if total > maxDuration {
		return 0, 0, usage(msgDurationTooLong, "Input", echo(written))
	}
	if total = total.Round(time.Minute); total <= 0 {
		return 0, 0, usage(msgDurationTooShort, "Input", echo(written))
	}
	return total, n, nil
}

type durationPart struct {
	length, unit time.Duration
}

// durationParts reads one word of glued parts (90m, 1h30m, 1.5h) or a
// number and a unit word (90 min, 2 horas) at a[i]: the parts, in the
// order hours then minutes, how many, and how many words (0: none).
func durationParts(a []arg, i int) (parts [2]durationPart, n, words int) {
	w := word(a, i)
	if w == "" || w[0] < '0' && w[0] != '.' || w[0] > '9' {
		return parts, 0, 0
	}
	if isNumber(w) {
		unit, ok := durationUnits[word(a, i+1)]
		if !ok {
			return parts, 0, 0
		}
		f, _ := strconv.ParseFloat(w, 64)
		parts[0] = durationPart{time.Duration(f * float64(unit)), unit}
		return parts, 1, 2
	}
	for w != "" {
		k := strings.IndexFunc(w, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if k <= 0 || !isNumber(w[:k]) {
			return parts, 0, 0
		}
		u := k
		for u < len(w) && w[u] >= 'a' && w[u] <= 'z' {
			u++
		}
		unit, ok := durationUnits[w[k:u]]
		if !ok || n > 0 && unit != time.Minute || n > 1 {
			return parts, 0, 0
		}
		f, _ := strconv.ParseFloat(w[:k], 64)
		parts[n] = durationPart{time.Duration(f * float64(unit)), unit}
		n++
		w = w[u:]
	}
	return parts, n, 1
}

// isNumber reports whether s is digits with at most one dot among them.
func isNumber(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}
