package calendar

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Feed windows, from PRODUCT.md: all.ics reaches 90 days back, and a
// cancelled session stays 30 days after its cancellation so subscribed
// apps see STATUS:CANCELLED and drop it.
const (
	pastWindow      = 90 * 24 * time.Hour
	cancelledWindow = 30 * 24 * time.Hour
	day             = 24 * time.Hour
)

// Options configure a Handler.
type Options struct {
	// BaseURL is the server's public root, as in links shared in Slack.
	BaseURL string
	// Public lets anyone read all.ics and any session's feed. Otherwise
	// all.ics takes ?token= with a valid personal feed token, and a
	// session's feed a link signed with SessionKey.
	Public bool
	// SessionKey signs and checks session feed links (see Site). Without
	// it, and not Public, every session feed is a 404. With it and
	// Public, signed links made while feeds were private keep working.
	SessionKey []byte
	// Name is the calendar title shown in apps; "" means "exchangebot".
	Name string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives request failures; nil means slog.Default().
	Log *slog.Logger
	// AnnouncementLink links an event to its announcement; see Feed.
	AnnouncementLink func(channel, ts string) string
	// Lang words the feeds asked for without ?lang= (the configured
	// `language`); a session's own feed takes the session's lang first.
	Lang i18n.Lang
}

// Handler serves the calendar feeds.
type Handler struct {
	st     store.Store
	public bool
	lang   i18n.Lang
	feed   Feed
	key    []byte // checks signed session links
	now    func() time.Time
	log    *slog.Logger
	// salt ends every ETag so a restart with another name or base URL,
	// which changes the bytes but not the store's version, is not
	// answered 304.
	salt string

	// renders counts feeds built, so tests can tell a cached answer from
	// a fresh one.
	renders atomic.Int64

	slots chan struct{} // one per render running

	mu      sync.Mutex
	stamp   *stamp // validators of the latest version seen
	lru     *list.List
	byKey   map[string]*list.Element
	bytes   int // body bytes in the cache
	flights map[string]*flight
}

// NewHandler returns a Handler reading sessions from st.
func NewHandler(st store.Store, opts Options) *Handler {
	h := &Handler{
		st:      st,
		public:  opts.Public,
		lang:    i18n.Match(opts.Lang),
		feed:    Feed{Name: opts.Name, BaseURL: opts.BaseURL, AnnouncementLink: opts.AnnouncementLink},
		key:     opts.SessionKey,
		now:     opts.Now,
		log:     opts.Log,
		lru:     list.New(),
		byKey:   make(map[string]*list.Element),
		slots:   make(chan struct{}, maxRenders),
		flights: make(map[string]*flight),
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.feed.Name == "" {
		// An unnamed subscription shows as its URL, token included.
		h.feed.Name = "exchangebot"
	}
	if !h.public {
		h.feed.SessionKey = opts.SessionKey
	}
	hash := fnv.New32a()
	// Event URLs carry signatures when feeds are private: the key and the
	// mode change the bytes too.
	fmt.Fprintf(hash, "%s\x00%s\x00%s\x00%t\x00%x", formatVersion, h.feed.Name, opts.BaseURL, h.public, h.feed.SessionKey)
	h.salt = strconv.FormatUint(uint64(hash.Sum32()), 36)
	return h
}

// Renders counts the feeds built since the Handler was made.
func (h *Handler) Renders() int64 { return h.renders.Load() }

// formatVersion changes whenever this package renders differently, for the
// same reason as Handler.salt.
const formatVersion = "1"

// Register adds the feed routes to mux. GET patterns also match HEAD.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /calendar/all.ics", h.handle(h.serveAll))
	mux.HandleFunc("GET /calendar/u/{token}", h.handle(h.serveUser))
	mux.HandleFunc("GET /calendar/session/{id}", h.handle(h.serveSession))
}

// httpError is an error with the status and text the client should see.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// errNotFound reads exactly like ServeMux's own 404, so a revoked token
// cannot be told from a URL that never existed.
var errNotFound = &httpError{http.StatusNotFound, "404 page not found"}

func (h *Handler) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.serveError(w, r, err)
		}
	}
}

func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, store.ErrNotFound):
		he = errNotFound
	case r.Context().Err() != nil:
		return // the client went away; nothing to answer or report
	default:
		// The route, not the path: a personal feed's path holds its token.
		h.log.Error("calendar feed", slog.String("route", r.Pattern), slog.Any("error", err))
		he = &httpError{http.StatusInternalServerError, "internal error"}
	}
	http.Error(w, he.msg, he.status)
}

func (h *Handler) serveAll(w http.ResponseWriter, r *http.Request) error {
	cache := publicCache
	feed, lang := h.feedIn(r)
	if !h.public {
		token := r.URL.Query().Get("token")
		if token == "" {
			// No WWW-Authenticate: the credential is part of the URL, not
			// an HTTP scheme a client could prompt for.
			return &httpError{http.StatusUnauthorized, i18n.T(feed.Lang, "ics.token_needed", nil)}
		}
		if _, err := h.st.FeedTokenUser(uncancelled(r.Context()), token); err != nil {
			return err
		}
		cache = privateCache
	}
	return h.serve(w, r, "all"+lang, cache, func(ctx context.Context, from, cancelledSince time.Time) ([]byte, error) {
		return h.render(ctx, feed, store.Filter{From: from, CancelledSince: cancelledSince})
	})
}

func (h *Handler) serveUser(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("token"), ".ics")
	if !ok || token == "" {
		return errNotFound
	}
	user, err := h.st.FeedTokenUser(uncancelled(r.Context()), token)
	if err != nil {
		return err
	}
	feed, lang := h.feedIn(r)
	feed.Name = i18n.T(feed.Lang, "ics.my_sessions", map[string]any{"Name": h.feed.Name})
	return h.serve(w, r, "u/"+user+lang, privateCache, func(ctx context.Context, from, cancelledSince time.Time) ([]byte, error) {
		return h.render(ctx, feed, store.Filter{From: from, CancelledSince: cancelledSince, User: user})
	})
}

func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request) error {
	raw, ok := strings.CutSuffix(r.PathValue("id"), ".ics")
	// <id>.ics, or <id>-<secret>.ics; ids have no '-', secrets may.
	rawID, secret, signed := strings.Cut(raw, "-")
	id, err := strconv.ParseInt(rawID, 10, 64)
	if !ok || err != nil || id <= 0 {
		return errNotFound
	}
	if signed && !checkSessionSecret(h.key, id, secret) || !signed && !h.public {
		return errNotFound
	}
	// Checked before the conditional headers, which would otherwise answer
	// 304 for a session that does not exist.
	if ok, err := h.st.SessionExists(uncancelled(r.Context()), id); err != nil {
		return err
	} else if !ok {
		return errNotFound
	}
	feed, lang := h.feedIn(r)
	return h.serve(w, r, "s/"+strconv.FormatInt(id, 10)+lang, publicCache, func(ctx context.Context, _, _ time.Time) ([]byte, error) {
		s, err := h.st.Session(ctx, id)
		if err != nil {
			return nil, err
		}
		if lang == "" {
			feed.Lang = i18n.Match(h.lang, s.Lang)
		}
		feed.Name = s.Title
		return encode(feed, []*store.Session{s})
	})
}

// feedIn is the feed in the language the request asks for with ?lang=,
// else the configured one; key is "" for no asked language, else a
// suffix that keeps the cached renderings of each language apart.
func (h *Handler) feedIn(r *http.Request) (feed Feed, key string) {
	feed = h.feed
	feed.Lang = h.lang
	if lang, ok := i18n.ParseLang(r.URL.Query().Get("lang")); ok {
		feed.Lang = lang
		key = "?lang=" + string(lang)
	}
	return feed, key
}

func (h *Handler) render(ctx context.Context, feed Feed, f store.Filter) ([]byte, error) {
	sessions, err := h.st.Sessions(ctx, f)
	if err != nil {
		return nil, err
	}
	return encode(feed, sessions)
}

func encode(feed Feed, sessions []*store.Session) ([]byte, error) {
	var buf bytes.Buffer
	// Events run 500 to 1,000 bytes: grow once for the common case, and
	// trim afterwards so the cache does not hold the slack.
	buf.Grow(1024 + 768*len(sessions))
	if err := feed.Write(&buf, sessions); err != nil {
		return nil, fmt.Errorf("calendar: encode: %w", err)
	}
	if b := buf.Bytes(); cap(b)-len(b) > len(b)/4 {
		return bytes.Clone(b), nil
	}
	return buf.Bytes(), nil
}

// serve answers a feed request: 304 from the stamp alone when the client is
// current, else the bytes cached under key, rendered by build when they are
// missing or older than the stamp.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, key string, cacheControl []string, build buildFunc) error {
	st, err := h.current(r.Context())
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr["Etag"] = st.etagHdr
	hdr["Last-Modified"] = st.modHdr
	hdr["Cache-Control"] = cacheControl
	if notModified(r, st) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body, err := h.body(r.Context(), key, st, build)
	if err != nil {
		// A stamp header must not reach an error response.
		delete(hdr, "Etag")
		delete(hdr, "Last-Modified")
		delete(hdr, "Cache-Control")
		return err
	}
	hdr["Content-Type"] = contentType
	// ServeContent over the cached bytes rather than one Write: it hands
	// them to the connection in 32 KB pieces, which measured faster over
	// TCP than a single 3 MB write, and it adds HEAD, Range and If-Match.
	// Its own If-None-Match check repeats the one above and cannot differ.
	http.ServeContent(w, r, "", st.modified, bytes.NewReader(body))
	return nil
}

// Header values shared by every response; net/http only reads them.
var (
	contentType = []string{"text/calendar; charset=utf-8"}
	// Five minutes lets a proxy or app absorb bursts while an hourly poll
	// still sees every change; personal feeds must not sit in shared caches.
	publicCache  = []string{"public, max-age=300"}
	privateCache = []string{"private, max-age=300"}
)

// uncancelled is for one-row reads that take microseconds: given a
// cancellable context, the SQLite driver starts a goroutine per statement to
// interrupt it, which costs more than the read (doubling a 304 over HTTP)
// and could never save anything.
func uncancelled(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}
