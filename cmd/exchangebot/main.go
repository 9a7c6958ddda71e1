// Command exchangebot is the Slack bot for scheduling knowledge exchanges,
// publishing their calendars and capturing what was learned.
//
//	exchangebot [serve] [-config FILE]
//	exchangebot run [-config FILE] [-as USERID] '<command text>'
//	exchangebot manifest [-config FILE]
//	exchangebot backup [-config FILE] FILE
//	exchangebot export lessons [-config FILE] [-format md|csv|json]
//	exchangebot export evaluations [-config FILE] [-format csv|json]
//	exchangebot retry [-config FILE] [<delivery-id>]
//	exchangebot migrate [-config FILE] [-from FILE] -to postgres://…
//	exchangebot version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/exchangebot/exchangebot/bot"
	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	switch {
	case len(args) > 0 && isHelpFlag(args[0]):
		// Asked of the program, not of serve: every subcommand's usage.
		cmd, args = "help", args[1:]
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	lang := cliLang(args, localeEnv)
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(lang, args, stderr)
	case "run":
		err = cmdRun(lang, args, stdout, stderr)
	case "manifest":
		err = cmdManifest(lang, args, stdout)
	case "backup":
		err = cmdBackup(lang, args, stdout)
	case "export":
		err = cmdExport(lang, args, stdout)
	case "retry":
		err = cmdRetry(lang, args, stdout, stderr)
	case "migrate":
		err = cmdMigrate(lang, args, stdout)
	case "version", "-version", "--version":
		err = cmdVersion(stdout)
	case "help":
		fmt.Fprintln(stdout, i18n.T(lang, "cli.usage", nil))
		return 0
	default:
		fmt.Fprintf(stderr, "exchangebot: %s\n%s\n", i18n.T(lang, "cli.unknown_command", map[string]any{"Command": cmd}), i18n.T(lang, "cli.usage", nil))
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		// -h was asked for and answered (the flag package printed the
		// subcommand's flags): not a failure, as with flag.ExitOnError.
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "exchangebot %s: %s\n", cmd, i18n.Error(lang, err))
		return 1
	}
	return 0
}

func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// flags makes a FlagSet with the shared -config flag, its flags described
// in lang.
func flags(lang i18n.Lang, name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg := fs.String("config", "", i18n.T(lang, "cli.flag.config", nil))
	return fs, cfg
}

// loadConfig loads the config file path names (config.yaml here, if
// present, when it names none), wording an operator's mistake in it: a
// file missing, unreadable or not a config, a key with a wrong value.
func loadConfig(path string) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = "config.yaml"
	}
	c, err := LoadConfig(path, explicit, os.Getenv)
	if err == nil {
		return c, nil
	}
	var pathErr *fs.PathError
	var keyErr *keyError
	switch {
	case errors.As(err, &keyErr):
		if _, statErr := os.Stat(path); statErr != nil {
			return nil, &cliError{id: "cli.error.config_key_default", data: map[string]any{"Key": keyErr.key, "Reason": keyErr}, err: err}
		}
		return nil, &cliError{id: "cli.error.config_key", data: map[string]any{"File": path, "Key": keyErr.key, "Reason": keyErr}, err: err}
	case errors.Is(err, fs.ErrNotExist):
		return nil, &cliError{id: "cli.error.config_missing", data: map[string]any{"File": path}, err: err}
	case errors.As(err, &pathErr):
		return nil, &cliError{id: "cli.error.config_read", data: map[string]any{"File": path, "Detail": pathErr.Err.Error()}, err: err}
	}
	// What is left is the YAML: its syntax, or a key this program does
	// not know, each with its line.
	detail := strings.TrimPrefix(err.Error(), "config "+path+": ")
	return nil, &cliError{id: "cli.error.config_yaml", data: map[string]any{"File": path, "Detail": detail}, err: err}
}

// sessionFeedKey names the server key session feed links are signed with.
const sessionFeedKey = "session_feed"

// app is what every subcommand shares: config, store and bot.
type app struct {
	cfg     *Config
	store   store.Store
	bot     *bot.Bot
	metrics *bot.Metrics
	log     *slog.Logger
	// sessionKey signs session feed links (see calendar.Site).
	sessionKey []byte
}

func open(ctx context.Context, configPath string, logw io.Writer) (*app, error) {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, err
	}
	log := slog.New(newLimitHandler(slog.NewTextHandler(logw, nil), time.Now))
	st, err := openStore(ctx, cfg.Database)
	if err != nil {
		return nil, storeError(cfg.Database, err)
	}
	m := bot.NewMetrics(nil)
	bc := cfg.BotConfig()
	// Made on first start and kept in the database, so the server and the
	// CLI sign session links alike; see calendar.Site.
	if bc.SessionFeedKey, err = st.ServerKey(ctx, sessionFeedKey); err != nil {
		st.Close()
		return nil, err
	}
	opts := bot.Options{Store: st, Log: log, Config: bc, Metrics: m, Senders: mailSenders(cfg, st, log, feedKey(cfg, bc.SessionFeedKey))}
	if cfg.Slack.BotToken != "" {
		opts.Slack = bot.NewSlackClient(cfg.Slack.BotToken, cfg.Slack.APIURL, m)
	}
	return &app{cfg: cfg, store: st, bot: bot.New(opts), metrics: m, log: log, sessionKey: bc.SessionFeedKey}, nil
}

func cmdServe(lang i18n.Lang, args []string, stderr io.Writer) error {
	fs, configPath := flags(lang, "serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	defer startProfiles(stderr)()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a, err := open(ctx, *configPath, stderr)
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	a.bot.Register(mux)
	feeds := calendar.NewHandler(a.store, calendar.Options{
		BaseURL: a.cfg.BaseURL, Public: a.cfg.Feeds.Public, SessionKey: a.sessionKey, Log: a.log, AnnouncementLink: bot.Permalink,
		Lang: i18n.Lang(a.cfg.Language),
	})
	feeds.Register(mux)
	a.metrics.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "exchangebot_feed_renders_total", Help: "Calendar feeds rendered (each once per change, whatever the requests).",
	}, func() float64 { return float64(feeds.Renders()) }))
	mux.HandleFunc("GET /healthz", healthHandler(a.store, healthTimeout, a.log))
	mux.Handle("GET /metrics", a.metrics.Handler())
	pages, err := newWeb(ctx, a)
	if err != nil {
		return err
	}
	pages.Register(mux)

	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return &cliError{id: "cli.error.listen", data: map[string]any{"Address": a.cfg.Listen, "Detail": err.Error()}, err: err}
	}
	hs := newHTTPServer(a.cfg, ln, mux, a.log)
	a.metrics.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "exchangebot_http_connections", Help: "HTTP connections open.",
	}, func() float64 { return float64(hs.Open()) }))
	mode := "http"
	switch {
	case a.bot.Offline():
		mode = "offline"
	case a.cfg.Slack.AppToken != "":
		mode = "socket"
	}
	a.log.Info("exchangebot started", slog.String("listen", ln.Addr().String()), slog.String("base_url", a.cfg.BaseURL),
		slog.String("database", redactDatabase(a.cfg.Database)), slog.String("slack", mode))
	if mode == "offline" {
		a.log.Info("no Slack bot token: running offline, messages for Slack are written to this log")
	}

	errc := make(chan error, 3)
	go func() {
		if err := hs.Serve(); err != nil {
			errc <- err
		}
	}()
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		if err := a.bot.Run(ctx); err != nil {
			errc <- err
		}
	}()
	socketDone := make(chan struct{})
	if mode == "socket" {
		client := socketmode.New(bot.NewSlackClient(a.cfg.Slack.BotToken, a.cfg.Slack.APIURL, a.metrics,
			slack.OptionAppLevelToken(a.cfg.Slack.AppToken)))
		go func() {
			defer close(socketDone)
			if err := a.bot.RunSocketMode(ctx, client); err != nil && ctx.Err() == nil {
				a.log.Error("socket mode stopped", slog.Any("error", err))
			}
		}()
	} else {
		close(socketDone)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		stop()
		return err
	}
	a.log.Info("shutting down: finishing work in flight", slog.Duration("grace", hs.grace))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), hs.grace)
	defer cancel()
	hs.Shutdown(shutdownCtx)
	finished := make(chan struct{})
	go func() {
		<-jobsDone
		<-socketDone
		a.bot.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		a.log.Info("stopped")
		return a.store.Close()
	case <-shutdownCtx.Done():
		// The store stays open under the work still running: closing it
		// would fail that work in ways SQLite's journal does not need.
		// What committed is on disk; what did not, never happened.
		a.log.Warn("grace period over with work still running; exiting anyway")
		return nil
	}
}

func cmdRun(lang i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs, configPath := flags(lang, "run")
	as := fs.String("as", "UCLI", i18n.T(lang, "cli.flag.as", nil))
	channel := fs.String("channel", "", i18n.T(lang, "cli.flag.channel", nil))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := open(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer a.store.Close()
	reply := a.bot.Execute(ctx, bot.Request{UserID: *as, ChannelID: *channel, Text: strings.Join(fs.Args(), " ")})
	fmt.Fprintln(stdout, a.bot.Terminal(reply))
	if a.bot.Offline() {
		// An offline CLI must not take the server's deliveries: it would
		// mark them sent having only logged them. They wait in the outbox
		// for the server, online or offline, to send.
		fmt.Fprintln(stderr, i18n.T(lang, "cli.run.offline", nil))
		return nil
	}
	// Online, deliver what is due now (the announcement this command made),
	// as the server would; claims keep the two from sending anything twice.
	return a.bot.DeliverNow(ctx)
}

func cmdBackup(lang i18n.Lang, args []string, stdout io.Writer) error {
	fs, configPath := flags(lang, "backup")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userError("cli.backup.usage", nil)
	}
	dst := fs.Arg(0)
	if _, err := os.Stat(dst); err == nil {
		return userError("cli.backup.exists", map[string]any{"File": dst})
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if isPostgres(cfg.Database) {
		return userError("cli.backup.postgres", nil)
	}
	st, err := sqlite.Open(context.Background(), cfg.Database)
	if err != nil {
		return storeError(cfg.Database, err)
	}
	defer st.Close()
	if err := st.Backup(context.Background(), dst); err != nil {
		return err
	}
	fmt.Fprintln(stdout, i18n.T(lang, "cli.backup.done", map[string]any{"Database": cfg.Database, "File": dst}))
	return nil
}
