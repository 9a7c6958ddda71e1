package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/bot"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/mail"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/web"
)

// mailSenders makes the email surface's senders when mail is set up.
func mailSenders(cfg *Config, st store.Store, log *slog.Logger, feedKey []byte) func(*exchange.Service) map[string]outbox.Sender {
	if cfg.Mail.Host == "" {
		return nil
	}
	return func(svc *exchange.Service) map[string]outbox.Sender {
		snd, err := mail.New(mail.Config{
			Host: cfg.Mail.Host, Port: cfg.Mail.Port, Username: cfg.Mail.Username, Password: cfg.Mail.Password,
			From: cfg.Mail.From, TLS: cfg.Mail.TLS, BaseURL: cfg.BaseURL, Language: i18n.Lang(cfg.Language),
			SessionFeedKey: feedKey,
		}, st, svc, log, nil)
		if err != nil {
			// Validate checked mail.from already.
			log.Error("mail is off", slog.Any("error", err))
			return nil
		}
		return snd.Senders()
	}
}

// feedKey is the key that signs session calendar links, when feeds are
// not public.
func feedKey(cfg *Config, key []byte) []byte {
	if cfg.Feeds.Public {
		return nil
	}
	return key
}

// webSessionKey names the server key that signs sign-in cookies and form
// tokens when web.session_key is empty.
const webSessionKey = "web_session"

// webKey is the key of sign-in cookies and form tokens: the configured
// one, else one kept in the database, so that replicas on one PostgreSQL
// honour each other's cookies and forms and a restart signs nobody out.
// Setting web.session_key keeps it out of the database.
func webKey(ctx context.Context, cfg *Config, st store.Store) ([]byte, error) {
	if cfg.Web.SessionKey != "" {
		return []byte(cfg.Web.SessionKey), nil
	}
	return st.ServerKey(ctx, webSessionKey)
}

// newWeb builds the web pages on the bot's Service.
func newWeb(ctx context.Context, a *app) (*web.Server, error) {
	key, err := webKey(ctx, a.cfg, a.store)
	if err != nil {
		return nil, err
	}
	o := web.Options{
		Service: a.bot.Service(), BaseURL: a.cfg.BaseURL, Language: i18n.Lang(a.cfg.Language),
		FeedsPublic: a.cfg.Feeds.Public, SessionFeedKey: a.sessionKey, PublicLessons: a.cfg.Web.PublicLessons,
		ClientID: a.cfg.Web.ClientID, ClientSecret: a.cfg.Web.ClientSecret, SessionKey: key,
		SlackAPIURL: a.cfg.Slack.APIURL, AnnouncementLink: bot.Permalink, Log: a.log,
	}
	if api := a.cfg.Slack.APIURL; api != "" {
		// A Slack stand-in (tests) serves the sign-in page beside its API.
		o.AuthorizeURL = strings.TrimSuffix(strings.TrimSuffix(api, "/"), "/api") + "/openid/connect/authorize"
	}
	if a.cfg.Slack.BotToken != "" {
		o.TeamID = teamOf(bot.NewSlackClient(a.cfg.Slack.BotToken, a.cfg.Slack.APIURL, a.metrics), time.Now)
	}
	return web.New(o)
}

// teamAskAgain is how long teamOf keeps a failure before asking Slack
// again: while Slack is down, a page view must not wait on auth.test.
const teamAskAgain = 30 * time.Second

// teamOf asks Slack once which workspace the bot is installed in; a
// failure is kept for teamAskAgain, then asked again.
func teamOf(c *slack.Client, now func() time.Time) func(context.Context) (string, error) {
	var mu sync.Mutex
	var team string
	var failed time.Time
	var failure error
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if team != "" {
			return team, nil
		}
		if failure != nil && now().Sub(failed) < teamAskAgain {
			return "", failure
		}
		res, err := c.AuthTestContext(ctx)
		if err != nil {
			failed, failure = now(), err
			return "", err
		}
		team = res.TeamID
		return team, nil
	}
}
