package filter

import (
	"strings"

	"github.com/exchangebot/exchangebot/store"
)

// Lessons is the condition q's filters add to a library query over lessons
// l joined to their sessions s: " AND …" after the query's own WHERE, or
// "" when q filters nothing. q's words are not read here: each backend
// searches them its own way. The arguments go to a.
func Lessons(q store.LessonQuery, a *Args) string {
	var conds []string
	if q.Partner != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM session_partners p WHERE p.session_id = s.id AND lower(p.name) = lower("+a.Add(q.Partner)+"))")
	}
	if q.Kind != "" {
		conds = append(conds, "s.kind = "+a.Add(q.Kind))
	}
	conds = append(conds, period("s.starts_at", q.From, q.To, a)...)
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}
