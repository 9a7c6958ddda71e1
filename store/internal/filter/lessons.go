package filter

import (
	"strings"
	"unicode"

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

// Words is what a search for words reads: each control character becomes
// a space. No control character is a word, and both backends refuse a
// NUL in a query (SQLite ends the string there, leaving a quoted term
// unterminated; PostgreSQL refuses it in text).
func Words(words string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, words)
}
