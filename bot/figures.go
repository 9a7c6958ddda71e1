package bot

import (
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// figureLines words the report's figures on demand and on what the
// participants said, in lang.
func figureLines(l i18n.Localizer, r store.Report) []string {
	n := func(n int) string { return i18n.Int(l.Lang, n) }
	pct := func(f float64) string { return i18n.Percent(l.Lang, f) }
	d := r.Demand
	lines := []string{l.T("eval.report.demand", map[string]any{
		"Received": n(d.Received), "Planned": n(d.Planned), "Declined": n(d.Declined), "Merged": n(d.Merged), "Open": n(d.Open),
	})}
	if d.Planned > 0 {
		lines = append(lines, l.T("eval.report.median", map[string]any{"Days": i18n.Decimal(l.Lang, d.MedianToSession.Hours()/24, 1)}))
	}
	for _, p := range d.ByPartner {
		lines = append(lines, l.T("eval.report.demand_partner", map[string]any{
			"Label": escapeText(p.Label), "Received": n(p.Received), "Planned": n(p.Planned), "Declined": n(p.Declined),
		}))
	}
	ev := r.Evaluation
	o := ev.Total
	if o.Asked == 0 {
		return append(lines, l.T("eval.report.none_asked", nil))
	}
	lines = append(lines,
		l.T("eval.report.response", map[string]any{"Responded": n(o.Responded), "Asked": n(o.Asked), "Rate": pct(o.ResponseRate())}),
		l.T("eval.report.usefulness", map[string]any{"Mean": i18n.Decimal(l.Lang, o.MeanRating(), 1),
			"R1": n(o.Ratings[0]), "R2": n(o.Ratings[1]), "R3": n(o.Ratings[2]), "R4": n(o.Ratings[3]), "R5": n(o.Ratings[4])}),
		l.T("eval.report.plans", map[string]any{"WithPlan": n(o.WithPlan), "Share": pct(o.PlanShare())}),
		l.T("eval.report.uptake", map[string]any{"Applied": n(o.Yes + o.Partly), "FollowedUp": n(o.FollowedUp), "Uptake": pct(o.Uptake())}),
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
				"Label": label, "Responded": n(o.Responded), "Asked": n(o.Asked), "Mean": i18n.Decimal(l.Lang, o.MeanRating(), 1),
				"Share": pct(o.PlanShare()), "Uptake": pct(o.Uptake()),
			}))
		}
	}
	return lines
}
