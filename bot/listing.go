package bot

import (
	"strconv"
	"strings"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// listSpeakers is how many speakers a list line names before "+n".
const listSpeakers = 3

// maxListLine bounds one line of a list: a long title and three long
// names still fit, and a page of 25 stays a short message.
const maxListLine = 400

// listLine is one session in `list` and the digest: number, title, time
// and its first speakers.
func listLine(l i18n.Lang, s *store.Session) string {
	line := "*#" + strconv.FormatInt(s.ID, 10) + "* " + escapeText(s.Title) + " · " + dateIn(l, s.Start, s.TZ)
	if s.Cancelled() {
		line = tr(l, "native.list.cancelled", "Line", "~"+line+"~")
	}
	if len(s.Speakers) > 0 {
		line += " · " + speakerList(l, s.Speakers, listSpeakers)
	}
	line += seriesMark(l, s)
	return clipMrkdwn(line, maxListLine)
}

// listTitle words the heading of a list in scope.
func listTitle(l i18n.Lang, scope string) string {
	switch scope {
	case exchange.ScopeMine:
		return tr(l, "native.list.title_mine")
	case exchange.ScopePast:
		return tr(l, "native.list.title_past")
	case exchange.ScopeAll:
		return tr(l, "native.list.title_all")
	}
	return tr(l, "native.list.title_upcoming")
}

// listCommand is the command that shows page n of scope, as a person
// writes it in l.
func (b *Bot) listCommand(l i18n.Lang, scope string, n int) string {
	words := map[string]string{exchange.ScopeMine: "native.list.word_mine", exchange.ScopePast: "native.list.word_past",
		exchange.ScopeAll: "native.list.word_all"}
	parts := []string{b.cfg.Command, tr(l, "native.list.word_list")}
	if id, ok := words[scope]; ok {
		parts = append(parts, tr(l, id))
	}
	if n > 1 {
		parts = append(parts, tr(l, "native.list.word_page"), strconv.Itoa(n))
	}
	return "`" + strings.Join(parts, " ") + "`"
}

// listReply renders one page of a list: at most exchange.ListLimit
// lines, then how many more there are and how to see them.
func (b *Bot) listReply(l i18n.Lang, scope string, p exchange.Page) Reply {
	title := listTitle(l, scope)
	if p.Total == 0 {
		return Reply{Text: tr(l, "native.list.none", "Title", title, "Command", "`"+b.cfg.Command+" "+tr(l, "native.list.word_new")+"`")}
	}
	if len(p.Sessions) == 0 {
		return Reply{Text: tr(l, "native.list.past_last_page", "Title", title, "Count", p.Pages(), "First", b.listCommand(l, scope, 1))}
	}
	lines := []string{"*" + title + "*"}
	if p.Pages() > 1 {
		lines[0] += " · " + tr(l, "native.list.page_of", "Page", p.Number, "Pages", p.Pages())
	}
	for _, s := range p.Sessions {
		lines = append(lines, listLine(l, s))
	}
	if more := p.More(); more > 0 {
		next := b.listCommand(l, scope, p.Number+1)
		if scope == exchange.ScopeUpcoming && p.Number == 1 {
			lines = append(lines, tr(l, "native.list.more_or_all", "Count", more, "Next", next, "All", b.listCommand(l, exchange.ScopeAll, 1)))
		} else {
			lines = append(lines, tr(l, "native.list.more", "Count", more, "Next", next))
		}
	}
	// The first session listed is the example, one that can be copied:
	// a placeholder such as <id> is markup to Slack's mrkdwn.
	id := strconv.FormatInt(p.Sessions[0].ID, 10)
	lines = append(lines, tr(l, "native.list.hint", "Show", "`"+b.cfg.Command+" "+tr(l, "native.list.word_show")+" "+id+"`",
		"Join", "`"+b.cfg.Command+" "+tr(l, "native.list.word_join")+" "+id+"`"))
	text := strings.Join(lines, "\n")
	return Reply{Text: clipMrkdwn(text, maxPlainText), Blocks: sections(text)}
}
