package postgres

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
)

func TestSearchSpanishAndEnglish(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	addLesson(t, s, "Primera infancia", "Los niños aprendieron más rápido con la evaluación formativa.")
	addLesson(t, s, "Early childhood", "Children learned faster with formative assessment; the ministry adopted it.")
	addLesson(t, s, "Öffentliche Verwaltung", "Die Förderung der Übergänge war entscheidend.")
	for _, tt := range []struct {
		words, want, mark string
	}{
		{"ninos", "Primera infancia", "niños"},
		{"RAPIDO", "Primera infancia", "rápido"},
		{"evaluación", "Primera infancia", "evaluación"},
		{"children", "Early childhood", "Children"},
		{"Ministry", "Early childhood", "ministry"},
		{"foerderung", "", ""}, // unaccent folds ö to o, it does not spell it oe
		{"forderung", "Öffentliche Verwaltung", "Förderung"},
		{"uberg*", "Öffentliche Verwaltung", "Übergänge"},
	} {
		res, err := s.Search(ctx, tt.words, 10)
		if err != nil {
			t.Fatalf("%q: %v", tt.words, err)
		}
		if tt.want == "" {
			if len(res) != 0 {
				t.Errorf("%q found %d", tt.words, len(res))
			}
			continue
		}
		if len(res) != 1 || res[0].SessionTitle != tt.want {
			t.Errorf("%q found %+v, want %q", tt.words, res, tt.want)
			continue
		}
		if !strings.Contains(res[0].Snippet, store.MarkStart+tt.mark+store.MarkEnd) {
			t.Errorf("%q: snippet %q does not mark %q", tt.words, res[0].Snippet, tt.mark)
		}
	}
}

// TestSearchUsesTheIndex: the planner can answer a search from the GIN
// index (sequential scans off, as they would lose on a large table).
func TestSearchUsesTheIndex(t *testing.T) {
	ctx := context.Background()
	s, url := openTest(t)
	addLesson(t, s, "T", "La evaluación externa.")
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "EXPLAIN SELECT id FROM lessons WHERE search @@ plainto_tsquery('exchangebot_search', 'evaluacion')")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "lessons_search") {
		t.Errorf("plan does not use lessons_search:\n%s", strings.Join(plan, "\n"))
	}
}

func TestSearchTerms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // function:text, joined by " | "
	}{
		{"evaluacion", "plainto_tsquery:evaluacion"},
		{"evalua*", "to_tsquery:'evalua':*"},
		{"co-op*", "to_tsquery:'co' <-> 'op':*"},
		{`"teams made" mirror`, "phraseto_tsquery:teams made | plainto_tsquery:mirror"},
		{`x' | y*`, "plainto_tsquery:x' | to_tsquery:'y':*"},
		{"'); DROP TABLE lessons; --*", "plainto_tsquery:DROP | plainto_tsquery:TABLE | plainto_tsquery:lessons;"},
		{"*** :: ()", ""},
		{`"unclosed phrase`, "phraseto_tsquery:unclosed phrase"},
		{"", ""},
	} {
		var got []string
		for _, term := range searchTerms(tt.in) {
			got = append(got, term.function+":"+term.text)
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("searchTerms(%q) = %q, want %q", tt.in, g, tt.want)
		}
	}
}

// prefixTerm is the only shape a to_tsquery argument may take: quoted
// runs of letters and digits, then :*.
var prefixTerm = regexp.MustCompile(`^'[\p{L}\p{N}]+'( <-> '[\p{L}\p{N}]+')*:\*$`)

func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"evalua*", `"a b" c*`, "co-op*", "x'y*", "*** ::", "ñandú* über"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, term := range searchTerms(in) {
			if strings.ContainsRune(term.text, 0) {
				t.Fatalf("term %q from %q holds a NUL, which PostgreSQL refuses in text", term.text, in)
			}
			switch term.function {
			case "to_tsquery":
				if !prefixTerm.MatchString(term.text) {
					t.Fatalf("to_tsquery argument %q from %q is not quoted letters and digits", term.text, in)
				}
			case "plainto_tsquery", "phraseto_tsquery":
			default:
				t.Fatalf("function %q", term.function)
			}
		}
	})
}
