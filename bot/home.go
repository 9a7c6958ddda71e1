package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// The App Home: a person's upcoming sessions with Join/Leave and Add to
// calendar, the lesson questions waiting on them with Capture, Search
// lessons, and for staff New session and this month's figures.
//
// It is published when the person opens it, and refreshed after any
// change to their sessions through the outbox: exchange owes one
// KindHome row per person per exchange.Coalesce window, keyed by the
// window, so a burst of changes publishes once, a restart loses none,
// and with several replicas one of them publishes.

// Action ids of the Home's buttons.
const (
	actionSearch     = "search_lessons"
	actionNewSession = "new_session"
	callbackSearch   = "search_lessons"
)

// homePrompts bounds the lesson prompts the Home lists.
const homePrompts = 10

var _ = events.add(string(slackevents.AppHomeOpened), (*Bot).homeOpened)

// homeOpened publishes the Home at once when its tab is opened. A
// publish lost to a crash is harmless: the next opening publishes again.
func (b *Bot) homeOpened(ctx context.Context, ev slackevents.EventsAPIInnerEvent) error {
	e, ok := ev.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.User == "" || (e.Tab != "" && e.Tab != "home") {
		return nil
	}
	return b.publishHome(ctx, e.User)
}

// sendHome is the sender of KindHome rows.
func (b *Bot) sendHome(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	if err := b.publishHome(ctx, d.Recipient); err != nil {
		return "", "", err
	}
	return "home:" + d.Recipient, "", nil
}

// publishHome builds userID's Home and publishes it.
func (b *Bot) publishHome(ctx context.Context, userID string) error {
	h, err := b.svc.Home(ctx, userID)
	if err != nil {
		return err
	}
	view := b.homeView(b.readerLang(ctx, userID), h)
	_, err = b.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
	return err
}

// homeView renders a Home within Slack's 100 blocks: the fixed parts
// first, then as many sessions as fit, then how many more there are.
func (b *Bot) homeView(l i18n.Lang, h exchange.Home) slack.HomeTabViewRequest {
	var prompts []slack.Block
	prompts = append(prompts, slack.NewDividerBlock(), header(tr(l, "native.home.prompts_title")))
	if len(h.Prompts) == 0 {
		prompts = append(prompts, contextLine(tr(l, "native.home.no_prompts")))
	}
	for i, p := range h.Prompts {
		if i == homePrompts {
			prompts = append(prompts, contextLine(tr(l, "native.more", "Count", len(h.Prompts)-homePrompts)))
			break
		}
		s := p.Session
		capture := button(actionCapture, strconv.FormatInt(s.ID, 10), tr(l, "native.button.capture"))
		capture.Style = slack.StylePrimary
		prompts = append(prompts, section(tr(l, "native.home.prompt", "Title", escapeText(s.Title), "ID", s.ID,
			"Date", dateIn(l, s.Start, s.TZ)), slack.NewAccessory(capture)))
	}

	tools := []slack.BlockElement{button(actionSearch, "search", tr(l, "native.button.search"))}
	if h.Staff {
		tools = append(tools, button(actionNewSession, "new", tr(l, "native.button.new_session")))
	}
	tail := []slack.Block{slack.NewDividerBlock(), slack.NewActionBlock("home_tools", tools...)}
	if h.Staff {
		r := h.Figures
		tail = append(tail, header(tr(l, "native.home.figures_title", "Month", monthName(l, h))),
			section(tr(l, "native.home.figures", "Held", i18n.Int(l, r.Held), "Captured", i18n.Int(l, r.Captured),
				"Rate", i18n.Percent(l, r.CaptureRate()), "Participants", i18n.Int(l, r.Participants),
				"Speakers", i18n.Int(l, r.Speakers), "Open", i18n.Int(l, r.OpenPrompts)), nil))
	}

	blocks := []slack.Block{header(tr(l, "native.home.sessions_title"))}
	if len(h.Sessions) == 0 {
		blocks = append(blocks, contextLine(tr(l, "native.home.no_sessions", "Command", "`"+b.cfg.Command+" "+tr(l, "native.list.word_list")+"`")))
	}
	room := maxViewBlocks - len(blocks) - len(prompts) - len(tail) - 1 // one for "n more"
	shown := min(len(h.Sessions), room)
	for _, s := range h.Sessions[:shown] {
		blocks = append(blocks, b.homeSession(l, h.UserID, s))
	}
	if more := h.Total - shown; more > 0 {
		blocks = append(blocks, contextLine(tr(l, "native.home.more_sessions", "Count", more,
			"Command", b.listCommand(l, exchange.ScopeMine, 1))))
	}
	blocks = append(append(blocks, prompts...), tail...)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// homeSession is one session in a Home: what, when, the person's part in
// it, how many go, calendar links, and Join or Leave.
func (b *Bot) homeSession(l i18n.Lang, user string, s *store.Session) slack.Block {
	id := strconv.FormatInt(s.ID, 10)
	role, act := tr(l, "native.home.role_organising"), button(actionJoin, id, tr(l, "native.button.join"))
	switch {
	case s.HasSpeaker(user):
		role, act = tr(l, "native.home.role_speaking"), nil
	case s.HasParticipant(user):
		role, act = tr(l, "native.home.role_joined"), button(actionLeave, id, tr(l, "native.button.leave"))
	}
	text := fmt.Sprintf("*%s* (#%d)\n%s · %s · %s\n%s", escapeText(clip(s.Title, exchange.MaxTitle)), s.ID,
		dateIn(l, s.Start, s.TZ), role, going(l, s), b.calendarLinks(l, s, false))
	var acc *slack.Accessory
	if act != nil {
		acc = slack.NewAccessory(act)
	}
	return section(text, acc)
}

// monthIDs are the catalog's month names.
var monthIDs = [...]string{"month.january", "month.february", "month.march", "month.april", "month.may", "month.june",
	"month.july", "month.august", "month.september", "month.october", "month.november", "month.december"}

// monthName words the month of the figures.
func monthName(l i18n.Lang, h exchange.Home) string {
	return tr(l, "native.home.month", "Month", tr(l, monthIDs[h.Month.Month()-1]), "Year", h.Month.Year())
}

// markSnippet shows the store's match marks in bold.
func markSnippet(s string) string {
	return strings.NewReplacer(store.MarkStart, "*", store.MarkEnd, "*").Replace(s)
}

var _ = actions.add(actionSearch, (*Bot).pressSearch)

// pressSearch opens the lesson search form.
func (b *Bot) pressSearch(ctx context.Context, cb slack.InteractionCallback, _ *slack.BlockAction) error {
	l := b.readerLang(ctx, cb.User.ID)
	_, err := b.slack.OpenViewContext(ctx, cb.TriggerID, b.searchModal(l, "", nil, false))
	return err
}

// searchModal is the search form, with the results of words when given.
func (b *Bot) searchModal(l i18n.Lang, words string, results []store.SearchResult, searched bool) slack.ModalViewRequest {
	q := slack.NewPlainTextInputBlockElement(plain(tr(l, "native.search.placeholder")), "v")
	q.MaxLength = 200
	q.InitialValue, _ = initialValue(words, q.MaxLength)
	blocks := []slack.Block{input("q", tr(l, "native.search.label"), q, false)}
	if searched && len(results) == 0 {
		blocks = append(blocks, contextLine(tr(l, "native.search.none", "Words", escapeText(words))))
	}
	for _, r := range results {
		snippet := markSnippet(escapeText(r.Snippet))
		blocks = append(blocks, slack.NewDividerBlock(), section(b.lessonLine(l, r.Lesson, snippet), nil))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackSearch,
		Title: viewTitle(tr(l, "native.search.title")), Submit: viewTitle(tr(l, "native.search.submit")),
		Close:  viewTitle(tr(l, "native.form.close")),
		Blocks: slack.Blocks{BlockSet: fitBlocks(blocks, maxViewBlocks, func(n int) string { return tr(l, "native.more", "Count", n) })},
	}
}

var _ = views.add(callbackSearch, (*Bot).submitSearch)

// submitSearch answers the form with the same form holding the results.
func (b *Bot) submitSearch(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	l := b.readerLang(ctx, cb.User.ID)
	words := viewValue(cb, "q").Value
	results, err := b.svc.Search(ctx, words, maxListed)
	if err != nil {
		return nil, err
	}
	view := b.searchModal(l, words, results, true)
	return slack.NewUpdateViewSubmissionResponse(&view), nil
}

var _ = actions.add(actionNewSession, (*Bot).pressNewSession)

// pressNewSession opens the new-session form from the Home.
func (b *Bot) pressNewSession(ctx context.Context, cb slack.InteractionCallback, _ *slack.BlockAction) error {
	_, err := b.cmdNewModal(ctx, Request{UserID: cb.User.ID, TriggerID: cb.TriggerID})
	if text, ok := b.mistake(b.readerLang(ctx, cb.User.ID), err); ok {
		b.tellUser(ctx, "", cb.User.ID, Reply{Text: text})
		return nil
	}
	return err
}
