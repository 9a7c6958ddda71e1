package calendar

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

func TestRescheduleAndCancel(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	id := fs.create(store.Session{Title: "Moving target", Start: t0.Add(24 * time.Hour), Duration: time.Hour})
	path := "/calendar/session/" + strconv.FormatInt(id, 10) + ".ics"

	_, cal := fs.feed(path)
	ev := event(t, cal, id)
	if got := prop(ev, ics.ComponentPropertySequence); got != "0" {
		t.Fatalf("SEQUENCE %s, want 0", got)
	}

	fs.clock.Add(time.Minute)
	newStart := t0.Add(48*time.Hour + 30*time.Minute)
	fs.update(func(ctx context.Context, tx store.Tx) error {
		return tx.Reschedule(ctx, id, newStart, 2*time.Hour, fs.clock.Now())
	})
	for _, p := range []string{path, "/calendar/all.ics"} {
		_, cal = fs.feed(p)
		ev = event(t, cal, id)
		if got := prop(ev, ics.ComponentPropertySequence); got != "1" {
			t.Errorf("%s: SEQUENCE after reschedule %s, want 1", p, got)
		}
		if got := prop(ev, ics.ComponentPropertyDtStart); got != "20250312T123000Z" {
			t.Errorf("%s: DTSTART %s, want 20250312T123000Z", p, got)
		}
		if got := prop(ev, ics.ComponentPropertyDtEnd); got != "20250312T143000Z" {
			t.Errorf("%s: DTEND %s, want 20250312T143000Z", p, got)
		}
		if got := prop(ev, ics.ComponentPropertyLastModified); got != "20250310T120100Z" {
			t.Errorf("%s: LAST-MODIFIED %s, want 20250310T120100Z", p, got)
		}
	}

	fs.update(func(ctx context.Context, tx store.Tx) error {
		return tx.Cancel(ctx, id, "", fs.clock.Now())
	})
	_, cal = fs.feed("/calendar/all.ics")
	ev = event(t, cal, id)
	if got := prop(ev, ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("STATUS %s, want CANCELLED", got)
	}
	if got := prop(ev, ics.ComponentPropertySequence); got != "2" {
		t.Errorf("SEQUENCE after cancel %s, want 2", got)
	}

	fs.clock.Add(29 * 24 * time.Hour)
	if _, cal = fs.feed("/calendar/all.ics"); len(cal.Events()) != 1 {
		t.Errorf("29 days after cancelling: %d events, want the cancelled one", len(cal.Events()))
	}
	fs.clock.Add(2 * 24 * time.Hour)
	if _, cal = fs.feed("/calendar/all.ics"); len(cal.Events()) != 0 {
		t.Errorf("31 days after cancelling: events %v, want none", uids(cal))
	}
	// The session's own .ics still answers, so an old "add to calendar"
	// link shows the cancellation rather than an error.
	_, cal = fs.feed(path)
	if got := prop(event(t, cal, id), ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("session feed STATUS %s, want CANCELLED", got)
	}
}

func TestPastWindow(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	old := fs.create(store.Session{Title: "Long ago", Start: t0.Add(-91 * 24 * time.Hour)})
	recent := fs.create(store.Session{Title: "Not so long ago", Start: t0.Add(-89 * 24 * time.Hour)})
	future := fs.create(store.Session{Title: "Next year", Start: t0.Add(365 * 24 * time.Hour)})
	_, cal := fs.feed("/calendar/all.ics")
	if got, want := uids(cal), []string{uidOf(recent), uidOf(future)}; !slices.Equal(got, want) {
		t.Errorf("all.ics holds %v, want %v", got, want)
	}
	_, cal = fs.feed("/calendar/session/" + strconv.FormatInt(old, 10) + ".ics")
	event(t, cal, old)
}

func TestPersonalFeed(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	speaks := fs.create(store.Session{Title: "I speak", Start: t0.Add(24 * time.Hour), Speakers: []store.Speaker{{UserID: "U1", Name: "Ana"}}})
	joined := fs.create(store.Session{Title: "I joined", Start: t0.Add(48 * time.Hour)})
	both := fs.create(store.Session{Title: "Both", Start: t0.Add(72 * time.Hour), Speakers: []store.Speaker{{UserID: "U1"}}})
	other := fs.create(store.Session{Title: "Not mine", Start: t0.Add(96 * time.Hour), Speakers: []store.Speaker{{UserID: "U2"}}})
	fs.update(func(ctx context.Context, tx store.Tx) error {
		for _, j := range []struct {
			id   int64
			user string
		}{{joined, "U1"}, {both, "U1"}, {other, "U3"}} {
			if _, err := tx.Join(ctx, j.id, j.user, fs.clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	tok := fs.token("U1")
	https, _, _ := Links(fs.srv.URL, tok)
	path := https[len(fs.srv.URL):]

	body, cal := fs.feed(path)
	if got, want := uids(cal), []string{uidOf(speaks), uidOf(joined), uidOf(both)}; !slices.Equal(got, want) {
		t.Errorf("personal feed holds %v, want %v", got, want)
	}
	if !strings.Contains(body, "\r\nX-WR-CALNAME:Exchanges (my sessions)\r\n") {
		t.Errorf("personal feed is not named as such:\n%s", body)
	}

	fs.update(func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Leave(ctx, joined, "U1")
		return err
	})
	_, cal = fs.feed(path)
	if got, want := uids(cal), []string{uidOf(speaks), uidOf(both)}; !slices.Equal(got, want) {
		t.Errorf("after leaving: %v, want %v", got, want)
	}

	resp, _ := fs.get(path)
	if cc := resp.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q, want private", cc)
	}

	// Someone with no sessions gets a valid, empty calendar.
	_, cal = fs.feed("/calendar/u/" + fs.token("U9") + ".ics")
	if len(cal.Events()) != 0 {
		t.Errorf("U9 feed holds %v, want nothing", uids(cal))
	}
}

func TestConditional(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	id := fs.create(store.Session{Title: "Cached", Start: t0.Add(24 * time.Hour)})
	const path = "/calendar/all.ics"

	resp, body := fs.get(path)
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != http.StatusOK || etag == "" || lastMod == "" {
		t.Fatalf("first GET: %s, ETag %q, Last-Modified %q", resp.Status, etag, lastMod)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	renders := fs.h.renders.Load()

	check := func(name string, wantStatus int, header ...string) *http.Response {
		t.Helper()
		resp, b := fs.get(path, header...)
		if resp.StatusCode != wantStatus {
			t.Errorf("%s: %s, want %d", name, resp.Status, wantStatus)
		}
		if wantStatus == http.StatusNotModified {
			if b != "" {
				t.Errorf("%s: 304 with a body %q", name, b)
			}
			if resp.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 ETag %q, want %q", name, resp.Header.Get("ETag"), etag)
			}
		}
		return resp
	}
	check("If-None-Match", http.StatusNotModified, "If-None-Match", etag)
	check("weak If-None-Match in a list", http.StatusNotModified, "If-None-Match", `"nope", W/`+etag)
	check("If-None-Match *", http.StatusNotModified, "If-None-Match", "*")
	check("If-Modified-Since", http.StatusNotModified, "If-Modified-Since", lastMod)
	check("other ETag wins over If-Modified-Since", http.StatusOK, "If-None-Match", `"nope"`, "If-Modified-Since", lastMod)
	then, _ := http.ParseTime(lastMod)
	check("older If-Modified-Since", http.StatusOK, "If-Modified-Since", then.Add(-time.Hour).Format(http.TimeFormat))
	if got := fs.h.renders.Load(); got != renders {
		t.Errorf("%d renders for an unchanged feed, want none", got-renders)
	}

	resp, head := fs.do(http.MethodHead, path)
	if resp.StatusCode != http.StatusOK || head != "" || resp.ContentLength != int64(len(body)) || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %s, body %q, length %d (want %d), ETag %q", resp.Status, head, resp.ContentLength, len(body), resp.Header.Get("ETag"))
	}
	resp, part := fs.get(path, "Range", "bytes=0-14")
	if resp.StatusCode != http.StatusPartialContent || part != "BEGIN:VCALENDAR" {
		t.Errorf("Range: %s %q", resp.Status, part)
	}
	resp, _ = fs.do(http.MethodHead, path, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional HEAD: %s", resp.Status)
	}

	// Any change moves the ETag, for every feed.
	fs.update(func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Join(ctx, id, "U5", fs.clock.Now())
		return err
	})
	resp = check("after a change", http.StatusOK, "If-None-Match", etag)
	etag2 := resp.Header.Get("ETag")
	if etag2 == etag || etag2 == "" {
		t.Errorf("ETag after a change %q, was %q", etag2, etag)
	}
	renders = fs.h.renders.Load()
	etag = etag2
	for range 3 {
		check("rendered once per change", http.StatusOK)
	}
	check("new ETag", http.StatusNotModified, "If-None-Match", etag)
	if got := fs.h.renders.Load(); got != renders {
		t.Errorf("%d renders for repeated GETs, want none", got-renders)
	}

	// Midnight moves the windows, so it moves the validators too.
	fs.clock.Add(24 * time.Hour)
	resp = check("next day", http.StatusOK, "If-None-Match", etag)
	if resp.Header.Get("ETag") == etag {
		t.Errorf("same ETag on the next day")
	}
	// The store stamps changes with SQLite's own clock, today's date,
	// so Last-Modified only shows the day once the feed's clock is past it.
	fs.clock.Set(time.Now().Add(24 * time.Hour))
	resp = check("a day after the last change", http.StatusOK)
	etag, lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	check("If-Modified-Since today", http.StatusNotModified, "If-Modified-Since", lastMod)
	fs.clock.Add(24 * time.Hour)
	resp = check("If-Modified-Since yesterday", http.StatusOK, "If-Modified-Since", lastMod)
	if got := resp.Header.Get("Last-Modified"); got == lastMod {
		t.Errorf("same Last-Modified on the next day")
	}
}

func TestTokens(t *testing.T) {
	fs := newFeedServer(t, Options{Public: false})
	fs.create(store.Session{Title: "Members only", Start: t0.Add(24 * time.Hour), Speakers: []store.Speaker{{UserID: "U1"}}})
	first := fs.token("U1")
	second := fs.token("U1")

	tests := []struct {
		name, path string
		status     int
	}{
		{"current token", "/calendar/u/" + second + ".ics", http.StatusOK},
		{"rotated-away token", "/calendar/u/" + first + ".ics", http.StatusNotFound},
		{"unknown token", "/calendar/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", http.StatusNotFound},
		{"no .ics", "/calendar/u/" + second, http.StatusNotFound},
		{"only .ics", "/calendar/u/.ics", http.StatusNotFound},
		{"all without token", "/calendar/all.ics", http.StatusUnauthorized},
		{"all with unknown token", "/calendar/all.ics?token=nope", http.StatusNotFound},
		{"all with rotated-away token", "/calendar/all.ics?token=" + first, http.StatusNotFound},
		{"all with token", "/calendar/all.ics?token=" + second, http.StatusOK},
		{"bare session id", "/calendar/session/1.ics", http.StatusNotFound},
		{"unknown session", "/calendar/session/99.ics", http.StatusNotFound},
		{"session without .ics", "/calendar/session/1", http.StatusNotFound},
		{"session id not a number", "/calendar/session/abc.ics", http.StatusNotFound},
		{"POST", "/calendar/all.ics", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.name == "POST" {
				method = http.MethodPost
			}
			resp, body := fs.do(method, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s: %s, want %d: %s", method, tt.path, resp.Status, tt.status, body)
			}
			switch tt.status {
			case http.StatusNotFound:
				// Indistinguishable from a URL that never existed.
				if body != "404 page not found\n" || resp.Header.Get("ETag") != "" {
					t.Errorf("404 body %q, ETag %q", body, resp.Header.Get("ETag"))
				}
			case http.StatusUnauthorized:
				if !strings.Contains(body, "token") {
					t.Errorf("401 does not say what is missing: %q", body)
				}
			case http.StatusOK:
				parseFeed(t, body)
			}
		})
	}
	// The 401 is read by a person who opened the link: in the language
	// asked for, from the catalogs.
	if resp, body := fs.do(http.MethodGet, "/calendar/all.ics?lang=es"); resp.StatusCode != http.StatusUnauthorized ||
		body != i18n.T(i18n.Spanish, "ics.token_needed", nil)+"\n" || !strings.Contains(body, "token") {
		t.Errorf("401 with ?lang=es: %s %q", resp.Status, body)
	}
	resp, _ := fs.get("/calendar/all.ics?token=" + second)
	if cc := resp.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("tokened all.ics Cache-Control %q, want private", cc)
	}
	// The token is checked before the validators, so a revoked token
	// cannot keep getting 304s.
	etag := resp.Header.Get("ETag")
	resp, _ = fs.get("/calendar/all.ics?token="+first, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoked token with a current ETag: %s, want 404", resp.Status)
	}
}

func TestCacheBound(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	fs.create(store.Session{Title: "One", Start: t0.Add(24 * time.Hour)})
	for i := range cacheSize + 10 {
		fs.feed("/calendar/u/" + fs.token("U"+strconv.Itoa(i)) + ".ics")
	}
	fs.h.mu.Lock()
	defer fs.h.mu.Unlock()
	if n := fs.h.lru.Len(); n != cacheSize || len(fs.h.byKey) != cacheSize {
		t.Errorf("cache holds %d (map %d), want %d", n, len(fs.h.byKey), cacheSize)
	}
}

func TestDefaultName(t *testing.T) {
	if got := NewHandler(nil, Options{}).feed.Name; got != "exchangebot" {
		t.Errorf("default calendar name %q", got)
	}
}

// An unknown session is a 404 even when the request carries validators
// that match the current feed version.
func TestUnknownSessionIgnoresValidators(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	fs.create(store.Session{Title: "Known", Start: fs.clock.Now().Add(48 * time.Hour)})
	resp, _ := fs.get("/calendar/all.ics")
	etag := resp.Header.Get("ETag")
	for _, hdr := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", "Mon, 01 Jan 2100 00:00:00 GMT"}} {
		for _, path := range []string{"/calendar/session/99.ics", "/calendar/session/99999999999999999999.ics", "/calendar/session/abc.ics", "/calendar/session/1"} {
			if resp, _ := fs.get(path, hdr...); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s with %s: %d, want 404", path, hdr[0], resp.StatusCode)
			}
		}
	}
	if resp, _ := fs.get("/calendar/session/1.ics", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("known session with the current ETag: %d, want 304", resp.StatusCode)
	}
}
