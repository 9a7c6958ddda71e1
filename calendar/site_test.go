package calendar

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/store"
)

// TestSessionLinks: with feeds.public false a session's feed is reached
// only through its signed link, the one Slack shows and all.ics's events
// point to; with feeds public, bare ids work and links stay bare.
func TestSessionLinks(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	otherKey := bytes.Repeat([]byte{8}, 32)
	path := func(site Site, id int64) string {
		u := site.SessionURL(id)
		return u[strings.Index(u, "/calendar/"):]
	}
	signed := func(id int64) string { return path(Site{BaseURL: testBase, SessionKey: key}, id) }
	bare := func(id int64) string { return path(Site{BaseURL: testBase}, id) }
	secretOf := func(id int64) string {
		p := strings.TrimSuffix(signed(id), ".ics")
		return p[strings.Index(p, "-")+1:]
	}

	tests := []struct {
		name   string
		opts   Options
		path   func(a, b int64) string
		status int
	}{
		{"private: signed link", Options{SessionKey: key}, func(a, _ int64) string { return signed(a) }, http.StatusOK},
		{"private: bare id", Options{SessionKey: key}, func(a, _ int64) string { return bare(a) }, http.StatusNotFound},
		{"private: another session's secret", Options{SessionKey: key}, func(a, b int64) string {
			return "/calendar/session/" + strconv.FormatInt(a, 10) + "-" + secretOf(b) + ".ics"
		}, http.StatusNotFound},
		{"private: secret cut short", Options{SessionKey: key}, func(a, _ int64) string {
			p := strings.TrimSuffix(signed(a), ".ics")
			return p[:len(p)-2] + ".ics"
		}, http.StatusNotFound},
		{"private: empty secret", Options{SessionKey: key}, func(a, _ int64) string { return "/calendar/session/" + strconv.FormatInt(a, 10) + "-.ics" }, http.StatusNotFound},
		{"private: signed with another key", Options{SessionKey: otherKey}, func(a, _ int64) string { return signed(a) }, http.StatusNotFound},
		{"private without a key: signed link", Options{}, func(a, _ int64) string { return signed(a) }, http.StatusNotFound},
		{"private: unknown session, right secret", Options{SessionKey: key}, func(_, _ int64) string { return signed(99) }, http.StatusNotFound},
		{"public: bare id", Options{Public: true, SessionKey: key}, func(a, _ int64) string { return bare(a) }, http.StatusOK},
		{"public: signed link still works", Options{Public: true, SessionKey: key}, func(a, _ int64) string { return signed(a) }, http.StatusOK},
		{"public: wrong secret", Options{Public: true, SessionKey: key}, func(a, b int64) string {
			return "/calendar/session/" + strconv.FormatInt(a, 10) + "-" + secretOf(b) + ".ics"
		}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFeedServer(t, tt.opts)
			a := fs.create(store.Session{Title: "Members only", Start: t0.Add(24 * time.Hour)})
			b := fs.create(store.Session{Title: "Also", Start: t0.Add(48 * time.Hour)})
			p := tt.path(a, b)
			resp, body := fs.get(p)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s: %s, want %d", p, resp.Status, tt.status)
			}
			if tt.status == http.StatusNotFound {
				if body != "404 page not found\n" {
					t.Errorf("404 body %q", body)
				}
				// Validators must not turn a refused link into a 304.
				resp, _ = fs.get(p, "If-Modified-Since", "Mon, 01 Jan 2100 00:00:00 GMT")
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("with If-Modified-Since: %s", resp.Status)
				}
				return
			}
			event(t, parseFeed(t, body), a)
		})
	}
}

// The events in a private all.ics link to their session feeds with the
// secret, and those links work; public feeds link bare ids.
func TestEventURLsFollowPrivacy(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, public := range []bool{false, true} {
		fs := newFeedServer(t, Options{Public: public, SessionKey: key})
		id := fs.create(store.Session{Title: "Linked", Start: t0.Add(24 * time.Hour)})
		all := "/calendar/all.ics"
		if !public {
			all += "?token=" + fs.token("U1")
		}
		_, cal := fs.feed(all)
		link := prop(event(t, cal, id), ics.ComponentPropertyUrl)
		want := Site{BaseURL: testBase}
		if !public {
			want.SessionKey = key
		}
		if link != want.SessionURL(id) {
			t.Errorf("public %v: event URL %q, want %q", public, link, want.SessionURL(id))
		}
		_, cal = fs.feed(strings.TrimPrefix(link, testBase))
		event(t, cal, id)
	}
}

func TestSessionSecret(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	s := sessionSecret(key, 12)
	if len(s) != 22 { // 128 bits in base64url
		t.Errorf("secret %q: %d characters, want 22", s, len(s))
	}
	if s == sessionSecret(key, 13) || s == sessionSecret(bytes.Repeat([]byte{2}, 32), 12) {
		t.Error("secret does not depend on both id and key")
	}
	if !checkSessionSecret(key, 12, s) || checkSessionSecret(key, 13, s) || checkSessionSecret(nil, 12, s) {
		t.Error("checkSessionSecret disagrees with sessionSecret")
	}
}
