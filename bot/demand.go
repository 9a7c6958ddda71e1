package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Knowledge demand on Slack: `request` (anyone), `requests` and its
// decisions and `plan` (staff), and the DM that tells an asker what
// became of their request. The rules are exchange's; this words them.

func (b *Bot) registerDemand() {
	b.senders[exchange.KindRequestNews] = b.sendRequestNews
}

// demandError turns the exchange service's refusals about requests into
// mistakes worded from the catalogs; other errors pass unchanged.
func (b *Bot) demandError(err error) error {
	e, ok := exchange.AsError(err)
	if !ok {
		return err
	}
	slash := b.cfg.Command
	switch e.Code {
	case exchange.CodeNotStaff:
		if e.Arg("op") == exchange.OpRequests {
			return usage("demand.error.not_staff", "Slash", slash)
		}
	case exchange.CodeTopicEmpty:
		return usage("demand.error.topic_empty", "Slash", slash)
	case exchange.CodeTopicTooLong:
		return usage("demand.error.topic_too_long", "Len", e.Arg("len"), "Max", e.Arg("max"))
	case exchange.CodeRequestNotFound:
		return usage("demand.error.not_found", "ID", e.Arg("id"), "Slash", slash)
	case exchange.CodeMergeSelf:
		return usage("demand.error.merge_self", "Slash", slash)
	case exchange.CodeRequestDecided:
		switch e.Arg("status") {
		case store.RequestPlanned:
			return usage("demand.error.planned", "ID", e.Arg("id"), "Session", e.Arg("session"))
		case store.RequestMerged:
			return usage("demand.error.merged", "ID", e.Arg("id"), "Into", e.Arg("into"))
		}
		return usage("demand.error.declined", "ID", e.Arg("id"))
	}
	return err
}

var _ = commands.add("request", (*Bot).cmdRequest)

// cmdRequest is `request "<topic>" [partner:"…"] [for:#channel]`.
func (b *Bot) cmdRequest(ctx context.Context, req Request, c Command) (Reply, error) {
	r, err := b.svc.Request(ctx, req.actor(), exchange.Ask{Topic: c.Topic, Partners: c.Partners, Channel: c.Channel})
	if err != nil {
		return Reply{}, b.demandError(err)
	}
	return Reply{Text: i18n.T(req.Lang, "demand.asked", map[string]any{"ID": r.ID, "Topic": escapeText(r.Topic), "Slash": b.cfg.Command})}, nil
}

var _ = commands.add("requests", (*Bot).cmdRequests)

// cmdRequests is `requests [open|all]`, `requests decline <id> [reason]`
// and `requests merge <id> <into>`.
func (b *Bot) cmdRequests(ctx context.Context, req Request, c Command) (Reply, error) {
	lang := req.Lang
	l := i18n.For(lang)
	switch c.Action {
	case "decline":
		r, err := b.svc.Decline(ctx, req.actor(), c.ID, c.Reason)
		if err != nil {
			return Reply{}, b.demandError(err)
		}
		return Reply{Text: l.T("demand.declined", map[string]any{"ID": r.ID, "Topic": escapeText(r.Topic), "Asker": r.Asker})}, nil
	case "merge":
		from, to, err := b.svc.Merge(ctx, req.actor(), c.ID, c.Into)
		if err != nil {
			return Reply{}, b.demandError(err)
		}
		return Reply{Text: l.T("demand.merged", map[string]any{"ID": from.ID, "Into": to.ID, "IntoTopic": escapeText(to.Topic)})}, nil
	}
	scope := exchange.RequestsOpen
	if c.Scope == "all" {
		scope = exchange.RequestsAll
	}
	rs, err := b.svc.Requests(ctx, req.actor(), scope)
	if err != nil {
		return Reply{}, b.demandError(err)
	}
	slash := map[string]any{"Slash": b.cfg.Command}
	if len(rs) == 0 {
		if scope == exchange.RequestsAll {
			return Reply{Text: l.T("demand.none_all", slash)}, nil
		}
		return Reply{Text: l.T("demand.none_open", slash)}, nil
	}
	title := l.T("demand.list_open", nil)
	if scope == exchange.RequestsAll {
		title = l.T("demand.list_all", nil)
	}
	lines := []string{title}
	for _, r := range rs {
		lines = append(lines, requestLine(l, r))
	}
	lines = append(lines, l.T("demand.hint", slash))
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

// requestLine is one request in a list: number, topic, who asked and
// when, what it names, and what became of it.
func requestLine(l i18n.Localizer, r store.Request) string {
	var details strings.Builder
	if len(r.Partners) > 0 {
		details.WriteString(l.T("demand.partners", map[string]any{"Partners": escapeText(strings.Join(r.Partners, ", "))}))
	}
	if r.Channel != "" {
		details.WriteString(l.T("demand.for", map[string]any{"Channel": channelRef(r.Channel)}))
	}
	switch r.Status {
	case store.RequestPlanned:
		details.WriteString(l.T("demand.status.planned", map[string]any{"Session": r.SessionID}))
	case store.RequestMerged:
		details.WriteString(l.T("demand.status.merged", map[string]any{"Into": r.MergedInto}))
	case store.RequestDeclined:
		if r.Reason == "" {
			details.WriteString(l.T("demand.status.declined", nil))
		} else {
			details.WriteString(l.T("demand.status.declined_reason", map[string]any{"Reason": escapeText(truncate(r.Reason, 200))}))
		}
	}
	return l.T("demand.line", map[string]any{
		"ID": r.ID, "Topic": escapeText(truncate(r.Topic, 150)), "Asker": r.Asker, "Date": i18n.Day(r.Created), "Details": details.String(),
	})
}

var _ = commands.add("plan", (*Bot).cmdPlan)

// cmdPlan is `plan <id>`: the new-session form, filled in from the
// request; with a date and time it schedules in one line.
func (b *Bot) cmdPlan(ctx context.Context, req Request, c Command) (Reply, error) {
	r, draft, err := b.svc.PlanDraft(ctx, req.actor(), c.ID)
	if err != nil {
		return Reply{}, b.demandError(err)
	}
	if c.Date == "" {
		if req.TriggerID == "" {
			return Reply{}, usage("demand.plan_outside", "Slash", b.cfg.Command, "ID", r.ID)
		}
		meta, _ := json.Marshal(newSessionMeta{Channel: req.ChannelID, Request: r.ID})
		view := b.newSessionModal(req.Lang, req.Zone.String(), string(meta))
		prefill(&view, draft)
		if _, err := b.slack.OpenViewContext(ctx, req.TriggerID, view); err != nil {
			return Reply{}, fmt.Errorf("bot: views.open: %w", err)
		}
		return Reply{}, nil
	}
	loc := req.Zone
	if c.TZ != "" {
		if loc, err = exchange.LoadZone(c.TZ); err != nil {
			return Reply{}, err
		}
	}
	start, err := When(c.Date, c.Time, b.now(), loc)
	if err != nil {
		return Reply{}, err
	}
	draft.Start, draft.Duration, draft.TZ = start, c.Duration, loc.String()
	draft.Kind, draft.Link, draft.Lang, draft.Speakers = c.Kind, c.Link, c.Lang, c.Speakers
	draft.Partners = append(draft.Partners, c.Partners...)
	if c.Channel != "" {
		draft.Channel = c.Channel
	}
	if draft.Repeat, err = b.repeatOf(c, start, loc); err != nil {
		return Reply{}, err
	}
	s, err := b.svc.Schedule(ctx, req.actor(), draft)
	if err != nil {
		return Reply{}, b.demandError(err)
	}
	return b.plannedReply(ctx, req.UserID, s, r), nil
}

// plannedReply is the scheduling reply, and that the asker is told.
func (b *Bot) plannedReply(ctx context.Context, userID string, s *store.Session, r store.Request) Reply {
	lang := b.readerLang(ctx, userID)
	reply := b.scheduledReply(lang, s)
	if s.SeriesID != 0 {
		if sr, err := b.store.Series(ctx, s.SeriesID); err == nil {
			reply = Reply{Text: b.seriesScheduledText(lang, sr)}
		}
	}
	reply.Text += " " + i18n.T(lang, "demand.scheduled_from", map[string]any{"ID": r.ID, "Asker": r.Asker})
	return reply
}

// prefill fills the new-session form with what a request said: its topic
// as the title, its partners and the channel it is for.
func prefill(v *slack.ModalViewRequest, d exchange.Draft) {
	for _, bl := range v.Blocks.BlockSet {
		in, ok := bl.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			switch in.BlockID {
			case "title":
				el.InitialValue = truncate(d.Title, exchange.MaxTitle)
			case "partners":
				el.InitialValue = strings.Join(d.Partners, "\n")
			}
		case *slack.SelectBlockElement:
			if in.BlockID == "channel" && d.Channel != "" && !strings.HasPrefix(d.Channel, "#") {
				el.InitialConversation = d.Channel
				el.DefaultToCurrentConversation = false
			}
		}
	}
}

// sendRequestNews tells an asker, by DM, what became of their request.
func (b *Bot) sendRequestNews(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	n, err := exchange.ReadRequestNews(d.Payload)
	if err != nil {
		return "", "", err
	}
	lang := b.readerLang(ctx, d.Recipient)
	l := i18n.For(lang)
	data := map[string]any{"Request": n.Request, "Topic": escapeText(n.Topic), "Slash": b.cfg.Command}
	var text string
	switch n.Event {
	case exchange.NewsPlanned:
		if s == nil || s.Cancelled() {
			return "", "", nil
		}
		data["Session"], data["Title"], data["When"] = s.ID, escapeText(s.Title), dateIn(lang, s.Start, s.TZ)
		text = l.T("demand.news.planned", data)
	case exchange.NewsDeclined:
		id := "demand.news.declined"
		if n.Reason != "" {
			id, data["Reason"] = "demand.news.declined_reason", escapeText(n.Reason)
		}
		text = l.T(id, data)
	case exchange.NewsMerged:
		data["Into"], data["IntoTopic"] = n.Into, escapeText(n.IntoTopic)
		text = l.T("demand.news.merged", data)
	default:
		return "", "", fmt.Errorf("bot: request news %q", n.Event)
	}
	return b.postDM(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}
