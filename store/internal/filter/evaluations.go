package filter

import "github.com/exchangebot/exchangebot/store"

// Evaluations is the WHERE clause (with its leading space, or "") that
// selects f's evaluations, over their sessions joined as s; its arguments
// go to a.
func Evaluations(f store.EvaluationFilter, a *Args) string {
	return where(period("s.starts_at", f.From, f.To, a))
}
