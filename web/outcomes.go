package web

import (
	"math"
	"strconv"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// The dashboard's share of demand (requests to sessions) and of what
// participants said (ratings, plans, uptake): the figures exchange counts
// for the report command, drawn here for the web.

// Table is a table of figures with a head row; the first cell of each
// row names it.
type Table struct {
	ID, Title string
	Head      []string
	Rows      [][]string
}

// medianDays is the median wait from request to session, in days; NaN
// (no figure) when nothing was planned, like the shares in store.
func medianDays(d store.Demand) float64 {
	if d.Planned == 0 {
		return math.NaN()
	}
	return d.MedianToSession.Hours() / 24
}

// outcomeFigures are the headline numbers, the usefulness chart and the
// tables by partner and kind.
func outcomeFigures(p *page, rep store.Report) ([]Figure, Chart, []Table) {
	d, o := rep.Demand, rep.Evaluation.Total
	nums := []Figure{
		{p.T("web.report.received"), i18n.Int(p.Lang, d.Received)},
		{p.T("web.report.planned"), i18n.Int(p.Lang, d.Planned)},
		{p.T("web.report.declined"), i18n.Int(p.Lang, d.Declined)},
		{p.T("web.report.median_wait"), i18n.Decimal(p.Lang, medianDays(d), 1)},
		{p.T("web.report.response_rate"), i18n.Percent(p.Lang, o.ResponseRate())},
		{p.T("web.report.mean_usefulness"), i18n.Decimal(p.Lang, o.MeanRating(), 1)},
		{p.T("web.report.plan_share"), i18n.Percent(p.Lang, o.PlanShare())},
		{p.T("web.report.uptake"), i18n.Percent(p.Lang, o.Uptake())},
	}
	useful := Chart{ID: "usefulness", Title: p.T("web.report.usefulness"), Desc: p.T("web.report.usefulness_desc")}
	if o.Rated > 0 {
		for i, n := range o.Ratings {
			useful.Bars = append(useful.Bars, Bar{Label: strconv.Itoa(i + 1), Values: []float64{float64(n)}})
		}
	}
	demand := Table{ID: "demand-by-partner", Title: p.T("web.report.asks_by_partner"), Head: []string{
		p.T("web.lessons.partner"), p.T("web.report.col_received"), p.T("web.report.col_planned"), p.T("web.report.col_declined")}}
	for _, c := range d.ByPartner {
		demand.Rows = append(demand.Rows, []string{c.Label, i18n.Int(p.Lang, c.Received), i18n.Int(p.Lang, c.Planned), i18n.Int(p.Lang, c.Declined)})
	}
	outcomes := func(id, title, col string, groups []store.Outcomes, kinds bool) Table {
		t := Table{ID: id, Title: p.T(title), Head: []string{p.T(col), p.T("web.report.col_asked"), p.T("web.report.col_response"),
			p.T("web.report.col_mean"), p.T("web.report.col_plan"), p.T("web.report.col_uptake")}}
		for _, g := range groups {
			label := g.Label
			if kinds {
				label = p.kind(label)
			}
			t.Rows = append(t.Rows, []string{label, i18n.Int(p.Lang, g.Asked), i18n.Percent(p.Lang, g.ResponseRate()),
				i18n.Decimal(p.Lang, g.MeanRating(), 1), i18n.Percent(p.Lang, g.PlanShare()), i18n.Percent(p.Lang, g.Uptake())})
		}
		return t
	}
	return nums, useful, []Table{
		demand,
		outcomes("outcomes-by-kind", "web.report.said_by_kind", "web.lessons.kind", rep.Evaluation.ByKind, true),
		outcomes("outcomes-by-partner", "web.report.said_by_partner", "web.lessons.partner", rep.Evaluation.ByPartner, false),
	}
}

// ratio is a share for the CSV with three decimals, empty when it is no
// figure (NaN), not a zero.
func ratio(f float64) string {
	if math.IsNaN(f) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// outcomeRows are the CSV's rows for demand and outcomes: figure, label,
// value, with ids that stay as they are for those who import them.
// Groups (partners, kinds) repeat the total's ids with _by_partner or
// _by_kind, labelled with the partner or the kind's id.
func outcomeRows(rep store.Report) [][]string {
	d := rep.Demand
	rows := [][]string{
		{"requests_received", "", strconv.Itoa(d.Received)},
		{"requests_planned", "", strconv.Itoa(d.Planned)},
		{"requests_declined", "", strconv.Itoa(d.Declined)},
		{"requests_merged", "", strconv.Itoa(d.Merged)},
		{"requests_open", "", strconv.Itoa(d.Open)},
		{"median_days_request_to_session", "", ratio(medianDays(d))},
	}
	for _, c := range d.ByPartner {
		rows = append(rows,
			[]string{"requests_received_by_partner", c.Label, strconv.Itoa(c.Received)},
			[]string{"requests_planned_by_partner", c.Label, strconv.Itoa(c.Planned)},
			[]string{"requests_declined_by_partner", c.Label, strconv.Itoa(c.Declined)})
	}
	ev := rep.Evaluation
	rows = append(rows, outcomesCSV("", "", ev.Total)...)
	for _, o := range ev.ByKind {
		rows = append(rows, outcomesCSV("_by_kind", o.Label, o)...)
	}
	for _, o := range ev.ByPartner {
		rows = append(rows, outcomesCSV("_by_partner", o.Label, o)...)
	}
	return rows
}

func outcomesCSV(suffix, label string, o store.Outcomes) [][]string {
	row := func(id, value string) []string { return []string{id + suffix, label, value} }
	rows := [][]string{
		row("evaluations_asked", strconv.Itoa(o.Asked)),
		row("evaluations_responded", strconv.Itoa(o.Responded)),
		row("response_rate", ratio(o.ResponseRate())),
		row("usefulness_rated", strconv.Itoa(o.Rated)),
		row("usefulness_mean", ratio(o.MeanRating())),
	}
	for i, n := range o.Ratings {
		// The rating is in the id, so a group's label stays its name.
		rows = append(rows, row("usefulness_rated_"+strconv.Itoa(i+1), strconv.Itoa(n)))
	}
	return append(rows,
		row("with_plan", strconv.Itoa(o.WithPlan)),
		row("plan_share", ratio(o.PlanShare())),
		row("followed_up", strconv.Itoa(o.FollowedUp)),
		row("applied_yes", strconv.Itoa(o.Yes)),
		row("applied_partly", strconv.Itoa(o.Partly)),
		row("applied_not_yet", strconv.Itoa(o.NotYet)),
		row("uptake", ratio(o.Uptake())),
	)
}
