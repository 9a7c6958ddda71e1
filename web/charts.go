package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/exchangebot/exchangebot/i18n"
)

// Chart is a bar chart drawn on the server as SVG, with the same figures
// in a table for screen readers and for anyone who wants the numbers.
type Chart struct {
	ID    string
	Title string
	// Desc, when set, says in words what the chart shows (its scale), for
	// screen readers.
	Desc string
	// Series name the values of each bar (the kinds of a stacked bar);
	// one series draws plain bars.
	Series []string
	Bars   []Bar
	// Percent shows values (0 to 1) as percentages, on a 0–100% scale.
	Percent bool
	// Horizontal lays bars across, for long labels (partners).
	Horizontal bool
	// Lang is the language its numbers are written in (labels, the
	// table); the SVG's geometry is not for people and keeps its points.
	Lang i18n.Lang
}

// Bar is one bar: its label and a value per series.
type Bar struct {
	Label  string
	Values []float64
}

// palette has enough contrast against white for text and bars (WCAG AA
// for graphics, 3:1 or more).
var palette = []string{"#1f5fa8", "#b3261e", "#2e7d32", "#6a1b9a", "#a15c00"}

func (c Chart) total(b Bar) float64 {
	t := 0.0
	for _, v := range b.Values {
		t += v
	}
	return t
}

// format writes a value for people: a count whole, a mean with one
// decimal, a share as a percentage, in the chart's language.
func (c Chart) format(v float64) string {
	if c.Percent {
		return i18n.Percent(c.Lang, v)
	}
	if v == math.Trunc(v) {
		return i18n.Decimal(c.Lang, v, 0)
	}
	return i18n.Decimal(c.Lang, v, 1)
}

// SVG draws the chart. Every bar is a <g class="bar"> with a <title>
// (its label and value, shown on hover by browsers).
func (c Chart) SVG() template.HTML {
	esc := template.HTMLEscapeString
	max := 0.0
	for _, b := range c.Bars {
		max = math.Max(max, c.total(b))
	}
	if c.Percent {
		max = 1
	}
	if max == 0 {
		max = 1
	}
	var sb strings.Builder
	const width, labelW, rowH, colH = 480.0, 150.0, 30.0, 180.0
	if c.Horizontal {
		h := rowH*float64(len(c.Bars)) + 8
		fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t"%s xmlns="http://www.w3.org/2000/svg"><title id="%s-t">%s</title>%s`,
			width, h, esc(c.ID), c.describedBy(), esc(c.ID), esc(c.Title), c.desc())
		for i, b := range c.Bars {
			y := float64(i)*rowH + 4
			w := (width - labelW - 60) * c.total(b) / max
			fmt.Fprintf(&sb, `<g class="bar"><title>%s: %s</title><text x="%.0f" y="%.1f" text-anchor="end" class="label">%s</text>`,
				esc(b.Label), c.format(c.total(b)), labelW-8, y+rowH/2+4, esc(shorten(b.Label, 18)))
			fmt.Fprintf(&sb, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, labelW, y+3, math.Max(w, 1), rowH-8, palette[0])
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="value">%s</text></g>`, labelW+w+6, y+rowH/2+4, c.format(c.total(b)))
		}
		sb.WriteString(`</svg>`)
		return template.HTML(sb.String())
	}
	n := math.Max(float64(len(c.Bars)), 1)
	top, bottom, left := 20.0, 40.0, 48.0
	slot := (width - left) / n
	bw := math.Min(slot*0.7, 48)
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t"%s xmlns="http://www.w3.org/2000/svg"><title id="%s-t">%s</title>%s`,
		width, colH+top+bottom, esc(c.ID), c.describedBy(), esc(c.ID), esc(c.Title), c.desc())
	// The scale: a base line and the top value.
	fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#555"/>`, left, top+colH, width, top+colH)
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="end" class="axis">%s</text>`, left-4, top+4, c.format(max))
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="end" class="axis">0</text>`, left-4, top+colH+4)
	every := int(math.Ceil(n / 8)) // at most eight labels fit
	for i, b := range c.Bars {
		x := left + float64(i)*slot + (slot-bw)/2
		y := top + colH
		parts := make([]string, 0, len(b.Values))
		for j, v := range b.Values {
			if len(c.Series) > 1 {
				parts = append(parts, fmt.Sprintf("%s %s", c.Series[j], c.format(v)))
			}
		}
		tip := c.format(c.total(b))
		if len(parts) > 0 {
			tip += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&sb, `<g class="bar"><title>%s: %s</title>`, esc(b.Label), esc(tip))
		for j, v := range b.Values {
			h := colH * v / max
			y -= h
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, y, bw, h, palette[j%len(palette)])
		}
		if c.total(b) > 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" class="value">%s</text>`, x+bw/2, y-4, c.format(c.total(b)))
		}
		if i%every == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.0f" text-anchor="middle" class="label">%s</text>`, x+bw/2, top+colH+18, esc(b.Label))
		}
		sb.WriteString(`</g>`)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// describedBy and desc tie the chart's Desc to it, when it has one.
func (c Chart) describedBy() string {
	if c.Desc == "" {
		return ""
	}
	return ` aria-describedby="` + template.HTMLEscapeString(c.ID) + `-d"`
}

func (c Chart) desc() string {
	if c.Desc == "" {
		return ""
	}
	esc := template.HTMLEscapeString
	return `<desc id="` + esc(c.ID) + `-d">` + esc(c.Desc) + `</desc>`
}

// Legend is the series' names with their colours, for stacked charts.
func (c Chart) Legend() []legendItem {
	if len(c.Series) < 2 {
		return nil
	}
	out := make([]legendItem, len(c.Series))
	for i, s := range c.Series {
		out[i] = legendItem{Label: s, Swatch: swatch(palette[i%len(palette)])}
	}
	return out
}

type legendItem struct {
	Label  string
	Swatch template.HTML
}

func swatch(color string) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg width="12" height="12" aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><rect width="12" height="12" fill="%s"/></svg>`, color))
}

// Cells are the table's rows: a label and each series' value.
func (c Chart) Cells() [][]string {
	rows := make([][]string, len(c.Bars))
	for i, b := range c.Bars {
		row := []string{b.Label}
		for _, v := range b.Values {
			row = append(row, c.format(v))
		}
		rows[i] = row
	}
	return rows
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
