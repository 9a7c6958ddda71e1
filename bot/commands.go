package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/store"
)

// Request is one slash command invocation, whichever way it arrived
// (HTTP, Socket Mode or the `run` subcommand).
type Request struct {
	UserID    string
	ChannelID string
	TriggerID string // empty outside Slack: `new` alone cannot open a modal then
	Text      string
}

// Reply is what the caller sees, ephemerally.
type Reply struct {
	Text   string
	Blocks []slack.Block
	// Duplicate marks a redelivered request that changed nothing and gets
	// no answer.
	Duplicate bool
}

func textReply(format string, args ...any) Reply { return Reply{Text: fmt.Sprintf(format, args...)} }

// errInternal is shown instead of the real error, which goes to the log.
const errInternal = "Something went wrong on our side and nothing was changed. Please try again in a minute."

// Execute runs one slash command and returns the reply. User mistakes
// become helpful replies; only internal failures are logged as errors.
func (b *Bot) Execute(ctx context.Context, req Request) Reply {
	cmd, err := Parse(req.Text)
	name := cmd.Name
	if err == nil {
		var reply Reply
		reply, err = b.dispatch(ctx, req, cmd)
		if err == nil {
			b.metrics.Commands.WithLabelValues(name, "ok").Inc()
			return reply
		}
	}
	if name == "" {
		name = "unknown"
	}
	if errors.Is(err, store.ErrDuplicate) {
		b.metrics.Commands.WithLabelValues(name, "duplicate").Inc()
		return Reply{Duplicate: true}
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		b.metrics.Commands.WithLabelValues(name, "usage_error").Inc()
		return Reply{Text: ue.Error()}
	}
	b.metrics.Commands.WithLabelValues(name, "error").Inc()
	b.log.Error("command failed", slog.String("command", name), slog.String("user", req.UserID), slog.Any("error", err))
	return Reply{Text: errInternal}
}

func (b *Bot) dispatch(ctx context.Context, req Request, c Command) (Reply, error) {
	switch c.Name {
	case "help":
		return Reply{Text: b.helpText()}, nil
	case "new":
		if c.Date == "" {
			return b.cmdNewModal(ctx, req)
		}
		return b.cmdNew(ctx, req, c)
	case "list":
		return b.cmdList(ctx, req, c)
	case "show":
		return b.cmdShow(ctx, c)
	case "move":
		return b.cmdMove(ctx, req, c)
	case "cancel":
		return b.cmdCancel(ctx, req, c)
	case "speakers":
		return b.cmdSpeakers(ctx, req, c)
	case "join":
		return b.join(ctx, req.UserID, c.ID)
	case "leave":
		return b.cmdLeave(ctx, req, c)
	case "feed":
		return b.cmdFeed(ctx, req, c)
	}
	if fn := b.extraCommands[c.Name]; fn != nil {
		return fn(ctx, req, c)
	}
	return Reply{}, usage(msgNotAvailable, "Command", c.Name, "Slash", b.cfg.Command)
}

func (b *Bot) helpText() string {
	cmd := b.cfg.Command
	return strings.ReplaceAll(`*exchangebot* schedules webinars and peer exchanges, reminds people, and collects what was learned.

*Schedule* (staff)
• `+"`CMD new`"+` opens a form
• `+"`CMD new \"Youth employment\" 2026-12-03 15:00 90m @ana #general partner:\"FISDL El Salvador\"`"+`
   dates: `+"`2026-12-03` `today` `tomorrow` `tue` `martes` `3 dic`"+` · times: `+"`15:00` `3pm` `15h`"+` · durations: `+"`90m` `1h30m` `1.5h`"+` (default 60m)
   keys: `+"`tz:Europe/Madrid` `kind:webinar|exchange|workshop` `link:https://…` `partner:\"…\"` `lang:es|en`"+`
• `+"`CMD move 12 2026-12-04 16:00 [90m]`"+` · `+"`CMD cancel 12 [reason]`"+`
• `+"`CMD speakers 12 add @ana \"Jane Doe <jane@example.org>\"`"+` · `+"`CMD speakers 12 remove @ana`"+`

*Take part*
• `+"`CMD list [mine|past|all]`"+` · `+"`CMD show 12`"+` · `+"`CMD join 12`"+` · `+"`CMD leave 12`"+`
• `+"`CMD feed`"+` your calendar link · `+"`CMD feed reset`"+` a new one

*Learn*
• `+"`CMD lessons 12`"+` one session's lessons · `+"`CMD lessons evaluation`"+` search all
• `+"`CMD report 2026-01 2026-03`"+` M&E figures for a period`, "CMD", cmd)
}

// canManage reports whether userID may move or cancel s or change its
// speakers: staff, or the person who scheduled it. With no staff list
// everyone is staff, as PRODUCT.md's permissions say.
func (b *Bot) canManage(ctx context.Context, userID string, s *store.Session) bool {
	return userID == s.Creator || b.isStaff(ctx, userID)
}

// session loads a session for a command, turning "not found" into a
// message the user can act on.
func (b *Bot) session(ctx context.Context, id int64) (*store.Session, error) {
	s, err := b.store.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usagef("There is no session #%d. `%s list all` shows the sessions and their numbers.", id, b.cfg.Command)
	}
	return s, err
}

func (b *Bot) cmdNew(ctx context.Context, req Request, c Command) (Reply, error) {
	if !b.isStaff(ctx, req.UserID) {
		return Reply{}, usagef("Only staff can schedule sessions. Ask a coordinator, or an admin to add you to `staff` in the config.")
	}
	now := b.now()
	loc := b.cfg.Location
	if c.TZ != "" {
		l, err := loadLocation(c.TZ)
		if err != nil {
			return Reply{}, usagef("`%s` is not a time zone. Write an IANA zone like `tz:America/Santiago` or `tz:Europe/Madrid`.", c.TZ)
		}
		loc = l
	} else {
		loc = b.userLocation(ctx, req.UserID)
	}
	start, err := When(c.Date, c.Time, now, loc)
	if err != nil {
		return Reply{}, err
	}
	s := &store.Session{
		Title: c.Title, Kind: c.Kind, Start: start.UTC(), Duration: c.Duration, TZ: loc.String(),
		Link: c.Link, Channel: c.Channel, Lang: c.Lang, Creator: req.UserID,
		Partners: c.Partners, Speakers: c.Speakers, Created: now, Updated: now,
	}
	if s.Kind == "" {
		s.Kind = "webinar"
	}
	if s.Duration == 0 {
		s.Duration = time.Hour
	}
	if s.Channel == "" {
		s.Channel = b.cfg.AnnounceChannel
	}
	if s.Channel == "" {
		s.Channel = req.ChannelID
	}
	if err := b.createSession(ctx, s, now); err != nil {
		return Reply{}, err
	}
	return b.scheduledReply(s), nil
}

// createSession stores s with its announcement and planned deliveries in
// one transaction, then wakes the delivery loop.
func (b *Bot) createSession(ctx context.Context, s *store.Session, now time.Time) error {
	err := b.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		if s.Channel != "" {
			if err := tx.Enqueue(ctx, store.Delivery{
				Kind: kindAnnounce, SessionID: s.ID, Recipient: s.Channel, Due: now,
				Dedupe: fmt.Sprintf("announce:%d", s.ID),
			}, now); err != nil {
				return err
			}
		}
		return b.planSession(ctx, tx, s, now)
	})
	if err != nil {
		return err
	}
	b.kick()
	return nil
}

func (b *Bot) scheduledReply(s *store.Session) Reply {
	where := "No channel was given, so there is no announcement."
	if s.Channel != "" {
		where = fmt.Sprintf("Announcing it in %s.", channelRef(s.Channel))
	}
	return textReply("Scheduled *#%d* %s for %s (%s). %s", s.ID, escapeText(s.Title), slackDate(s.Start, s.TZ), formatDuration(s.Duration), where)
}

// channelRef links a channel id, and shows a plain #name as written.
func channelRef(ch string) string {
	if strings.HasPrefix(ch, "#") {
		return ch
	}
	return "<#" + ch + ">"
}

func (b *Bot) cmdList(ctx context.Context, req Request, c Command) (Reply, error) {
	now := b.now()
	f := store.Filter{From: now.Add(-12 * time.Hour), Status: store.StatusConfirmed, Limit: 25}
	title := "Upcoming sessions"
	switch c.Scope {
	case "mine":
		f.User, title = req.UserID, "Your upcoming sessions (speaking or joined)"
	case "past":
		f = store.Filter{EndedBefore: now, Status: store.StatusConfirmed, Newest: true, Limit: 25}
		title = "Past sessions"
	case "all":
		f = store.Filter{From: now.AddDate(0, 0, -90), Limit: 50}
		title = "All sessions from 90 days ago on"
	}
	sessions, err := b.store.Sessions(ctx, f)
	if err != nil {
		return Reply{}, err
	}
	// "Upcoming" keeps sessions still running, but not ones already over.
	if c.Scope != "past" && c.Scope != "all" {
		kept := sessions[:0]
		for _, s := range sessions {
			if s.End().After(now) {
				kept = append(kept, s)
			}
		}
		sessions = kept
	}
	if len(sessions) == 0 {
		return textReply("%s: none. Schedule one with `%s new`.", title, b.cfg.Command), nil
	}
	lines := []string{"*" + title + "*"}
	for _, s := range sessions {
		lines = append(lines, listLine(s))
	}
	lines = append(lines, fmt.Sprintf("`%s show <id>` for details, `%s join <id>` to take part.", b.cfg.Command, b.cfg.Command))
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

func (b *Bot) cmdShow(ctx context.Context, c Command) (Reply, error) {
	s, err := b.session(ctx, c.ID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: announcementText(s), Blocks: showBlocks(s, b.cfg.BaseURL)}, nil
}

// manageable loads a session the caller wants to change and checks they may.
func (b *Bot) manageable(ctx context.Context, req Request, id int64, verb string) (*store.Session, error) {
	s, err := b.session(ctx, id)
	if err != nil {
		return nil, err
	}
	if !b.canManage(ctx, req.UserID, s) {
		return nil, usagef("Only staff or <@%s>, who scheduled #%d, can %s it.", s.Creator, s.ID, verb)
	}
	if s.Cancelled() {
		return nil, usagef("#%d was cancelled, so it cannot be changed. Schedule a new session with `%s new`.", s.ID, b.cfg.Command)
	}
	return s, nil
}

func (b *Bot) cmdMove(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.manageable(ctx, req, c.ID, "move")
	if err != nil {
		return Reply{}, err
	}
	loc, err := loadLocation(s.TZ)
	if err != nil {
		loc = b.cfg.Location
	}
	now := b.now()
	start, err := When(c.Date, c.Time, now, loc)
	if err != nil {
		return Reply{}, err
	}
	d := c.Duration
	if d == 0 {
		d = s.Duration
	}
	old := s.Start
	err = b.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.Reschedule(ctx, s.ID, start, d, now); err != nil {
			return err
		}
		if _, err := tx.DropPending(ctx, s.ID, "", planKinds...); err != nil {
			return err
		}
		moved, err := tx.Session(ctx, s.ID)
		if err != nil {
			return err
		}
		s = moved
		if err := b.planSession(ctx, tx, s, now); err != nil {
			return err
		}
		note := fmt.Sprintf("Moved: *%s* was %s, now %s (%s).", escapeText(s.Title), slackDate(old, s.TZ), slackDate(s.Start, s.TZ), formatDuration(s.Duration))
		return b.enqueueNotice(ctx, tx, s, note, now)
	})
	if err != nil {
		return Reply{}, err
	}
	b.kick()
	return textReply("Moved *#%d* to %s (%s). Reminders follow the new time; calendars update on their next refresh.",
		s.ID, slackDate(s.Start, s.TZ), formatDuration(s.Duration)), nil
}

func (b *Bot) cmdCancel(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.manageable(ctx, req, c.ID, "cancel")
	if err != nil {
		return Reply{}, err
	}
	now := b.now()
	err = b.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.Cancel(ctx, s.ID, c.Reason, now); err != nil {
			return err
		}
		if _, err := tx.DropPending(ctx, s.ID, "", planKinds...); err != nil {
			return err
		}
		s.Status, s.CancelReason = store.StatusCancelled, c.Reason
		note := fmt.Sprintf("Cancelled: *%s* (%s) will not take place.", escapeText(s.Title), slackDate(s.Start, s.TZ))
		if c.Reason != "" {
			note += " Reason: " + escapeText(c.Reason)
		}
		return b.enqueueNotice(ctx, tx, s, note, now)
	})
	if err != nil {
		return Reply{}, err
	}
	b.kick()
	return textReply("Cancelled *#%d* %s. Pending reminders were dropped; calendars will show it as cancelled.", s.ID, escapeText(s.Title)), nil
}

func (b *Bot) cmdSpeakers(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.manageable(ctx, req, c.ID, "change the speakers of")
	if err != nil {
		return Reply{}, err
	}
	now := b.now()
	var changed []store.Speaker
	err = b.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if c.Action == "add" {
			changed, err = tx.AddSpeakers(ctx, s.ID, c.Speakers)
		} else {
			changed, err = tx.RemoveSpeakers(ctx, s.ID, c.Speakers)
		}
		if err != nil || len(changed) == 0 {
			return err
		}
		if err := tx.Touch(ctx, s.ID, now); err != nil {
			return err
		}
		if _, err := tx.DropPending(ctx, s.ID, "", planKinds...); err != nil {
			return err
		}
		if s, err = tx.Session(ctx, s.ID); err != nil {
			return err
		}
		if err := b.planSession(ctx, tx, s, now); err != nil {
			return err
		}
		return b.enqueueNotice(ctx, tx, s, "", now)
	})
	if err != nil {
		return Reply{}, err
	}
	if len(changed) == 0 {
		if c.Action == "add" {
			return textReply("Nothing changed: they already speak at #%d.", s.ID), nil
		}
		return textReply("Nothing changed: they were not speaking at #%d.", s.ID), nil
	}
	b.kick()
	verb := "Added"
	if c.Action == "remove" {
		verb = "Removed"
	}
	return textReply("%s %s. Speakers of #%d now: %s.", verb, speakerNames(changed), s.ID, orNone(speakerNames(s.Speakers))), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// join records an RSVP and plans the joiner's reminders still ahead; it
// serves both `join` and the Join button.
func (b *Bot) join(ctx context.Context, userID string, id int64) (Reply, error) {
	s, err := b.session(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	if s.Cancelled() {
		return Reply{}, usagef("#%d was cancelled, so it cannot be joined. `%s list` shows what is coming up.", s.ID, b.cfg.Command)
	}
	now := b.now()
	if !s.End().After(now) {
		return Reply{}, usagef("#%d is already over. `%s list` shows what is coming up.", s.ID, b.cfg.Command)
	}
	var added bool
	err = b.store.Update(ctx, func(tx store.Tx) error {
		if added, err = tx.Join(ctx, s.ID, userID, now); err != nil || !added {
			return err
		}
		s.Participants = append(s.Participants, userID)
		if !b.cfg.Reminders.ToParticipants {
			return nil
		}
		for _, off := range b.cfg.Reminders.Before {
			if err := b.planReminders(ctx, tx, s, off, now, userID, false, false, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	if !added {
		return textReply("You have already joined *#%d* %s.", s.ID, escapeText(s.Title)), nil
	}
	return textReply("You joined *#%d* %s, %s. You'll get a reminder before it starts; `%s feed` puts it in your calendar.",
		s.ID, escapeText(s.Title), slackDate(s.Start, s.TZ), b.cfg.Command), nil
}

func (b *Bot) cmdLeave(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.session(ctx, c.ID)
	if err != nil {
		return Reply{}, err
	}
	var left bool
	err = b.store.Update(ctx, func(tx store.Tx) error {
		if left, err = tx.Leave(ctx, s.ID, req.UserID); err != nil || !left {
			return err
		}
		// A speaker keeps their speaker reminders; only a plain participant's go.
		if s.HasSpeaker(req.UserID) {
			return nil
		}
		_, err := tx.DropPending(ctx, s.ID, req.UserID, kindReminder)
		return err
	})
	if err != nil {
		return Reply{}, err
	}
	if !left {
		return textReply("You had not joined *#%d*, so there was nothing to leave.", s.ID), nil
	}
	return textReply("You left *#%d* %s. No more reminders for it.", s.ID, escapeText(s.Title)), nil
}

func (b *Bot) cmdFeed(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.Action != "reset" {
		created, err := b.store.FeedTokenCreated(ctx, req.UserID)
		if err == nil {
			return textReply("You already have a personal feed link, made %s. It is stored only as a hash, so it cannot be shown again. "+
				"If you lost it, `%s feed reset` makes a new one (the old link stops working).",
				slackDate(created, b.cfg.Location.String()), b.cfg.Command), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Reply{}, err
		}
	}
	var token string
	err := b.store.Update(ctx, func(tx store.Tx) error {
		var err error
		token, err = tx.RotateFeedToken(ctx, req.UserID, b.now())
		return err
	})
	if err != nil {
		return Reply{}, err
	}
	https, webcal, google := calendar.Links(b.cfg.BaseURL, token)
	lead := "Your personal calendar feed"
	if c.Action == "reset" {
		lead = "Your new personal calendar feed (the old link no longer works)"
	}
	return textReply("%s holds the sessions you speak at or joined. Keep it private: anyone with the link can read it.\n"+
		"• Subscribe: <%s>\n• Apple Calendar / Outlook: <%s>\n• Google Calendar: <%s|add by URL>\n"+
		"This link is shown only now; `%s feed reset` makes a new one.", lead, https, webcal, google, b.cfg.Command), nil
}
