package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// httpServer is the HTTP side of `serve`: timeouts, a cap on connections,
// and a shutdown that does not wait on clients that stopped sending.
type httpServer struct {
	srv    *http.Server
	ln     *limitListener
	bodies *bodyTracker
	grace  time.Duration
	log    *slog.Logger

	mu       sync.Mutex
	fresh    map[net.Conn]struct{}
	stopping bool
}

// fdReserve is kept out of max_connections for the database, Slack and
// the log.
const fdReserve = 64

func newHTTPServer(c *Config, ln net.Listener, h http.Handler, log *slog.Logger) *httpServer {
	max := c.HTTP.MaxConnections
	// Go raises the soft open-file limit to the hard one at start; more
	// connections than that would fail in Accept, and then everything
	// else that needs a descriptor (the database, Slack) fails with them.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur > fdReserve && uint64(max) > lim.Cur-fdReserve {
		log.Warn("http.max_connections is above what the open-file limit allows; using less",
			slog.Int("configured", max), slog.Uint64("open_file_limit", lim.Cur), slog.Uint64("using", lim.Cur-fdReserve))
		max = int(lim.Cur - fdReserve)
	}
	bodies := newBodyTracker()
	hs := &httpServer{
		srv: &http.Server{
			Handler:           bodies.wrap(h),
			ReadHeaderTimeout: mustDuration(c.HTTP.ReadHeaderTimeout),
			ReadTimeout:       mustDuration(c.HTTP.ReadTimeout),
			WriteTimeout:      mustDuration(c.HTTP.WriteTimeout),
			IdleTimeout:       mustDuration(c.HTTP.IdleTimeout),
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		ln:     newLimitListener(ln, max),
		bodies: bodies,
		grace:  mustDuration(c.HTTP.ShutdownGrace),
		log:    log,
		fresh:  make(map[net.Conn]struct{}),
	}
	hs.srv.ConnState = hs.connState
	return hs
}

// connState keeps the connections that have not begun a request yet.
// Shutdown counts those as idle only after five seconds, so one opened
// just before SIGTERM would hold the exit that long.
func (s *httpServer) connState(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew && !s.stopping {
		s.fresh[c] = struct{}{}
		return
	}
	if st == http.StateNew {
		c.SetReadDeadline(time.Now())
	}
	delete(s.fresh, c)
}

// Serve accepts connections until Shutdown.
func (s *httpServer) Serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting, closes idle connections and those that have
// sent nothing yet, ends requests still sending their body (nothing has
// been done for them yet), and waits for
// the rest to finish until ctx ends; then it closes what is left.
func (s *httpServer) Shutdown(ctx context.Context) {
	s.bodies.stop()
	s.mu.Lock()
	s.stopping = true
	for c := range s.fresh {
		// Its first read fails now and the server closes it. (If the
		// server has not begun reading it yet, its own header deadline
		// replaces this one, and read_header_timeout bounds the wait.)
		c.SetReadDeadline(time.Now())
	}
	s.mu.Unlock()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.log.Warn("grace period over: closing connections still open", slog.Any("error", err))
		s.srv.Close()
	}
}

// Open is how many connections are open now.
func (s *httpServer) Open() int { return int(s.ln.open.Load()) }

// limitListener accepts at most cap(sem) connections at once, as
// x/net/netutil.LimitListener does: past that, Accept waits for one to
// close and new connections wait in the kernel's backlog instead of
// taking file descriptors.
type limitListener struct {
	net.Listener
	sem       chan struct{} // a slot per connection, and one for an Accept waiting
	open      atomic.Int64
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	l.open.Add(1)
	return &limitConn{Conn: c, release: func() { l.open.Add(-1); <-l.sem }}, nil
}

// Close also wakes an Accept waiting for a free slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// bodyTracker knows which requests are still reading their body, so
// shutdown can end them at once: a client sending a byte every few
// seconds would otherwise hold the shutdown for its whole read timeout.
// Requests past their body are left to finish.
type bodyTracker struct {
	mu      sync.Mutex
	reading map[*trackedBody]struct{}
	stopped bool
}

func newBodyTracker() *bodyTracker {
	return &bodyTracker{reading: make(map[*trackedBody]struct{})}
}

func (t *bodyTracker) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		b := &trackedBody{ReadCloser: r.Body, t: t, rc: http.NewResponseController(w), length: r.ContentLength}
		t.mu.Lock()
		stopped := t.stopped
		if !stopped {
			t.reading[b] = struct{}{}
		}
		t.mu.Unlock()
		if stopped {
			// Shutting down: a request that has sent nothing of its body
			// yet is not started.
			w.Header().Set("Connection", "close")
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		defer b.done()
		r.Body = b
		h.ServeHTTP(w, r)
	})
}

// stop ends every body read in progress and refuses new ones.
func (t *bodyTracker) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	for b := range t.reading {
		if b.length >= 0 && b.n.Load() >= b.length {
			continue // all there: the handler is past its body
		}
		// The connection's read deadline: the read in progress fails at
		// once, the handler answers or gives up, and the connection closes.
		b.rc.SetReadDeadline(time.Now())
	}
}

type trackedBody struct {
	io.ReadCloser
	t      *bodyTracker
	rc     *http.ResponseController
	length int64 // -1 when unknown (chunked)
	n      atomic.Int64
	once   sync.Once
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	if err != nil {
		// At EOF the server may start its own background read on the
		// connection; a deadline set then would cancel the request's
		// context, so the body leaves the tracker first.
		b.done()
	}
	return n, err
}

func (b *trackedBody) done() {
	b.once.Do(func() {
		b.t.mu.Lock()
		delete(b.t.reading, b)
		b.t.mu.Unlock()
	})
}
