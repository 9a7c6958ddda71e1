package filter

import "github.com/exchangebot/exchangebot/store"

// Evaluations is the WHERE clause (with its leading space, or "") that
// selects f's evaluations, over their sessions joined as s; its arguments
// go to a.
func Evaluations(f store.EvaluationFilter, a *Args) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "s.starts_at >= "+a.Add(f.From.Unix()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "s.starts_at < "+a.Add(f.To.Unix()))
	}
	return where(conds)
}
