package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

// Search finds answers matching words, best first. Every word must match;
// "quoted words" match as a phrase and a word ending in * as a prefix
// (evalua* finds "evaluaciones"). When nothing matches every word, any
// word will do. Case and accents are ignored (the exchangebot_search
// configuration folds both, for any language), and nothing typed is read
// as query syntax.
func (s *Store) Search(ctx context.Context, words string, limit int) ([]store.SearchResult, error) {
	terms := searchTerms(words)
	if len(terms) == 0 {
		return nil, nil
	}
	return s.searchAll(ctx, terms, store.LessonQuery{Limit: limit})
}

// searchAll searches for every term, then, when nothing has them all and
// there are several, for any; q narrows as in search.
func (s *Store) searchAll(ctx context.Context, terms []searchTerm, q store.LessonQuery) ([]store.SearchResult, error) {
	res, err := s.search(ctx, terms, "&&", q)
	if err != nil || len(res) > 0 || len(terms) == 1 {
		return res, err
	}
	return s.search(ctx, terms, "||", q)
}

// searchRank weights: a match in the answer (A) counts five times one in
// the question (D). Normalization 1 divides by the log of the length, so
// of two answers matching alike the shorter, more to the point, ranks first.
const searchRank = "ts_rank('{0.2, 0.2, 0.2, 1.0}', l.search, q.q, 1)"

// headlineOptions mark matches the way store.SearchResult.Snippet promises.
var headlineOptions = "StartSel=" + store.MarkStart + ", StopSel=" + store.MarkEnd + ", MaxWords=24, MinWords=12, ShortWord=0"

// search runs one search, joining the terms with op, narrowed by q's
// filters to at most q.Limit results; q's words are already in terms.
func (s *Store) search(ctx context.Context, terms []searchTerm, op string, q store.LessonQuery) ([]store.SearchResult, error) {
	args := filter.NewArgs("$")
	var parts []string
	for _, t := range terms {
		parts = append(parts, t.function+"('exchangebot_search', "+args.Add(t.text)+")")
	}
	// The inner query ranks and limits; ts_headline, the costly part,
	// then runs only for the rows returned.
	query := `WITH q AS (SELECT ` + strings.Join(parts, " "+op+" ") + ` AS q)
		SELECT ` + lessonColumns + `, ts_headline('exchangebot_search', l.answer, q.q, ` + args.Add(headlineOptions) + `), -r.rank
		FROM (SELECT l.id, ` + searchRank + ` AS rank FROM lessons l JOIN sessions s ON s.id = l.session_id, q
			WHERE l.search @@ q.q` + filter.Lessons(q, args) + `
			ORDER BY rank DESC, l.id DESC LIMIT ` + args.Add(q.Limit) + `) r
		JOIN lessons l ON l.id = r.id JOIN sessions s ON s.id = l.session_id, q
		ORDER BY r.rank DESC, l.id DESC`
	rows, err := s.pool.Query(ctx, query, args.List()...)
	out, err := collect(rows, err, func(row pgx.Row) (r store.SearchResult, err error) {
		r.Lesson, err = scanLesson(row, &r.Snippet, &r.Rank)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return out, nil
}

// searchTerm is one typed term and the tsquery function that reads it.
type searchTerm struct {
	function string // plainto_tsquery, phraseto_tsquery or to_tsquery (prefix)
	text     string
}

// searchTerms splits what a person typed into terms. Words and phrases go
// to plainto_tsquery and phraseto_tsquery, which read no syntax at all; a
// prefix term goes to to_tsquery, so it is rebuilt from its letters and
// digits alone, each part quoted.
func searchTerms(words string) []searchTerm {
	words = filter.Words(words)
	var terms []searchTerm
	add := func(t string, phrase, prefix bool) {
		parts := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(parts) == 0 {
			return // only punctuation: it would make an empty query
		}
		switch {
		case prefix:
			for i, p := range parts {
				parts[i] = "'" + p + "'"
			}
			terms = append(terms, searchTerm{"to_tsquery", strings.Join(parts, " <-> ") + ":*"})
		case phrase:
			terms = append(terms, searchTerm{"phraseto_tsquery", t})
		default:
			terms = append(terms, searchTerm{"plainto_tsquery", t})
		}
	}
	for rest := words; rest != ""; {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 { // an unclosed quote: the rest is the phrase
				add(rest[1:], true, false)
				break
			}
			add(rest[1:1+end], true, false)
			rest = rest[2+end:]
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		add(strings.TrimRight(word, "*"), false, strings.HasSuffix(word, "*"))
		rest = rest[end:]
	}
	return terms
}
