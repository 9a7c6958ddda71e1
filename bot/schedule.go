package bot

import (
	"context"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

var _ = commands.add("new", (*Bot).cmdNew)

// cmdNew schedules a session from one line; without a date it opens the form.
func (b *Bot) cmdNew(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.Date == "" {
		return b.cmdNewModal(ctx, req)
	}
	if err := b.svc.RequireStaff(ctx, req.UserID, exchange.OpSchedule); err != nil {
		return Reply{}, err
	}
	loc, known := req.Zone, !req.zoneUnknown
	if c.TZ != "" {
		l, err := exchange.LoadZone(c.TZ)
		if err != nil {
			return Reply{}, err
		}
		loc = l
		known = true
	}
	start, err := When(c.Date, c.Time, b.now(), loc)
	if err != nil {
		return Reply{}, err
	}
	ch := b.svc.Channel(req.actor(), c.Channel)
	if err := b.checkChannel(ctx, ch); err != nil {
		// Nothing is stored: the person invites the bot and tries again.
		return Reply{Text: b.channelProblem(req.Lang, ch, err)}, nil
	}
	draft := exchange.Draft{
		Title: c.Title, Kind: c.Kind, Start: start, Duration: c.Duration, TZ: loc.String(),
		Link: c.Link, Channel: c.Channel, Lang: c.Lang, Partners: c.Partners, Speakers: c.Speakers,
	}
	if c.Every != "" {
		return b.newSeries(ctx, req, c, draft, loc)
	}
	s, err := b.svc.Schedule(ctx, req.actor(), draft)
	if err != nil {
		return Reply{}, err
	}
	reply := b.scheduledReply(req.Lang, s)
	if !known {
		// The caller's language when Slack gave their locale (a profile
		// without a zone); when it said nothing of the person, the
		// session's language, else the configured one.
		lang := req.Lang
		if req.langGuessed {
			lang = i18n.Match(b.language(), s.Lang)
		}
		reply.Text += "\n" + zoneNote(lang, b.cfg.Command, s, loc)
	}
	return reply, nil
}

// zoneNote tells someone whose zone Slack did not give (users.info
// failed, or did not answer in time) which zone their time was read in,
// and how to give their own.
func zoneNote(lang i18n.Lang, slash string, s *store.Session, loc *time.Location) string {
	return i18n.T(lang, "zone.unknown", map[string]any{
		"When": i18n.DayTime(s.Start.In(loc)), "Zone": loc.String(), "Slash": slash, "ID": s.ID,
	})
}

func (b *Bot) scheduledReply(lang i18n.Lang, s *store.Session) Reply {
	where := tr(lang, "reply.scheduled.no_channel")
	if s.Channel != "" {
		where = tr(lang, "reply.scheduled.announcing", "Channel", channelRef(s.Channel))
	}
	return textReply(lang, "reply.scheduled.text", "ID", s.ID, "Title", escapeText(s.Title),
		"When", dateIn(lang, s.Start, s.TZ), "Duration", durationIn(lang, s.Duration), "Where", where)
}

// channelRef links a channel id, and shows a plain #name as written.
func channelRef(ch string) string {
	if strings.HasPrefix(ch, "#") {
		return ch
	}
	return "<#" + ch + ">"
}

var _ = commands.add("move", (*Bot).cmdMove)

func (b *Bot) cmdMove(ctx context.Context, req Request, c Command) (Reply, error) {
	// Checked before the date is read, so someone who may not move it
	// hears that rather than a remark about the date.
	s, err := b.svc.Manageable(ctx, req.actor(), c.ID, exchange.OpMove)
	if err != nil {
		return Reply{}, err
	}
	start, err := When(c.Date, c.Time, b.now(), b.svc.Zone(s))
	if err != nil {
		return Reply{}, err
	}
	if c.All {
		return b.moveSeries(ctx, req, c, start)
	}
	s, _, err = b.svc.Move(ctx, req.actor(), s.ID, start, c.Duration)
	if err != nil {
		return Reply{}, err
	}
	return textReply(req.Lang, "reply.moved", "ID", s.ID, "When", dateIn(req.Lang, s.Start, s.TZ),
		"Duration", durationIn(req.Lang, s.Duration)), nil
}

var _ = commands.add("cancel", (*Bot).cmdCancel)

func (b *Bot) cmdCancel(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.All {
		return b.cancelSeries(ctx, req, c)
	}
	s, err := b.svc.Cancel(ctx, req.actor(), c.ID, c.Reason)
	if err != nil {
		return Reply{}, err
	}
	return textReply(req.Lang, "reply.cancelled", "ID", s.ID, "Title", escapeText(s.Title)), nil
}

var _ = commands.add("speakers", (*Bot).cmdSpeakers)

func (b *Bot) cmdSpeakers(ctx context.Context, req Request, c Command) (Reply, error) {
	change, done, none := b.svc.AddSpeakers, "reply.speakers.added", "reply.speakers.none_added"
	if c.Action == "remove" {
		change, done, none = b.svc.RemoveSpeakers, "reply.speakers.removed", "reply.speakers.none_removed"
	}
	changed, s, err := change(ctx, req.actor(), c.ID, c.Speakers)
	if err != nil {
		return Reply{}, err
	}
	if len(changed) == 0 {
		return textReply(req.Lang, none, "ID", s.ID), nil
	}
	return textReply(req.Lang, done, "Names", speakerNames(changed), "ID", s.ID,
		"Speakers", orNone(req.Lang, speakerNames(s.Speakers))), nil
}

// orNone is s, or the word for none when it is empty.
func orNone(lang i18n.Lang, s string) string {
	if s == "" {
		return tr(lang, "reply.none")
	}
	return s
}

var _ = commands.add("join", (*Bot).cmdJoin)

func (b *Bot) cmdJoin(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.All {
		return b.joinSeries(ctx, req.UserID, c.ID)
	}
	return b.join(ctx, req.Lang, req.UserID, c.ID)
}

// join serves both `join` and the Join button.
func (b *Bot) join(ctx context.Context, lang i18n.Lang, userID string, id int64) (Reply, error) {
	s, joined, err := b.svc.Join(ctx, userID, id)
	if err != nil {
		return Reply{}, err
	}
	if !joined {
		return textReply(lang, "reply.join.already", "ID", s.ID, "Title", escapeText(s.Title)), nil
	}
	return textReply(lang, "reply.join.joined", "ID", s.ID, "Title", escapeText(s.Title),
		"When", dateIn(lang, s.Start, s.TZ), "Cmd", b.cfg.Command), nil
}

var _ = commands.add("leave", (*Bot).cmdLeave)

func (b *Bot) cmdLeave(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.All {
		return b.leaveSeries(ctx, req.UserID, c.ID)
	}
	s, left, err := b.svc.Leave(ctx, req.UserID, c.ID)
	if err != nil {
		return Reply{}, err
	}
	if !left {
		return textReply(req.Lang, "reply.leave.not_joined", "ID", s.ID), nil
	}
	return textReply(req.Lang, "reply.leave.left", "ID", s.ID, "Title", escapeText(s.Title)), nil
}

var _ = commands.add("edit", (*Bot).cmdEdit)

// cmdEdit changes what was said about a session: `edit <id> key:value…`.
func (b *Bot) cmdEdit(ctx context.Context, req Request, c Command) (Reply, error) {
	var ch exchange.Changes
	set := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	ch.Title, ch.Kind, ch.Link, ch.Lang, ch.Description = set(c.Title), set(c.Kind), set(c.Link), set(c.Lang), set(c.Description)
	s, err := b.svc.Edit(ctx, req.actor(), c.ID, ch)
	if err != nil {
		return Reply{}, err
	}
	return textReply(req.Lang, "reply.edited", "ID", s.ID, "Title", escapeText(s.Title)), nil
}
