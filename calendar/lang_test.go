package calendar

import (
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// TestFeedLanguage: DESCRIPTION's labels follow ?lang=, else the
// configured language, and a session's own feed its lang:; each language
// is cached apart.
func TestFeedLanguage(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true, Lang: i18n.English})
	en := fs.create(store.Session{Title: "Youth employment", Start: t0.Add(24 * time.Hour), Duration: time.Hour,
		Speakers: []store.Speaker{{Name: "Ana"}}, Partners: []string{"FOSIS"}, Link: "https://meet.example.org/a"})
	es := fs.create(store.Session{Title: "Empleo juvenil", Start: t0.Add(48 * time.Hour), Duration: time.Hour, Lang: "es",
		Speakers: []store.Speaker{{Name: "Ana"}}, Partners: []string{"FOSIS"}, Link: "https://meet.example.org/b"})
	desc := func(path string, id int64) string {
		t.Helper()
		_, cal := fs.feed(path)
		return prop(event(t, cal, id), ics.ComponentPropertyDescription)
	}
	english := "Speakers: Ana\nPartners: FOSIS\nJoin: https://meet.example.org/"
	spanish := "Ponentes: Ana\nSocios: FOSIS\nUnirse: https://meet.example.org/"
	for _, tt := range []struct {
		path string
		id   int64
		want string
	}{
		{"/calendar/all.ics", en, english},
		{"/calendar/all.ics?lang=es", en, spanish},
		{"/calendar/all.ics?lang=es-CL", es, spanish},
		{"/calendar/all.ics?lang=en", es, english},
		{"/calendar/all.ics?lang=fr", en, english}, // not in the catalogs: the configured language
		{"/calendar/all.ics", en, english},         // the Spanish rendering did not replace the cached English one
		{"/calendar/session/" + strconv.FormatInt(en, 10) + ".ics", en, english},
		{"/calendar/session/" + strconv.FormatInt(es, 10) + ".ics", es, spanish}, // the session's lang
		{"/calendar/session/" + strconv.FormatInt(es, 10) + ".ics?lang=en", es, english},
	} {
		if got := desc(tt.path, tt.id); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: DESCRIPTION %q, want it to start %q", tt.path, got, tt.want)
		}
	}

	// A personal feed's link carries its owner's language, and its name
	// says whose it is in that language.
	https, _, _ := LinksIn(fs.srv.URL, fs.token("U1"), "es")
	if !strings.HasSuffix(https, ".ics?lang=es") {
		t.Fatalf("personal link %q does not carry the language", https)
	}
	if body, _ := fs.feed(https[len(fs.srv.URL):]); !strings.Contains(body, "(mis sesiones)") {
		t.Errorf("Spanish personal feed is not named in Spanish:\n%s", body)
	}

	// With Spanish configured, a feed asked for without ?lang= is Spanish.
	fs = newFeedServer(t, Options{Public: true, Lang: i18n.Spanish})
	id := fs.create(store.Session{Title: "Foro", Start: t0.Add(24 * time.Hour), Duration: time.Hour, Speakers: []store.Speaker{{Name: "Ana"}}})
	if got := desc("/calendar/all.ics", id); got != "Ponentes: Ana" {
		t.Errorf("configured Spanish: DESCRIPTION %q", got)
	}
}
