package i18n

import (
	"math"
	"strconv"
	"strings"
)

// Numbers a person reads are written here, once, in the reader's
// language, following CLDR: English writes 1,234.5 and Spanish 1234,5
// (Spanish groups thousands with a point only from five digits on,
// 12.345, so that a year-sized number is not cut). Machine-readable
// output (CSV, SVG geometry) keeps strconv's form and never comes here.

// NoFigure stands for a figure that does not exist (a mean of no
// ratings, a share of nothing): 0 would read as a result.
const NoFigure = "–"

// separators are the decimal and grouping marks of lang, and the fewest
// integer digits that are grouped.
func separators(lang Lang) (decimal, group string, minGrouped int) {
	if lang == Spanish {
		return ",", ".", 5
	}
	return ".", ",", 4
}

// Decimal writes x with digits decimals in lang: 3.8 in English, 3,8 in
// Spanish. It rounds half away from zero, as people do (3.25 is 3.3), and
// writes NaN and infinities, which no count yields, as NoFigure.
func Decimal(lang Lang, x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return NoFigure
	}
	digits = max(digits, 0)
	p := math.Pow10(digits)
	r := math.Round(x*p) / p
	if math.IsInf(x*p, 0) {
		r = x // too large to carry decimals: already whole
	}
	if r == 0 {
		r = 0 // -0.04 rounds to 0.0, not -0.0
	}
	s := strconv.FormatFloat(r, 'f', digits, 64)
	dec, _, _ := separators(lang)
	whole, frac, _ := strings.Cut(s, ".")
	if frac != "" {
		return group(lang, whole) + dec + frac
	}
	return group(lang, whole)
}

// Int writes a count in lang: 12,345 in English, 12.345 in Spanish.
func Int(lang Lang, n int) string { return group(lang, strconv.Itoa(n)) }

// Percent writes a share (0.38) as a whole percentage in lang: 38% in
// English, 38 % in Spanish.
func Percent(lang Lang, ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return NoFigure
	}
	if lang == Spanish {
		return Decimal(lang, 100*ratio, 0) + " %"
	}
	return Decimal(lang, 100*ratio, 0) + "%"
}

// group puts lang's grouping mark in the whole digits of a number, which
// may carry a minus sign.
func group(lang Lang, whole string) string {
	sign := ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	_, mark, minGrouped := separators(lang)
	if len(whole) < minGrouped {
		return sign + whole
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(whole) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(whole[:head])
	for i := head; i < len(whole); i += 3 {
		b.WriteString(mark)
		b.WriteString(whole[i : i+3])
	}
	return b.String()
}

// Number is a count carried as a placeholder's value by something worded
// later (a typed error), written as Int writes it in the reader's
// language.
type Number int

// Word implements Value.
func (n Number) Word(lang Lang) string { return Int(lang, int(n)) }
