package bot

import (
	"regexp"
	"strings"
	"testing"
)

// nestedToken finds Slack link tokens whose label holds another token
// (<url|in <#C1>>), markup Slack cannot read.
var nestedToken = regexp.MustCompile(`<[^<>|]*\|[^<>]*<`)

// `show` of an announced session links to the announcement with a
// token Slack can read, in both languages.
func TestShowLinksTheAnnouncementWithoutNestedTokens(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" 2026-12-03 15:00 <#C9|general>`)
	e.deliver()
	for _, cmd := range []string{"show 1", "ver 1"} {
		r := e.run("U1", cmd)
		if !strings.Contains(r, "<#C9>") || !strings.Contains(r, "|open it>") && !strings.Contains(r, "|abrirlo>") {
			t.Errorf("%s does not link the announcement in <#C9>:\n%s", cmd, r)
		}
		if m := nestedToken.FindString(r); m != "" {
			t.Errorf("%s nests a token in a link's label (%q):\n%s", cmd, m, r)
		}
	}
}

// A page past the last one says how many there are, in the right number.
func TestListPastTheLastPageCountsPages(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" 2026-12-03 15:00`)
	if r := e.run("U1", "list page 2"); !strings.Contains(r, "has only 1 page.") {
		t.Errorf("list page 2 with one page:\n%s", r)
	}
}
