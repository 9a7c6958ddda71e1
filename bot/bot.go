// Package bot is the Slack surface of the exchange service: it reads
// slash commands, buttons, forms and events, calls exchange.Service, and
// renders the answers and everything the bot owes as Slack messages. It
// also runs the scheduled jobs that deliver them.
package bot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// Config is the Slack surface's share of the configuration, already
// parsed: the product's Policy and what only Slack needs.
type Config struct {
	exchange.Policy
	BaseURL       string
	Command       string
	SigningSecret string
	Tick          string // cron spec for the delivery job
	DigestCron    string
	// SessionFeedKey signs session feed links when FeedsPublic is false
	// (see calendar.Site).
	SessionFeedKey []byte
}

// SlackAPI is the part of *slack.Client the bot calls. Offline mode
// replaces it with a logger; tests use a real client against a fake server.
type SlackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	GetUserGroupMembersContext(ctx context.Context, group string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
}

// Bot holds what every command, handler and job needs.
type Bot struct {
	store store.Store
	slack SlackAPI
	log   *slog.Logger
	now   func() time.Time
	cfg   Config

	offline bool
	zones   zoneCache
	// channels remembers the channels found fit to announce in.
	channels channelCache
	staff    staffCache
	// inflight lets shutdown wait for work started by requests.
	inflight sync.WaitGroup
	// answering counts the requests from Slack being handled now; the
	// delivery engine yields to them (outbox.Options.Busy).
	answering atomic.Int64

	metrics *Metrics
	// svc is the product: every rule and every change goes through it.
	svc    *exchange.Service
	routes routes
	// senders is the one registry of outbox senders, by kind.
	senders map[string]sender
	// engine delivers the outbox through senders; pauses holds Slack's
	// rate limits for every call the bot makes.
	engine *outbox.Engine
	pauses *outbox.Pauses
	// cronJobs are jobs on their own cron spec, keyed by spec.
	cronJobs map[string]cronJob
}

// Options are the parts New needs; zero values are filled with defaults.
type Options struct {
	Store  store.Store
	Slack  SlackAPI // nil = offline: what would be sent is logged
	Log    *slog.Logger
	Now    func() time.Time
	Config Config
	// Metrics may be shared with the HTTP server; nil creates a private set.
	Metrics *Metrics
	// Workers bounds the deliveries in flight (default outbox.DefaultWorkers).
	Workers int
	// Senders, when set, returns the senders of other surfaces (email) by
	// the kinds they deliver, made on the bot's Service; every other kind
	// goes to Slack.
	Senders func(*exchange.Service) map[string]outbox.Sender
}

// New builds a Bot.
func New(o Options) *Bot {
	b := &Bot{
		store:   o.Store,
		slack:   o.Slack,
		log:     o.Log,
		now:     o.Now,
		cfg:     o.Config,
		metrics: o.Metrics,
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.cfg.Location == nil {
		b.cfg.Location = time.UTC
	}
	if b.metrics == nil {
		b.metrics = NewMetrics(nil)
	}
	// Policy.Language is what a channel reads when its session has no
	// lang, and a person whose Slack locale is unknown or not in the
	// catalogs: always one of the catalogs' from here on.
	b.cfg.Language = string(i18n.Match(i18n.Lang(b.cfg.Language)))
	b.senders = map[string]sender{}
	b.registerSenders()
	b.routes = newRoutes()
	b.cronJobs = map[string]cronJob{}
	b.svc = exchange.New(exchange.Options{
		Store: b.store, Now: b.now, Policy: b.cfg.Policy, Groups: userGroups{b}, Changed: b.kick,
	})
	b.registerLessons()
	b.registerDigest()
	b.registerSeries()
	b.registerDemand()
	b.registerEvaluation()
	// The clock is read through b, so a test that swaps b.now moves every part.
	now := func() time.Time { return b.now() }
	// Pauses are kept in the store, so every process sharing it honours
	// a Retry-After any of them was given.
	var shared outbox.PauseStore
	if b.store != nil {
		shared = b.store
	}
	b.pauses = outbox.NewPauses(now, shared)
	if b.slack == nil {
		b.offline = true
		b.slack = &offlineSlack{log: b.log}
	} else {
		b.slack = &rateGuard{api: b.slack, pauses: b.pauses, log: b.log}
	}
	var others map[string]outbox.Sender
	if o.Senders != nil {
		others = o.Senders(b.svc)
	}
	b.engine = outbox.New(outbox.Options{
		Store: b.store, Sender: outbox.Route{Default: slackSender{b}, ByKind: others}, Log: b.log, Now: now, Workers: o.Workers, Metrics: b.metrics.Outbox,
		Pauses: b.pauses,
		// A command kept over Socket Mode is itself an answer: it never yields.
		Busy: func(d store.Delivery) bool { return d.Kind != exchange.KindInbound && b.answering.Load() > 0 },
	})
	// Every commit that owes messages wakes the engine, whoever made it.
	if b.store != nil {
		b.store.OnEnqueue(b.engine.Kick)
	}
	return b
}

// NewSlackClient returns a slack-go client for token, pointed at apiURL
// when set (tests and the fake use it), counting every call in m.
func NewSlackClient(token, apiURL string, m *Metrics, extra ...slack.Option) *slack.Client {
	// The delivery engine posts from many workers at once: with the
	// default two idle connections per host, most posts would dial Slack
	// anew (a TLS handshake each, in production).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * outbox.DefaultWorkers
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{
		Timeout:   30 * time.Second,
		Transport: m.SlackTransport(tr),
	})}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return slack.New(token, append(opts, extra...)...)
}

// Service is the product the bot serves, for the other surfaces of the
// same process (web pages, email) to share.
func (b *Bot) Service() *exchange.Service { return b.svc }

// Offline reports whether the bot logs instead of calling Slack.
func (b *Bot) Offline() bool { return b.offline }

// kick asks the delivery engine to look now. Commits that enqueue rows
// wake it already (store.OnEnqueue); callers that kick are harmless.
func (b *Bot) kick() { b.engine.Kick() }

// Wait blocks until work started by requests has finished.
func (b *Bot) Wait() { b.inflight.Wait() }
