package filter

import (
	"fmt"

	"github.com/exchangebot/exchangebot/store"
)

// Requests is the WHERE, ORDER BY and LIMIT clauses (with a leading
// space, each only when needed) that select f's requests from the
// requests table as r; its arguments go to a.
func Requests(f store.RequestFilter, a *Args) string {
	var conds []string
	if f.Status != "" {
		conds = append(conds, "r.status = "+a.Add(f.Status))
	}
	conds = append(conds, period("r.created_at", f.From, f.To, a)...)
	if f.MergedInto != 0 {
		conds = append(conds, "r.merged_into = "+a.Add(f.MergedInto))
	}
	if f.SessionID != 0 {
		conds = append(conds, "r.session_id = "+a.Add(f.SessionID))
	}
	order := " ORDER BY r.created_at, r.id"
	if f.Newest {
		order = " ORDER BY r.created_at DESC, r.id DESC"
	}
	clause := where(conds) + order
	if f.Limit > 0 {
		clause += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return clause
}
