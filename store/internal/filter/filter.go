// Package filter writes the SQL conditions that select what the store's
// filters ask for (store.Filter, store.RequestFilter,
// store.EvaluationFilter, a store.LessonQuery's filters), so that both
// backends read a filter the same way. The conditions are plain SQL that SQLite and PostgreSQL both
// accept; only the placeholders differ, and each backend names its own.
package filter

import (
	"strconv"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// Args collects a query's arguments and writes a numbered placeholder for
// each: after "$", $1, $2 … for PostgreSQL; after "?", ?1, ?2 … for
// SQLite. Add does not look for a value already added: a clause that
// needs one value twice (Sessions' user) adds it once and writes the
// placeholder it got twice, which both backends' numbered placeholders
// allow.
type Args struct {
	mark string
	list []any
}

// NewArgs starts the arguments of a query whose placeholders follow mark.
func NewArgs(mark string) *Args { return &Args{mark: mark} }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.list = append(a.list, v)
	return a.mark + strconv.Itoa(len(a.list))
}

// List returns the arguments in placeholder order.
func (a *Args) List() []any { return a.list }

// where joins conditions into a WHERE clause with its leading space, or ""
// when there are none.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// period is the conditions that keep col (unix seconds) in [from, to),
// each bound only when it is set; the arguments go to a. Stored times are
// whole seconds, so both bounds round up: a period ending now, part way
// through a second, holds a row made earlier in that second, and one
// starting part way through a second does not hold that second's start.
func period(col string, from, to time.Time, a *Args) []string {
	var conds []string
	if !from.IsZero() {
		conds = append(conds, col+" >= "+a.Add(assemble.CeilUnix(from)))
	}
	if !to.IsZero() {
		conds = append(conds, col+" < "+a.Add(assemble.CeilUnix(to)))
	}
	return conds
}
