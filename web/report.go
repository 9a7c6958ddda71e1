package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Figure is one headline number.
type Figure struct{ Label, Value string }

// period reads ?from= and ?to= (a day or a month); by default the last
// twelve months, this one included. to is exclusive.
func (s *Server) period(r *http.Request) (from, to time.Time, fromS, toS string) {
	loc := s.svc.Policy().Location
	now := s.o.Now().In(loc)
	to = time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc)
	from = to.AddDate(-1, 0, 0)
	q := r.URL.Query()
	fromS, toS = q.Get("from"), q.Get("to")
	if t, ok := parseDay(fromS, loc); ok {
		from = t
	} else if t, err := time.ParseInLocation("2006-01", fromS, loc); err == nil {
		from = t
	}
	if t, ok := parseDay(toS, loc); ok {
		to = t.AddDate(0, 0, 1)
	} else if t, err := time.ParseInLocation("2006-01", toS, loc); err == nil {
		to = t.AddDate(0, 1, 0)
	}
	return from, to, from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
}

// firstLessonBuckets sort the times to a first lesson for the chart.
var firstLessonBuckets = []struct {
	id  string
	max time.Duration
}{
	{"web.report.within_day", 24 * time.Hour},
	{"web.report.within_3days", 72 * time.Hour},
	{"web.report.within_week", 7 * 24 * time.Hour},
	{"web.report.later", 1<<63 - 1},
}

func (s *Server) figures(p *page, rep store.Report) ([]Figure, []Chart) {
	nums := []Figure{
		{p.T("web.report.held"), i18n.Int(p.Lang, rep.Held)},
		{p.T("web.report.capture_rate"), i18n.Percent(p.Lang, rep.CaptureRate())},
		{p.T("web.report.median_first"), i18n.Duration(rep.MedianToFirstLesson).Word(p.Lang)},
		{p.T("web.report.participants"), i18n.Int(p.Lang, rep.Participants)},
		{p.T("web.report.speakers"), i18n.Int(p.Lang, rep.Speakers)},
		{p.T("web.report.open_prompts"), i18n.Int(p.Lang, rep.OpenPrompts)},
	}
	byMonth := Chart{ID: "by-month", Title: p.T("web.report.by_month")}
	capture := Chart{ID: "capture", Title: p.T("web.report.capture_by_month"), Percent: true}
	for _, k := range rep.ByKind {
		byMonth.Series = append(byMonth.Series, p.kind(k.Label))
	}
	for _, m := range rep.Months {
		label := i18n.T(p.Lang, monthShort(m.Start.Month()), nil) + " " + m.Start.Format("06")
		b := Bar{Label: label}
		for _, k := range m.ByKind {
			b.Values = append(b.Values, float64(k.N))
		}
		byMonth.Bars = append(byMonth.Bars, b)
		rate := 0.0
		if m.Held > 0 {
			rate = float64(m.Captured) / float64(m.Held)
		}
		capture.Bars = append(capture.Bars, Bar{Label: label, Values: []float64{rate}})
	}
	first := Chart{ID: "first-lesson", Title: p.T("web.report.first_lesson")}
	counts := make([]float64, len(firstLessonBuckets))
	for _, d := range rep.FirstLessons {
		for i, b := range firstLessonBuckets {
			if d <= b.max {
				counts[i]++
				break
			}
		}
	}
	for i, b := range firstLessonBuckets {
		first.Bars = append(first.Bars, Bar{Label: p.T(b.id), Values: []float64{counts[i]}})
	}
	partners := Chart{ID: "by-partner", Title: p.T("web.report.by_partner"), Horizontal: true}
	for _, c := range rep.ByPartner {
		partners.Bars = append(partners.Bars, Bar{Label: c.Label, Values: []float64{float64(c.N)}})
	}
	return nums, []Chart{byMonth, capture, first, partners}
}

func monthShort(m time.Month) string {
	return [...]string{"month_short.january", "month_short.february", "month_short.march", "month_short.april",
		"month_short.may", "month_short.june", "month_short.july", "month_short.august", "month_short.september",
		"month_short.october", "month_short.november", "month_short.december"}[m-1]
}

// reportFor checks the reader may read the report and computes it.
func (s *Server) reportFor(w http.ResponseWriter, r *http.Request, p *page) (rep store.Report, ok bool, err error) {
	if p.User == nil {
		return store.Report{}, false, s.needSignIn(w, r, p)
	}
	from, to, _, _ := s.period(r)
	rep, err = s.svc.Report(r.Context(), exchange.Actor{UserID: p.User.UserID}, from, to)
	return rep, err == nil, err
}

// report is the M&E dashboard.
func (s *Server) report(w http.ResponseWriter, r *http.Request, p *page) error {
	rep, ok, err := s.reportFor(w, r, p)
	if !ok {
		return err
	}
	nums, charts := s.figures(p, rep)
	more, useful, tables := outcomeFigures(p, rep)
	nums, charts = append(nums, more...), append(charts, useful)
	for i := range charts {
		charts[i].Lang = p.Lang // every chart's numbers read in the page's language
	}
	_, _, fromS, toS := s.period(r)
	p.Title, p.Nav = p.T("web.report.title"), "report"
	p.Data = struct {
		From, To string
		Numbers  []Figure
		Charts   []Chart
		Tables   []Table
		CSV      string
	}{fromS, toS, nums, charts, tables, "/report.csv?from=" + fromS + "&to=" + toS}
	s.render(w, http.StatusOK, "report.html", p)
	return nil
}

// reportCSV is the report's figures as rows of figure, label, value.
func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request, p *page) error {
	rep, ok, err := s.reportFor(w, r, p)
	if !ok {
		return err
	}
	rows := [][]string{
		{"figure", "label", "value"},
		{"period_from", "", rep.From.Format("2006-01-02")},
		{"period_to", "", rep.To.AddDate(0, 0, -1).Format("2006-01-02")},
		{"held", "", strconv.Itoa(rep.Held)},
		{"captured", "", strconv.Itoa(rep.Captured)},
		{"capture_rate", "", strconv.FormatFloat(rep.CaptureRate(), 'f', 3, 64)},
		{"median_hours_to_first_lesson", "", strconv.FormatFloat(rep.MedianToFirstLesson.Hours(), 'f', 1, 64)},
		{"participants", "", strconv.Itoa(rep.Participants)},
		{"rsvps", "", strconv.Itoa(rep.RSVPs)},
		{"speakers", "", strconv.Itoa(rep.Speakers)},
		{"open_prompts", "", strconv.Itoa(rep.OpenPrompts)},
	}
	for _, k := range rep.ByKind {
		rows = append(rows, []string{"held_by_kind", k.Label, strconv.Itoa(k.N)})
	}
	for _, m := range rep.Months {
		month := m.Start.Format("2006-01")
		rows = append(rows, []string{"held_in_month", month, strconv.Itoa(m.Held)}, []string{"captured_in_month", month, strconv.Itoa(m.Captured)})
		for _, k := range m.ByKind {
			rows = append(rows, []string{"held_in_month_by_kind", month + " " + k.Label, strconv.Itoa(k.N)})
		}
	}
	for _, c := range rep.ByPartner {
		rows = append(rows, []string{"held_by_partner", c.Label, strconv.Itoa(c.N)})
	}
	for _, d := range rep.FirstLessons {
		rows = append(rows, []string{"hours_to_first_lesson", "", strconv.FormatFloat(d.Hours(), 'f', 1, 64)})
	}
	rows = append(rows, outcomeRows(rep)...)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s-%s.csv"`,
		rep.From.Format("20060102"), rep.To.AddDate(0, 0, -1).Format("20060102")))
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i, v := range row {
			row[i] = exchange.CSVCell(v)
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		s.o.Log.Warn("report csv", "error", err)
	}
	return nil
}
