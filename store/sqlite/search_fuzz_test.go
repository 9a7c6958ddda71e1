package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// Whatever a person types into `lessons <words>` or the library's search
// box, the search answers without an FTS5 syntax error: every term
// reaches MATCH quoted (see ftsTerms).
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"evaluación", `"mirror teams"`, "evalua*", "AND OR NOT", "NEAR(a b, 2)", "answer:x", "^start",
		`"unclosed`, `a"b`, "(", ")", "*", "**", `"*"`, "-x", "+", "a:b:c", `""`, "\x00", "{a b}",
	} {
		f.Add(s)
	}
	s, err := Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, words string) {
		if _, err := s.Search(context.Background(), words, 10); err != nil {
			t.Errorf("Search(%q): %v", words, err)
		}
	})
}
