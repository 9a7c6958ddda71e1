package bot

import (
	"context"
	"encoding/json"
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

// validToken is what may follow a < in Slack mrkdwn (as in package
// i18n's catalog test): a user, a channel, a special mention or date, a
// link or an email link. Slack reads any other <…> as markup too.
var validToken = regexp.MustCompile(`^<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|![a-z]+(?:\^[^<>|]*)?|https?://[^\s<>|]+|mailto:[^\s<>|]+)(?:\|[^<>]*)?>`)

// The replies that end with how to go on, worded partly in code (the
// list's hint), show commands a person can copy: no <id> or <words>,
// which Slack would eat, in either language.
func TestRepliesShowNoPlaceholderInAngleBrackets(t *testing.T) {
	e := newTestBot(t, evalConfig)
	e.run("U1", `new "Youth employment" 2026-12-03 15:00 90m <@U2|ana> "Jane Doe jane@example.org" <#C9|general>`)
	e.run("UA", `request "Cash transfers"`)
	for _, cmd := range []string{"help", "ayuda", "list", "lista", "list all", "show 1", "lessons", "lessons youth", "lecciones", "requests", "solicitudes",
		`speakers 1 add "Jane Doe"`, `speakers 1 add "jane@example.org"`, "speakers 1 add jane"} {
		r := e.bot.Execute(context.Background(), Request{UserID: "U1", ChannelID: "C1", Text: cmd})
		raw, err := json.Marshal(r.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{r.Text, blockTexts(string(raw))} {
			for i := strings.IndexByte(text, '<'); i >= 0; i = nextAngle(text, i) {
				if !validToken.MatchString(text[i:]) {
					t.Errorf("%s: Slack reads %q as markup:\n%s", cmd, text[i:min(len(text), i+30)], text)
					break
				}
			}
		}
	}
	if r := e.run("U1", "list"); !strings.Contains(r, "`/exchange show 1` for details, `/exchange join 1` to take part.") {
		t.Errorf("list does not show how to see or join its first session:\n%s", r)
	}
}

func nextAngle(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '<')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
