package calendar

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/exchangebot/exchangebot/store"
)

// FuzzFeedPath sends whatever follows /calendar/ in a request line to the
// real feed routes over a real store, private and public, and checks what
// any client may rely on: a status the routes mean to give (never a 500 or
// a panic), a 200 that is iCalendar, and no session's title, notes or link
// reaching anyone without that session's secret or a valid feed token.
//
// In the corpus {s1} and {s2} stand for the two sessions' secrets and
// {token} for U1's feed token, which is random: the fuzzer keeps them as
// they are or mangles them, and cannot make one up.
func FuzzFeedPath(f *testing.F) {
	key := bytes.Repeat([]byte{9}, 32)
	fs := newFeedServer(f, Options{SessionKey: key})
	// U1 speaks at mine; theirs is U2's and must not show to U1 or to a
	// wrong secret. The markers are short so that a folded line cannot
	// split one.
	mine := fs.create(store.Session{Title: "alphatitle", Description: "alphanotes", Link: "https://meet.example/alphalink",
		Start: t0.Add(24 * time.Hour), Speakers: []store.Speaker{{UserID: "U1"}}})
	theirs := fs.create(store.Session{Title: "bravotitle", Description: "bravonotes", Link: "https://meet.example/bravolink",
		Start: t0.Add(48 * time.Hour), Speakers: []store.Speaker{{UserID: "U2"}}})
	markers := map[int64][]string{
		mine:   {"alphatitle", "alphanotes", "alphalink"},
		theirs: {"bravotitle", "bravonotes", "bravolink"},
	}
	token := fs.token("U1")
	fs.token("U2")
	site := Site{BaseURL: testBase, SessionKey: key}
	secret := map[int64]string{mine: sessionSecret(key, mine), theirs: sessionSecret(key, theirs)}
	expand := strings.NewReplacer("{s1}", secret[mine], "{s2}", secret[theirs], "{token}", token)

	muxes := map[bool]*http.ServeMux{}
	for _, public := range []bool{false, true} {
		mux := http.NewServeMux()
		NewHandler(fs.st, Options{Public: public, SessionKey: key, BaseURL: testBase, Name: "Exchanges",
			Now: fs.clock.Now, AnnouncementLink: slackLink}).Register(mux)
		muxes[public] = mux
	}
	// The corpus (testdata/fuzz/FuzzFeedPath) names the sessions 1 and 2.
	if mine != 1 || theirs != 2 {
		f.Fatalf("sessions %d and %d, want 1 and 2", mine, theirs)
	}
	if !strings.HasSuffix(site.SessionURL(mine), "/calendar/session/"+strconv.FormatInt(mine, 10)+"-"+secret[mine]+".ics") {
		f.Fatalf("the corpus's {s1} is not what links carry: %s", site.SessionURL(mine))
	}

	f.Fuzz(func(t *testing.T, target string, public bool, ifNoneMatch string, method byte) {
		target = expand.Replace(target)
		// Another line would be another header (Range, say), which is not
		// what is under test here.
		if strings.ContainsAny(target+ifNoneMatch, "\r\n") {
			return
		}
		verb := []string{http.MethodGet, http.MethodHead, http.MethodPost}[int(method)%3]
		raw := verb + " /calendar/" + target + " HTTP/1.1\r\nHost: bot.example.org\r\n"
		if ifNoneMatch != "" {
			raw += "If-None-Match: " + ifNoneMatch + "\r\n"
		}
		// The server's own reading of the request line: what it refuses
		// is answered 400 before any handler runs.
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + "\r\n")))
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		muxes[public].ServeHTTP(w, r)
		body := w.Body.String()
		unfolded := strings.ReplaceAll(body, "\r\n ", "")

		switch w.Code {
		case http.StatusOK:
		case http.StatusNotModified, http.StatusNotFound, http.StatusMethodNotAllowed:
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// ServeMux sends a path with "..", "//" or a trailing slash it
			// lacks to the clean one, which is asked for afresh.
		case http.StatusUnauthorized:
			if public || r.Pattern != "GET /calendar/all.ics" {
				t.Errorf("%s %q: 401 outside a private all.ics", verb, target)
			}
		default:
			t.Fatalf("%s %q (public %t): %d: %s", verb, target, public, w.Code, body)
		}
		if w.Code != http.StatusOK {
			for id, ms := range markers {
				for _, m := range ms {
					if strings.Contains(unfolded, m) {
						t.Errorf("%s %q: a %d shows session %d's %q", verb, target, w.Code, id, m)
					}
				}
			}
			return
		}
		if verb == http.MethodHead {
			return
		}
		cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
		if err != nil {
			t.Fatalf("%s %q: the 200 is not iCalendar: %v\n%s", verb, target, err, body)
		}
		var shown []int64
		for _, ev := range cal.Events() {
			uid, err := ev.Props.Text(ical.PropUID)
			if err != nil {
				t.Fatalf("%s %q: event without a UID: %v", verb, target, err)
			}
			id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(uid, "session-"), "@bot.example.org"), 10, 64)
			if err != nil {
				t.Fatalf("%s %q: UID %q", verb, target, uid)
			}
			shown = append(shown, id)
		}
		// What the request carries, decoded as the routes read it: a
		// secret or token that is not in here cannot have been presented.
		presented := r.URL.Path + "?" + strings.Join(r.URL.Query()["token"], "&")
		var allowed []int64
		switch r.Pattern {
		case "GET /calendar/session/{id}":
			if len(shown) != 1 {
				t.Fatalf("%s %q: a session feed with events %v", verb, target, shown)
			}
			if public || strings.Contains(presented, secret[shown[0]]) {
				allowed = shown
			}
		case "GET /calendar/u/{token}":
			if strings.Contains(presented, token) {
				allowed = []int64{mine}
			}
		case "GET /calendar/all.ics":
			if public || strings.Contains(presented, token) {
				allowed = []int64{mine, theirs}
			}
		default:
			t.Fatalf("%s %q: a 200 from route %q", verb, target, r.Pattern)
		}
		for id, ms := range markers {
			if slices.Contains(allowed, id) {
				continue
			}
			if slices.Contains(shown, id) {
				t.Errorf("%s %q (public %t): shows session %d without its secret or a token", verb, target, public, id)
			}
			for _, m := range ms {
				if strings.Contains(unfolded, m) {
					t.Errorf("%s %q (public %t): shows session %d's %q without its secret or a token", verb, target, public, id, m)
				}
			}
		}
	})
}
