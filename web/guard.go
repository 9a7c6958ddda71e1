package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// csp allows nothing but this server's own styles and images: no script
// at all, inline or not, and no framing.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// guard adds the security headers every answer carries.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		// Answer links carry their token in the path: no page tells
		// another site where it came from.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.secure {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

// csrfCookie holds a random value; a form's token is its HMAC under the
// session key, so a page of another site can neither read nor make one.
const csrfCookie = "xb_csrf"

func (s *Server) mac(purpose, value string) string {
	m := hmac.New(sha256.New, s.o.SessionKey)
	m.Write([]byte(purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken returns the token for the reader's forms, setting the cookie
// it is made from when they have none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 22 {
		c = &http.Cookie{Name: csrfCookie, Value: randomString(24), Path: "/", HttpOnly: true,
			Secure: s.secure, SameSite: http.SameSiteLaxMode}
		http.SetCookie(w, c)
		r.AddCookie(c) // a form posted on this request's page reads it back
	}
	return s.mac("csrf", c.Value)
}

// checkCSRF refuses a POST whose form token does not match its cookie.
func (s *Server) checkCSRF(r *http.Request) error {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return errBadForm
	}
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(s.mac("csrf", c.Value))) {
		return errBadForm
	}
	return nil
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var errLimited = errors.New("web: too many requests")

// limiter allows n events per window and client address, counted in
// fixed windows: enough to stop a script guessing tokens or flooding the
// form, cheap enough to keep in memory.
type limiter struct {
	n      int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: window, now: now, counts: map[string]int{}}
}

func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.n
}

// clientAddr is the address a request came from. Behind a proxy every
// request shares the proxy's address, which only makes the limit stricter.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
