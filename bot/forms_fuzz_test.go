package bot

import (
	"strings"
	"testing"
)

// The new-session form's speakers without Slack, one "Name <email>" or
// "Name email" a line, as typed: either every line is a named address, or the first
// line that is not is handed back to be shown beside the field.
func FuzzExternalLines(f *testing.F) {
	for _, s := range []string{
		"Ana Pérez <ana@example.org>\nBo <bo@x.org>",
		"\n\n  Ana <ana@example.org>  \n",
		"ana@example.org",
		"<ana@example.org>",
		"Ana <mailto:ana@example.org|ana@example.org>",
		"Ana &lt;ana@example.org&gt;",
		"Ana Pérez ana@example.org\nBo\u00a0bo@x.org",
		"Ana Pérez",
		"Ana <ana@@x.org>",
		"Ana <a b@x.org>\nBo <bo@x.org>",
		"Ana <>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		speakers, bad := parseExternalLines(text)
		if bad != "" {
			if speakers != nil {
				t.Fatalf("parseExternalLines(%q) refused %q yet returned %v", text, bad, speakers)
			}
			if !strings.Contains(text, bad) {
				t.Fatalf("parseExternalLines(%q) refused %q, which is not a line of it", text, bad)
			}
			return
		}
		for _, sp := range speakers {
			if strings.TrimSpace(sp.Name) == "" || !validEmail(sp.Email) || sp.UserID != "" || strings.ContainsAny(sp.Email, "<>\n") {
				t.Fatalf("parseExternalLines(%q) gave speaker %+v", text, sp)
			}
		}
	})
}

func TestParseExternalLines(t *testing.T) {
	for _, tt := range []struct {
		text, bad string
		want      []string // name|email
	}{
		{"Ana Pérez <ana@example.org>\nBo <bo@x.org>", "", []string{"Ana Pérez|ana@example.org", "Bo|bo@x.org"}},
		{"Ana Pérez ana@example.org\n\n  Bo\u00a0BO@x.org ", "", []string{"Ana Pérez|ana@example.org", "Bo|bo@x.org"}},
		{"Ana &lt;ana@example.org&gt;", "", []string{"Ana|ana@example.org"}},
		{"Ana <mailto:ana@example.org|ana@example.org>", "", []string{"Ana|ana@example.org"}},
		{"Ana <ana@example.org>\nBo Díaz", "Bo Díaz", nil},
		{"ana@example.org", "ana@example.org", nil},
		{"Ana ana@example", "Ana ana@example", nil},
	} {
		speakers, bad := parseExternalLines(tt.text)
		var got []string
		for _, sp := range speakers {
			got = append(got, sp.Name+"|"+sp.Email)
		}
		if bad != tt.bad || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("parseExternalLines(%q) = %q, bad %q; want %q, bad %q", tt.text, got, bad, tt.want, tt.bad)
		}
	}
}
