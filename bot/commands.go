package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
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
	if text, ok := b.mistake(err); ok {
		b.metrics.Commands.WithLabelValues(name, "usage_error").Inc()
		return Reply{Text: text}
	}
	b.metrics.Commands.WithLabelValues(name, "error").Inc()
	b.log.Error("command failed", slog.String("command", name), slog.String("user", req.UserID), slog.Any("error", err))
	return Reply{Text: errInternal}
}

// dispatch runs the handler registered for the command's name.
func (b *Bot) dispatch(ctx context.Context, req Request, c Command) (Reply, error) {
	if fn := b.routes.commands[c.Name]; fn != nil {
		return fn(b, ctx, req, c)
	}
	return Reply{}, usage(msgNotAvailable, "Command", c.Name, "Slash", b.cfg.Command)
}

// mistake words an error the person made or must know about (a usage
// error of the grammar, or a refusal of the exchange service); ok is
// false for internal failures.
func (b *Bot) mistake(err error) (text string, ok bool) {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Error(), true
	}
	if e, ok := exchange.AsError(err); ok {
		return b.errorText(e), true
	}
	return "", false
}

// actor is who typed a command, and where.
func (req Request) actor() exchange.Actor {
	return exchange.Actor{UserID: req.UserID, Channel: req.ChannelID}
}

var _ = commands.add("help", (*Bot).cmdHelp)

func (b *Bot) cmdHelp(ctx context.Context, req Request, _ Command) (Reply, error) {
	lang := b.readerLang(ctx, req.UserID)
	demand := i18n.T(lang, "demand.help", map[string]any{"Slash": b.cfg.Command})
	return Reply{Text: b.helpText() + "\n\n" + demand + "\n\n" + seriesHelp(lang, b.cfg.Command)}, nil
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

var _ = commands.add("list", (*Bot).cmdList)

func (b *Bot) cmdList(ctx context.Context, req Request, c Command) (Reply, error) {
	p, err := b.svc.List(ctx, req.UserID, c.Scope, c.Page)
	if err != nil {
		return Reply{}, err
	}
	return b.listReply(b.readerLang(ctx, req.UserID), c.Scope, p), nil
}

var _ = commands.add("show", (*Bot).cmdShow)

func (b *Bot) cmdShow(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.svc.Session(ctx, c.ID)
	if err != nil {
		return Reply{}, err
	}
	r := b.showReply(b.readerLang(ctx, req.UserID), s)
	if s.SeriesID != 0 {
		text, err := b.seriesShowText(ctx, b.readerLang(ctx, req.UserID), s)
		if err != nil {
			return Reply{}, err
		}
		r.Blocks = append(r.Blocks, slack.NewSectionBlock(mrkdwn(text), nil, nil))
		r.Text += "\n" + text
	}
	return r, nil
}

var _ = commands.add("feed", (*Bot).cmdFeed)

func (b *Bot) cmdFeed(ctx context.Context, req Request, c Command) (Reply, error) {
	if c.Action != "reset" {
		created, ok, err := b.svc.FeedToken(ctx, req.UserID)
		if err != nil {
			return Reply{}, err
		}
		if ok {
			return textReply("You already have a personal feed link, made %s. It is stored only as a hash, so it cannot be shown again. "+
				"If you lost it, `%s feed reset` makes a new one (the old link stops working).",
				slackDate(created, b.cfg.Location.String()), b.cfg.Command), nil
		}
	}
	token, err := b.svc.RotateFeedToken(ctx, req.UserID)
	if err != nil {
		return Reply{}, err
	}
	https, webcal, google := calendar.Links(b.cfg.BaseURL, token)
	all := calendar.AllURL(b.cfg.BaseURL)
	if !b.cfg.FeedsPublic {
		// The feed of every session is private then: the personal token opens it.
		all += "?token=" + url.QueryEscape(token)
	}
	lead := "Your personal calendar feed"
	if c.Action == "reset" {
		lead = "Your new personal calendar feed (the old link no longer works)"
	}
	return textReply("%s holds the sessions you speak at or joined. Keep it private: anyone with the link can read it.\n"+
		"• Subscribe: <%s>\n• Apple Calendar / Outlook: <%s>\n• Google Calendar: <%s|add by URL>\n"+
		"• Every session, not only yours: <%s>\n"+
		"This link is shown only now; `%s feed reset` makes a new one.", lead, https, webcal, google, all, b.cfg.Command), nil
}
