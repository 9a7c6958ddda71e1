package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/i18n"
)

// TestChartNumbersInLanguage writes a chart's values, on its bars and in
// its table, as its reader writes numbers, while the SVG's geometry keeps
// the decimal point a browser reads.
func TestChartNumbersInLanguage(t *testing.T) {
	bars := []Bar{{Label: "a", Values: []float64{3.25}}, {Label: "b", Values: []float64{12345}}, {Label: "c", Values: []float64{0}}}
	geometry := regexp.MustCompile(` (?:x|y|x1|y1|x2|y2|width|height)="([^"]*)"`)
	for _, tt := range []struct {
		lang    i18n.Lang
		percent bool
		cells   string // label=value, the table beside the chart
		labels  []string
	}{
		{i18n.English, false, "a=3.3 b=12,345 c=0", []string{">3.3<", ">12,345<", "a: 3.3<"}},
		{i18n.Spanish, false, "a=3,3 b=12.345 c=0", []string{">3,3<", ">12.345<", "a: 3,3<"}},
		{i18n.English, true, "a=325% b=1,234,500% c=0%", []string{">325%<"}},
		{i18n.Spanish, true, "a=325 % b=1.234.500 % c=0 %", []string{">325 %<"}},
	} {
		for _, horizontal := range []bool{false, true} {
			c := Chart{ID: "x", Title: "X", Bars: bars, Lang: tt.lang, Percent: tt.percent, Horizontal: horizontal}
			var cells []string
			for _, row := range c.Cells() {
				cells = append(cells, strings.Join(row, "="))
			}
			if got := strings.Join(cells, " "); got != tt.cells {
				t.Errorf("%s percent=%v: cells %q, want %q", tt.lang, tt.percent, got, tt.cells)
			}
			svg := string(c.SVG())
			for _, want := range tt.labels {
				if !strings.Contains(svg, want) {
					t.Errorf("%s percent=%v horizontal=%v: SVG lacks %q:\n%s", tt.lang, tt.percent, horizontal, want, svg)
				}
			}
			for _, m := range geometry.FindAllStringSubmatch(svg, -1) {
				if strings.Contains(m[1], ",") {
					t.Errorf("%s: geometry %q written for people:\n%s", tt.lang, m[0], svg)
				}
			}
		}
	}
}
