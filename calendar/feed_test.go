package calendar

import (
	"context"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/store"
)

func TestGolden(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true, Name: "Exchanges"})
	id1 := fs.create(store.Session{
		Title:       "Intro to Go, part 1",
		Kind:        "workshop",
		Start:       t0.Add(48 * time.Hour),
		Duration:    90 * time.Minute,
		Description: "Bring a laptop.",
		Link:        "https://meet.example.org/go-1",
		Partners:    []string{"GopherCon ES"},
		Speakers:    []store.Speaker{{UserID: "U1", Name: "Ana"}, {Name: "Bob", Email: "bob@example.org"}},
	})
	fs.update(func(ctx context.Context, tx store.Tx) error {
		return tx.SetAnnouncement(ctx, id1, "C123", "1741608000.001200")
	})
	id2 := fs.create(store.Session{Title: "Lightning talks", Kind: "exchange", Start: t0.Add(72 * time.Hour)})
	fs.clock.Add(time.Hour)
	fs.update(func(ctx context.Context, tx store.Tx) error {
		return tx.Cancel(ctx, id2, "speaker ill", fs.clock.Now())
	})
	if id1 != 1 || id2 != 2 {
		t.Fatalf("ids %d, %d; the golden text assumes 1, 2", id1, id2)
	}

	body, _ := fs.feed("/calendar/all.ics")
	want := []string{
		"BEGIN:VCALENDAR",
		"CALSCALE:GREGORIAN",
		"NAME:Exchanges",
		"PRODID:-//exchangebot//calendar//EN",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
		"VERSION:2.0",
		"X-PUBLISHED-TTL:PT1H",
		"X-WR-CALNAME:Exchanges",
		"BEGIN:VEVENT",
		"CATEGORIES:workshop",
		"CREATED:20250310T120000Z",
		// 75 octets, then folds; a fold may split an escape like \n.
		"DESCRIPTION:Bring a laptop.\\n\\nSpeakers: Ana\\, Bob\\nPartners: GopherCon ES\\",
		" nJoin: https://meet.example.org/go-1\\nSlack: https://slack.com/archives/C1",
		" 23/p1741608000001200",
		"DTEND:20250312T133000Z",
		"DTSTAMP:20250310T120000Z",
		"DTSTART:20250312T120000Z",
		"LAST-MODIFIED:20250310T120000Z",
		"LOCATION:https://meet.example.org/go-1",
		"SEQUENCE:0",
		"STATUS:CONFIRMED",
		"SUMMARY:Intro to Go\\, part 1",
		"UID:session-1@bot.example.org",
		"URL:https://bot.example.org/calendar/session/1.ics",
		"END:VEVENT",
		"BEGIN:VEVENT",
		"CATEGORIES:exchange",
		"CREATED:20250310T120000Z",
		"DESCRIPTION:Cancelled: speaker ill",
		"DTEND:20250313T130000Z",
		"DTSTAMP:20250310T130000Z",
		"DTSTART:20250313T120000Z",
		"LAST-MODIFIED:20250310T130000Z",
		"SEQUENCE:1",
		"STATUS:CANCELLED",
		"SUMMARY:Lightning talks",
		"UID:session-2@bot.example.org",
		"URL:https://bot.example.org/calendar/session/2.ics",
		"END:VEVENT",
		"END:VCALENDAR",
	}
	if got := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("feed differs:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRoundTrip(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	tricky := []store.Session{
		{
			Title:       `Taller "ñandú": comas, puntos; y barras \ también 🎉`,
			Kind:        "taller, práctico",
			Description: "Línea uno; con \"comillas\"\nLínea dos, con coma\\barra\n\nAdiós 👋🏽 — ¡olé!",
			Link:        "https://meet.example.org/a?b=c;d,e",
			Partners:    []string{"Año Nuevo, S.L.", "Peña; Cía"},
			Speakers:    []store.Speaker{{UserID: "U1", Name: "José Ñúñez"}, {Name: "Zoë \"Z\" O'Brien", Email: "zoe@example.org"}},
		},
		{
			// Long enough to fold many times with multi-byte runes at
			// every possible offset from the 75-octet boundary.
			Title:       strings.Repeat("áñ🎉€x", 25),
			Description: strings.Repeat("ü\\,;\n", 40) + "😀",
			Kind:        "exchange",
		},
		{Title: "CRLF\r\nin\rtitle", Description: "tab\there, nul\x00gone", Kind: "webinar"},
	}
	for i := range tricky {
		tricky[i].Start = t0.Add(time.Duration(i+1) * 24 * time.Hour)
		tricky[i].Duration = 45 * time.Minute
		id := fs.create(tricky[i])
		tricky[i].ID = id
		fs.update(func(ctx context.Context, tx store.Tx) error {
			return tx.SetAnnouncement(ctx, id, "C9", "1741600000.000100")
		})
	}

	for _, path := range []string{"/calendar/all.ics", "/calendar/session/1.ics", "/calendar/session/2.ics", "/calendar/session/3.ics"} {
		_, cal := fs.feed(path)
		for _, ev := range cal.Events() {
			var s *store.Session
			for i := range tricky {
				if uidOf(tricky[i].ID) == ev.Id() {
					s = &tricky[i]
				}
			}
			if s == nil {
				t.Fatalf("%s: unexpected event %s", path, ev.Id())
			}
			s.AnnounceChannel, s.AnnounceTS = "C9", "1741600000.000100"
			title := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s.Title)
			if got := prop(ev, ics.ComponentPropertySummary); got != title {
				t.Errorf("%s: SUMMARY %q, want %q", path, got, title)
			}
			if got, want := prop(ev, ics.ComponentPropertyDescription), fs.h.feed.describe(s); got != want {
				t.Errorf("%s: DESCRIPTION %q, want %q", path, got, want)
			}
			if !strings.Contains(prop(ev, ics.ComponentPropertyDescription), strings.ReplaceAll(s.Description, "\x00", "")) {
				t.Errorf("%s: DESCRIPTION lacks the session's own text %q", path, s.Description)
			}
			if got := prop(ev, ics.ComponentPropertyLocation); got != s.Link {
				t.Errorf("%s: LOCATION %q, want %q", path, got, s.Link)
			}
			if got := prop(ev, ics.ComponentPropertyCategories); got != s.Kind {
				t.Errorf("%s: CATEGORIES %q, want %q", path, got, s.Kind)
			}
			if got, want := prop(ev, ics.ComponentPropertyUrl), (Site{BaseURL: testBase}).SessionURL(s.ID); got != want {
				t.Errorf("%s: URL %q, want %q", path, got, want)
			}
			start, err := ev.GetStartAt()
			if err != nil || !start.Equal(s.Start) {
				t.Errorf("%s: DTSTART %v, %v; want %v", path, start, err, s.Start)
			}
			end, err := ev.GetEndAt()
			if err != nil || !end.Equal(s.Start.Add(s.Duration)) {
				t.Errorf("%s: DTEND %v, %v; want %v", path, end, err, s.Start.Add(s.Duration))
			}
		}
	}
	_, cal := fs.feed("/calendar/all.ics")
	if got := len(cal.Events()); got != len(tricky) {
		t.Errorf("all.ics has %d events, want %d", got, len(tricky))
	}
	ev := event(t, cal, tricky[0].ID)
	want := "Línea uno; con \"comillas\"\nLínea dos, con coma\\barra\n\nAdiós 👋🏽 — ¡olé!\n\n" +
		"Speakers: José Ñúñez, Zoë \"Z\" O'Brien\nPartners: Año Nuevo, S.L., Peña; Cía\n" +
		"Join: https://meet.example.org/a?b=c;d,e\nSlack: https://slack.com/archives/C9/p1741600000000100"
	if got := prop(ev, ics.ComponentPropertyDescription); got != want {
		t.Errorf("DESCRIPTION\n got %q\nwant %q", got, want)
	}
}

func TestTimesAreUTC(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	s := &store.Session{ID: 7, Title: "x", Start: time.Date(2025, 7, 1, 18, 0, 0, 0, madrid), Duration: time.Hour,
		Created: t0.In(madrid), Updated: t0.In(madrid)}
	var b strings.Builder
	if err := Encode(&b, Feed{Name: "n", BaseURL: testBase}.Calendar([]*store.Session{s})); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range []string{"\r\nDTSTART:20250701T160000Z\r\n", "\r\nDTEND:20250701T170000Z\r\n", "\r\nCREATED:20250310T120000Z\r\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("missing %q in\n%s", line, out)
		}
	}
	if strings.Contains(out, "TZID") || strings.Contains(out, "METHOD") {
		t.Errorf("TZID or METHOD in\n%s", out)
	}
}

func TestEmptyFeed(t *testing.T) {
	var b strings.Builder
	if err := Encode(&b, Feed{Name: "Nothing yet", BaseURL: testBase}.Calendar(nil)); err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:VCALENDAR\r\nCALSCALE:GREGORIAN\r\nNAME:Nothing yet\r\nPRODID:-//exchangebot//calendar//EN\r\n" +
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nVERSION:2.0\r\nX-PUBLISHED-TTL:PT1H\r\nX-WR-CALNAME:Nothing yet\r\nEND:VCALENDAR\r\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	parseFeed(t, b.String())
}

func TestLinks(t *testing.T) {
	for _, base := range []string{"https://bot.example.org", "https://bot.example.org/"} {
		https, webcal, google := Links(base, "tok_-123")
		if want := "https://bot.example.org/calendar/u/tok_-123.ics"; https != want {
			t.Errorf("https %q, want %q", https, want)
		}
		if want := "webcal://bot.example.org/calendar/u/tok_-123.ics"; webcal != want {
			t.Errorf("webcal %q, want %q", webcal, want)
		}
		if want := "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fbot.example.org%2Fcalendar%2Fu%2Ftok_-123.ics"; google != want {
			t.Errorf("google %q, want %q", google, want)
		}
		if got, want := (Site{BaseURL: base}).SessionURL(42), "https://bot.example.org/calendar/session/42.ics"; got != want {
			t.Errorf("SessionURL %q, want %q", got, want)
		}
		if got, want := AllURL(base), "https://bot.example.org/calendar/all.ics"; got != want {
			t.Errorf("AllURL %q, want %q", got, want)
		}
	}
}
