// Package web is the exchange service's web surface, served by the same
// binary: upcoming sessions, a session's page, the lessons library, the
// M&E dashboard (server-drawn SVG charts and a CSV), and the answer form
// of speakers outside Slack, in English and Spanish.
//
// Pages are html/template with embedded assets and no script at all, so
// each works without JavaScript and under a Content-Security-Policy that
// allows none. People sign in with Slack (OpenID Connect); the pages that
// need it say so, and how to set it up when it is not.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options are what a Server needs; zero values get defaults.
type Options struct {
	Service *exchange.Service
	// BaseURL is the public root of this server: links, the sign-in
	// redirect, and whether cookies are Secure (https).
	BaseURL  string
	Language i18n.Lang // before a reader says otherwise
	// FeedsPublic opens the list of sessions and their pages to everyone.
	FeedsPublic bool
	// SessionFeedKey signs the links to a session's own calendar when
	// feeds are not public (see calendar.Site).
	SessionFeedKey []byte
	// PublicLessons opens the lessons library to everyone.
	PublicLessons bool
	// ClientID and ClientSecret are the Slack app's Sign in with Slack
	// credentials; without a ClientID nobody can sign in.
	ClientID, ClientSecret string
	// SessionKey signs cookies (32 bytes or more).
	SessionKey []byte
	// SlackAPIURL is where OpenID tokens and user info are asked ("" = Slack).
	SlackAPIURL string
	// AuthorizeURL is Slack's sign-in page ("" = Slack's).
	AuthorizeURL string
	// TeamID returns the installed workspace's id: only its members may
	// sign in. nil, or an error, lets nobody in.
	TeamID func(ctx context.Context) (string, error)
	// HTTPClient calls Slack; nil means one with a 10-second timeout.
	HTTPClient *http.Client
	// AnnouncementLink links to a session's announcement in Slack.
	AnnouncementLink func(channel, ts string) string
	// AnswerRate bounds the answer form's POSTs per client address per
	// minute (default 20).
	AnswerRate int
	Log        *slog.Logger
	Now        func() time.Time
}

// Server serves the pages. It is safe for concurrent use.
type Server struct {
	o      Options
	svc    *exchange.Service
	pages  map[string]*template.Template
	secure bool
	limit  *limiter
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Service == nil {
		return nil, errors.New("web: no service")
	}
	if len(o.SessionKey) < 32 {
		return nil, errors.New("web: the session key needs 32 bytes or more")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.AuthorizeURL == "" {
		o.AuthorizeURL = "https://slack.com/openid/connect/authorize"
	}
	if o.AnswerRate <= 0 {
		o.AnswerRate = 20
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	u, err := url.Parse(o.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q", o.BaseURL)
	}
	s := &Server{o: o, svc: o.Service, secure: u.Scheme == "https", limit: newLimiter(o.AnswerRate, time.Minute, o.Now)}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the pages to mux.
func (s *Server) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", s.guard(http.StripPrefix("/static/", cacheFor(files, 24*time.Hour))))
	mux.Handle("GET /favicon.ico", s.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/icon.svg"
		cacheFor(files, 24*time.Hour).ServeHTTP(w, r2)
	})))
	mux.Handle("GET /{$}", s.handle(s.home))
	mux.Handle("GET /s/{id}", s.handle(s.session))
	mux.Handle("GET /lessons", s.handle(s.lessons))
	mux.Handle("GET /report", s.handle(s.report))
	mux.Handle("GET /report.csv", s.handle(s.reportCSV))
	mux.Handle("GET /answer/{token}", s.handle(s.answerForm))
	mux.Handle("POST /answer/{token}", s.handle(s.answerPost))
	mux.Handle("GET /login", s.handle(s.login))
	mux.Handle("GET /auth/callback", s.handle(s.callback))
	mux.Handle("POST /logout", s.handle(s.logout))
}

func cacheFor(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// handlerFunc is a page: it writes the response, or returns an error
// for handle to turn into one.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *page) error

// Errors handlers return for handle to answer.
var (
	errNotFound  = errors.New("web: not found")
	errForbidden = errors.New("web: forbidden")
	errBadForm   = errors.New("web: bad form") // a missing or stale CSRF token
)

// handle is the one place that reads who asks and in what language, and
// turns a handler's error into a page.
func (s *Server) handle(fn handlerFunc) http.Handler {
	return s.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		err := fn(w, r, p)
		if err == nil {
			return
		}
		status, msg := http.StatusInternalServerError, "web.error.internal"
		var e *exchange.Error
		switch {
		case errors.Is(err, errNotFound), errors.As(err, &e) && (e.Code == exchange.CodeNotFound || e.Code == exchange.CodeLinkClosed):
			status, msg = http.StatusNotFound, "web.error.not_found"
		case errors.Is(err, errForbidden), errors.As(err, &e) && e.Code == exchange.CodeNotStaff:
			status, msg = http.StatusForbidden, "web.error.forbidden"
		case errors.As(err, &e) && e.Code == exchange.CodePeriod:
			status, msg = http.StatusBadRequest, "web.error.period"
		case errors.Is(err, errBadForm):
			status, msg = http.StatusBadRequest, "web.error.bad_form"
		case errors.Is(err, errLimited):
			status, msg = http.StatusTooManyRequests, "web.error.limited"
			w.Header().Set("Retry-After", "60")
		default:
			s.o.Log.Error("web page failed", slog.String("path", logPath(r.URL.Path)), slog.Any("error", err))
		}
		p.Title = p.T(msg)
		p.Message = msg
		s.render(w, status, "error.html", p)
	}))
}
