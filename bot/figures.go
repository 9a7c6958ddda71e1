package bot

import (
	"math"
	"strconv"
	"strings"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// figureLines words the report's figures on demand and on what the
// participants said, in lang.
func figureLines(l i18n.Localizer, r store.Report) []string {
	d := r.Demand
	lines := []string{l.T("eval.report.demand", map[string]any{
		"Received": d.Received, "Planned": d.Planned, "Declined": d.Declined, "Merged": d.Merged, "Open": d.Open,
	})}
	if d.Planned > 0 {
		lines = append(lines, l.T("eval.report.median", map[string]any{"Days": oneDecimal(l.Lang, d.MedianToSession.Hours()/24)}))
	}
	for _, p := range d.ByPartner {
		lines = append(lines, l.T("eval.report.demand_partner", map[string]any{
			"Label": escapeText(p.Label), "Received": p.Received, "Planned": p.Planned, "Declined": p.Declined,
		}))
	}
	ev := r.Evaluation
	o := ev.Total
	if o.Asked == 0 {
		return append(lines, l.T("eval.report.none_asked", nil))
	}
	lines = append(lines,
		l.T("eval.report.response", map[string]any{"Responded": o.Responded, "Asked": o.Asked, "Rate": pct(o.ResponseRate())}),
		l.T("eval.report.usefulness", map[string]any{"Mean": oneDecimal(l.Lang, o.MeanRating()),
			"R1": o.Ratings[0], "R2": o.Ratings[1], "R3": o.Ratings[2], "R4": o.Ratings[3], "R5": o.Ratings[4]}),
		l.T("eval.report.plans", map[string]any{"WithPlan": o.WithPlan, "Share": pct(o.PlanShare())}),
		l.T("eval.report.uptake", map[string]any{"Applied": o.Yes + o.Partly, "FollowedUp": o.FollowedUp, "Uptake": pct(o.Uptake())}),
	)
	for _, g := range []struct {
		head   string
		groups []store.Outcomes
		kinds  bool
	}{{"eval.report.by_kind", ev.ByKind, true}, {"eval.report.by_partner", ev.ByPartner, false}} {
		if len(g.groups) == 0 {
			continue
		}
		lines = append(lines, l.T(g.head, nil))
		for _, o := range g.groups {
			label := escapeText(o.Label)
			if g.kinds {
				label = kindName(l.Lang, o.Label)
			}
			lines = append(lines, l.T("eval.report.group", map[string]any{
				"Label": label, "Responded": o.Responded, "Asked": o.Asked, "Mean": oneDecimal(l.Lang, o.MeanRating()),
				"Share": pct(o.PlanShare()), "Uptake": pct(o.Uptake()),
			}))
		}
	}
	return lines
}

// percent is a share as a whole percentage.
func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 0, 64) }

// decimal writes f with one decimal, with a comma in Spanish.
func oneDecimal(lang i18n.Lang, f float64) string {
	// Half away from zero, as people round: 3.25 is 3.3.
	s := strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64)
	if lang == i18n.Spanish {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
