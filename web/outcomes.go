package web

import (
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

// percent is a share as the page writes it in lang, or a dash when its
// base is 0: a share of nothing (nobody asked) is no result, not 0%.
func percent(lang i18n.Lang, f float64, base int) string {
	if base == 0 {
		return i18n.NoFigure
	}
	return i18n.Percent(lang, f)
}

// decimal writes f with one decimal in lang, or a dash when its base is
// 0 (nobody rated).
func decimal(lang i18n.Lang, f float64, base int) string {
	if base == 0 {
		return i18n.NoFigure
	}
	return i18n.Decimal(lang, f, 1)
}

// outcomeFigures are the headline numbers, the usefulness chart and the
// tables by partner and kind.
func outcomeFigures(p *page, rep store.Report) ([]Figure, Chart, []Table) {
	d, o := rep.Demand, rep.Evaluation.Total
	nums := []Figure{
		{p.T("web.report.received"), i18n.Int(p.Lang, d.Received)},
		{p.T("web.report.planned"), i18n.Int(p.Lang, d.Planned)},
		{p.T("web.report.declined"), i18n.Int(p.Lang, d.Declined)},
		{p.T("web.report.median_wait"), decimal(p.Lang, d.MedianToSession.Hours()/24, d.Planned)},
		{p.T("web.report.response_rate"), percent(p.Lang, o.ResponseRate(), o.Asked)},
		{p.T("web.report.mean_usefulness"), decimal(p.Lang, o.MeanRating(), o.Rated)},
		{p.T("web.report.plan_share"), percent(p.Lang, o.PlanShare(), o.Responded)},
		{p.T("web.report.uptake"), percent(p.Lang, o.Uptake(), o.FollowedUp)},
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
			t.Rows = append(t.Rows, []string{label, i18n.Int(p.Lang, g.Asked), percent(p.Lang, g.ResponseRate(), g.Asked),
				decimal(p.Lang, g.MeanRating(), g.Rated), percent(p.Lang, g.PlanShare(), g.Responded), percent(p.Lang, g.Uptake(), g.FollowedUp)})
		}
		return t
	}
	return nums, useful, []Table{
		demand,
		outcomes("outcomes-by-kind", "web.report.said_by_kind", "web.lessons.kind", rep.Evaluation.ByKind, true),
		outcomes("outcomes-by-partner", "web.report.said_by_partner", "web.lessons.partner", rep.Evaluation.ByPartner, false),
	}
}

// ratio is a share for the CSV with three decimals, empty when its base
// is 0 (no figure, not a zero).
func ratio(f float64, base int) string {
	if base == 0 {
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
		{"median_days_request_to_session", "", ratio(d.MedianToSession.Hours()/24, d.Planned)},
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
		row("response_rate", ratio(o.ResponseRate(), o.Asked)),
		row("usefulness_rated", strconv.Itoa(o.Rated)),
		row("usefulness_mean", ratio(o.MeanRating(), o.Rated)),
	}
	for i, n := range o.Ratings {
		// The rating is in the id, so a group's label stays its name.
		rows = append(rows, row("usefulness_rated_"+strconv.Itoa(i+1), strconv.Itoa(n)))
	}
	return append(rows,
		row("with_plan", strconv.Itoa(o.WithPlan)),
		row("plan_share", ratio(o.PlanShare(), o.Responded)),
		row("followed_up", strconv.Itoa(o.FollowedUp)),
		row("applied_yes", strconv.Itoa(o.Yes)),
		row("applied_partly", strconv.Itoa(o.Partly)),
		row("applied_not_yet", strconv.Itoa(o.NotYet)),
		row("uptake", ratio(o.Uptake(), o.FollowedUp)),
	)
}
