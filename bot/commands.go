package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

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
	// Lang and Zone are the caller's language and time zone, from their
	// Slack profile (else the configured ones). Execute looks them up,
	// once per command, when they are not given.
	Lang i18n.Lang
	Zone *time.Location
	// zoneUnknown says Zone is the configured default because Slack did
	// not say the caller's (a reply then says which zone it read).
	zoneUnknown bool
	// langGuessed says Lang is the configured one because Slack did not
	// say the caller's locale.
	langGuessed bool
}

// Reply is what the caller sees, ephemerally.
type Reply struct {
	Text   string
	Blocks []slack.Block
	// Duplicate marks a redelivered request that changed nothing and gets
	// no answer.
	Duplicate bool
}

// textReply is a reply worded from the catalogs: the message id in
// lang, with its values as name, value pairs.
func textReply(lang i18n.Lang, id string, pairs ...any) Reply {
	return Reply{Text: tr(lang, id, pairs...)}
}

// msgInternal is shown instead of the real error, which goes to the log.
const msgInternal = "reply.internal"

// Execute runs one slash command and returns the reply. User mistakes
// become helpful replies; only internal failures are logged as errors.
func (b *Bot) Execute(ctx context.Context, req Request) Reply {
	if req.Lang == "" || req.Zone == nil {
		u := b.userInfo(ctx, req.UserID)
		if req.Lang == "" {
			req.Lang = i18n.Match(b.language(), u.locale)
			req.langGuessed = u.locale == ""
		}
		if req.Zone == nil {
			// Offline there is no Slack to ask: the configured zone is
			// the one meant, and saying otherwise is noise in a terminal.
			req.Zone, req.zoneUnknown = u.loc, !u.known && !b.offline
		}
	}
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
	if text, ok := b.mistake(req.Lang, err); ok {
		b.metrics.Commands.WithLabelValues(name, "usage_error").Inc()
		return Reply{Text: text}
	}
	b.metrics.Commands.WithLabelValues(name, "error").Inc()
	b.log.Error("command failed", slog.String("command", name), slog.String("user", req.UserID), slog.Any("error", err))
	return textReply(req.Lang, msgInternal)
}

// dispatch runs the handler registered for the command's name.
func (b *Bot) dispatch(ctx context.Context, req Request, c Command) (Reply, error) {
	if fn := b.routes.commands[c.Name]; fn != nil {
		return fn(b, ctx, req, c)
	}
	return Reply{}, usage(msgNotAvailable, "Command", c.Name, "Slash", b.cfg.Command)
}

// mistake words, in lang, an error the person made or must know about (a
// usage error of the grammar, or a refusal of the exchange service); ok
// is false for internal failures.
func (b *Bot) mistake(lang i18n.Lang, err error) (text string, ok bool) {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.In(lang), true
	}
	if e, ok := exchange.AsError(err); ok {
		return b.errorText(lang, e), true
	}
	return "", false
}

// actor is who typed a command, and where.
func (req Request) actor() exchange.Actor {
	return exchange.Actor{UserID: req.UserID, Channel: req.ChannelID}
}

var _ = commands.add("help", (*Bot).cmdHelp)

func (b *Bot) cmdHelp(_ context.Context, req Request, _ Command) (Reply, error) {
	demand := i18n.T(req.Lang, "demand.help", map[string]any{"Slash": b.cfg.Command})
	return Reply{Text: b.helpText(req.Lang) + "\n\n" + demand + "\n\n" + seriesHelp(req.Lang, b.cfg.Command)}, nil
}

// helpText is the usage, with examples, in the reader's language: its
// examples use that language's subcommand names, and both are read.
func (b *Bot) helpText(lang i18n.Lang) string {
	return tr(lang, "help.text", "Cmd", b.cfg.Command)
}

var _ = commands.add("list", (*Bot).cmdList)

func (b *Bot) cmdList(ctx context.Context, req Request, c Command) (Reply, error) {
	p, err := b.svc.List(ctx, req.UserID, c.Scope, c.Page)
	if err != nil {
		return Reply{}, err
	}
	return b.listReply(req.Lang, c.Scope, p), nil
}

var _ = commands.add("show", (*Bot).cmdShow)

func (b *Bot) cmdShow(ctx context.Context, req Request, c Command) (Reply, error) {
	s, err := b.svc.Session(ctx, c.ID)
	if err != nil {
		return Reply{}, err
	}
	r := b.showReply(req.Lang, s)
	if s.SeriesID != 0 {
		text, err := b.seriesShowText(ctx, req.Lang, s)
		if err != nil {
			return Reply{}, err
		}
		r.Blocks = append(r.Blocks, section(text, nil))
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
			return textReply(req.Lang, "reply.feed.exists",
				"Made", dateIn(req.Lang, created, b.cfg.Location.String()), "Cmd", b.cfg.Command), nil
		}
	}
	token, err := b.svc.RotateFeedToken(ctx, req.UserID)
	if err != nil {
		return Reply{}, err
	}
	// The links carry the reader's language: the feed words its
	// descriptions in it.
	https, webcal, google := calendar.LinksIn(b.cfg.BaseURL, token, string(req.Lang))
	all := calendar.AllURL(b.cfg.BaseURL) + "?lang=" + string(req.Lang)
	if !b.cfg.FeedsPublic {
		// The feed of every session is private then: the personal token opens it.
		all += "&token=" + url.QueryEscape(token)
	}
	lead := "reply.feed.lead"
	if c.Action == "reset" {
		lead = "reply.feed.lead_reset"
	}
	return textReply(req.Lang, "reply.feed.links", "Lead", i18n.Msg(lead), "HTTPS", https, "Webcal", webcal,
		"Google", google, "All", all, "Cmd", b.cfg.Command), nil
}
