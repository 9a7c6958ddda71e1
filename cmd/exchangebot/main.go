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

const usageText = `usage:
  exchangebot [serve] [-config FILE]          run the bot: HTTP server, scheduler, Slack
  exchangebot run [-as USERID] 'TEXT'         run one slash command, reply on stdout
  exchangebot manifest                        print a Slack app manifest for this server
  exchangebot backup FILE                     write a consistent copy of the database
  exchangebot export lessons [-format md|csv|json]
  exchangebot export evaluations [-format csv|json]
  exchangebot retry [<delivery-id>]           resend messages that failed for good, once the cause is fixed
  exchangebot migrate -to postgres://…         copy the SQLite database into an empty PostgreSQL one
  exchangebot version                         print the version of this build
every subcommand takes -config FILE (default: config.yaml here if present)
`

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	switch {
	case len(args) > 0 && isHelpFlag(args[0]):
		// Asked of the program, not of serve: every subcommand's usage.
		cmd, args = "help", args[1:]
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(args, stderr)
	case "run":
		err = cmdRun(args, stdout, stderr)
	case "manifest":
		err = cmdManifest(args, stdout)
	case "backup":
		err = cmdBackup(args, stdout)
	case "export":
		err = cmdExport(args, stdout)
	case "retry":
		err = cmdRetry(args, stdout, stderr)
	case "migrate":
		err = cmdMigrate(args, stdout)
	case "version", "-version", "--version":
		err = cmdVersion(stdout)
	case "help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprintf(stderr, "exchangebot: unknown command %q\n%s", cmd, usageText)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		// -h was asked for and answered (the flag package printed the
		// subcommand's flags): not a failure, as with flag.ExitOnError.
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "exchangebot %s: %v\n", cmd, err)
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

// flags makes a FlagSet with the shared -config flag.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg := fs.String("config", "", "config file (default: config.yaml in the working directory if present)")
	return fs, cfg
}

func loadConfig(path string) (*Config, error) {
	if path == "" {
		return LoadConfig("config.yaml", false, os.Getenv)
	}
	return LoadConfig(path, true, os.Getenv)
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
		return nil, err
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

func cmdServe(args []string, stderr io.Writer) error {
	fs, configPath := flags("serve")
	if err := fs.Parse(args); err != nil {
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
	pages, err := newWeb(a)
	if err != nil {
		return err
	}
	pages.Register(mux)

	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
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

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs, configPath := flags("run")
	as := fs.String("as", "UCLI", "Slack user id to act as")
	channel := fs.String("channel", "", "channel id the command is typed in")
	if err := fs.Parse(args); err != nil {
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
		fmt.Fprintln(stderr, i18n.T(i18n.Lang(a.cfg.Language), "cli.run.offline", nil))
		return nil
	}
	// Online, deliver what is due now (the announcement this command made),
	// as the server would; claims keep the two from sending anything twice.
	return a.bot.DeliverNow(ctx)
}

func cmdBackup(args []string, stdout io.Writer) error {
	fs, configPath := flags("backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: exchangebot backup FILE")
	}
	dst := fs.Arg(0)
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name", dst)
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if isPostgres(cfg.Database) {
		return errors.New("the database is PostgreSQL: back it up with pg_dump")
	}
	st, err := sqlite.Open(context.Background(), cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(context.Background(), dst); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.Database, dst)
	return nil
}
