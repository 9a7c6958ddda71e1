package exchange

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func TestCheckLink(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" = refused
	}{
		{"https://meet.example.org/abc", "https://meet.example.org/abc"},
		{"  HTTPS://meet.example.org/abc?x=1&y=2#z ", "https://meet.example.org/abc?x=1&y=2#z"},
		{"http://10.0.0.1:8080/room", "http://10.0.0.1:8080/room"},
		{"https://meet.example.org/a@b", "https://meet.example.org/a@b"}, // an @ in the path is no user info
		{"https://meet.example@evil.example/", ""},
		{"https://user:pass@evil.example/", ""},
		{"https://@evil.example/", ""},
		{`https://meet.example.org\@evil.example/`, ""},
		{"https://meet.example.org/a b", ""},
		{"https://meet.example.org/\u202eexe.pdf", ""},
		{"https://meet.example.org/\x00", ""},
		{"https://meet.example.org/\xff", ""},
		{"https://meet.example.org/<!channel>", ""},
		{"https://meet.example.org/|label", ""},
		{"ftp://x.org", ""},
		{"javascript:alert(1)", ""},
		{"https://", ""},
		{"meet.example.org", ""},
		{"", ""},
	} {
		got, err := CheckLink(tt.in)
		if tt.want == "" {
			if code(err) != CodeLink {
				t.Errorf("CheckLink(%q) = %q, %v; want refused", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CheckLink(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCleanLineStripsControlAndBidi(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Youth employment", "Youth employment"},
		{"  Youth\n\temployment  ", "Youth employment"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},             // right-to-left override
		{"a\u202Ab\u202Bc\u202Cd\u202De", "abcde"},             // embeddings and pop
		{"\u2066isolated\u2069 \u2067r\u2068f", "isolated rf"}, // isolates
		{"mark\u200E\u200F\u061C", "mark"},                     // LRM, RLM, ALM
		{"bell\a nul\x00 esc\x1b del\x7f c1\u0085x", "bell nul esc del c1 x"},
		{"Peña; Cía — ¡olé! 東京 👋🏽", "Peña; Cía — ¡olé! 東京 👋🏽"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{"\u202E", ""},
	} {
		if got := CleanLine(tt.in); got != tt.want {
			t.Errorf("CleanLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Text keeps its lines and tabs, and loses the rest the same way.
	if got, want := CleanText(" one\r\ntwo\u202e\tthree\x00\n"), "one\ntwo\tthree"; got != want {
		t.Errorf("CleanText = %q, want %q", got, want)
	}
}

// TestScheduleCleansTitlesAndNames: what people read in Slack, feeds
// and reports is stored without control or bidi characters.
func TestScheduleCleansTitlesAndNames(t *testing.T) {
	for _, tt := range []struct {
		name      string
		title     string
		speaker   string
		partner   string
		wantTitle string
		wantNames string
	}{
		{"plain", "Youth employment", "Ana Pérez", "FISDL", "Youth employment", "Ana Pérez|FISDL"},
		{"override", "Report\u202Etxt.exe", "\u202EAna", "FIS\u2066DL", "Reporttxt.exe", "Ana|FISDL"},
		{"controls", "Line\none\x07", "Ana\x00 Pérez\r\n", "\tFISDL\x1b", "Line one", "Ana Pérez|FISDL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestService(t)
			s, err := e.svc.Schedule(context.Background(), Actor{UserID: "U1"}, Draft{
				Title: tt.title, Start: t0.Add(time.Hour),
				Speakers: []store.Speaker{{Name: tt.speaker, Email: "ana@example.org"}}, Partners: []string{tt.partner},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := e.session(s.ID)
			if got.Title != tt.wantTitle || got.Speakers[0].Name+"|"+got.Partners[0] != tt.wantNames {
				t.Errorf("stored title %q, speaker %q, partner %q", got.Title, got.Speakers[0].Name, got.Partners[0])
			}
		})
	}
}

// TestScheduleDefaultsAndLimits: the defaults of a new session and every
// limit, each refusal with its code and nothing stored.
func TestScheduleDefaultsAndLimits(t *testing.T) {
	later := t0.Add(48 * time.Hour)
	for _, tt := range []struct {
		name  string
		pol   func(*Policy)
		by    Actor
		draft Draft
		code  string
		check func(t *testing.T, s *store.Session)
	}{
		{name: "defaults", by: Actor{UserID: "U1", Channel: "CHERE"}, draft: Draft{Title: "T", Start: later},
			check: func(t *testing.T, s *store.Session) {
				if s.Kind != "webinar" || s.Duration != time.Hour || s.TZ != "America/Santiago" || s.Channel != "CHERE" || s.Lang != "" {
					t.Errorf("defaults: %+v", s)
				}
			}},
		{name: "announce channel first", pol: func(p *Policy) { p.AnnounceChannel = "CANN" }, by: Actor{UserID: "U1", Channel: "CHERE"},
			draft: Draft{Title: "T", Start: later},
			check: func(t *testing.T, s *store.Session) {
				if s.Channel != "CANN" {
					t.Errorf("channel %q, want the configured one", s.Channel)
				}
			}},
		{name: "given channel wins", pol: func(p *Policy) { p.AnnounceChannel = "CANN" }, by: Actor{UserID: "U1", Channel: "CHERE"},
			draft: Draft{Title: "T", Start: later, Channel: "CGIVEN", Kind: "workshop", Lang: "es", TZ: "Europe/Madrid", Duration: 24 * time.Hour},
			check: func(t *testing.T, s *store.Session) {
				if s.Channel != "CGIVEN" || s.Kind != "workshop" || s.Lang != "es" || s.TZ != "Europe/Madrid" || s.Duration != 24*time.Hour {
					t.Errorf("given values: %+v", s)
				}
			}},
		{name: "title at the limit", draft: Draft{Title: strings.Repeat("á", MaxTitle), Start: later}},
		{name: "empty title", draft: Draft{Title: " \u202e ", Start: later}, code: CodeTitleEmpty},
		{name: "title too long", draft: Draft{Title: strings.Repeat("á", MaxTitle+1), Start: later}, code: CodeTitleTooLong},
		{name: "negative duration", draft: Draft{Title: "T", Start: later, Duration: -time.Minute}, code: CodeDuration},
		{name: "over 24h", draft: Draft{Title: "T", Start: later, Duration: 24*time.Hour + time.Minute}, code: CodeDuration},
		{name: "past", draft: Draft{Title: "T", Start: t0.Add(-time.Second)}, code: CodePast},
		{name: "now is not past", draft: Draft{Title: "T", Start: t0}},
		{name: "unknown zone", draft: Draft{Title: "T", Start: later, TZ: "Mars/Olympus"}, code: CodeZone},
		{name: "server zone", draft: Draft{Title: "T", Start: later, TZ: "Local"}, code: CodeZone},
		{name: "unknown kind", draft: Draft{Title: "T", Start: later, Kind: "party"}, code: CodeKind},
		{name: "unknown lang", draft: Draft{Title: "T", Start: later, Lang: "fr"}, code: CodeLang},
		{name: "link with user info", draft: Draft{Title: "T", Start: later, Link: "https://meet.example@evil.example/"}, code: CodeLink},
		{name: "external speaker without email", draft: Draft{Title: "T", Start: later, Speakers: []store.Speaker{{Name: "Ana"}}}, code: CodeSpeaker},
		{name: "not staff", pol: func(p *Policy) { p.Staff = []string{"U1"} }, by: Actor{UserID: "U2"}, draft: Draft{Title: "T", Start: later}, code: CodeNotStaff},
		{name: "listed staff", pol: func(p *Policy) { p.Staff = []string{"U1"} }, by: Actor{UserID: "U1"}, draft: Draft{Title: "T", Start: later}},
		{name: "staff by group", pol: func(p *Policy) { p.Staff = []string{"U1", "SSTAFF"} }, by: Actor{UserID: "UGROUPIE"}, draft: Draft{Title: "T", Start: later}},
		{name: "outside the group", pol: func(p *Policy) { p.Staff = []string{"SSTAFF"} }, by: Actor{UserID: "U1"}, draft: Draft{Title: "T", Start: later}, code: CodeNotStaff},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var muts []func(*Policy)
			if tt.pol != nil {
				muts = append(muts, tt.pol)
			}
			e := newTestService(t, muts...)
			if tt.by.UserID == "" {
				tt.by.UserID = "U1"
			}
			s, err := e.svc.Schedule(context.Background(), tt.by, tt.draft)
			if code(err) != tt.code {
				t.Fatalf("Schedule: %v, want code %q", err, tt.code)
			}
			n, _ := e.store.CountSessions(context.Background())
			if tt.code != "" {
				if n != 0 || e.changed.Load() != 0 {
					t.Errorf("a refused draft stored %d sessions, woke deliveries %d times", n, e.changed.Load())
				}
				return
			}
			if tt.check != nil {
				tt.check(t, e.session(s.ID))
			}
		})
	}
}

// TestCheckDraftReportsEveryMistake: a form shows each mistake beside its
// field, so they come back together.
func TestCheckDraftReportsEveryMistake(t *testing.T) {
	e := newTestService(t)
	err := e.svc.CheckDraft(Actor{UserID: "U1"}, Draft{Title: "", Start: t0.Add(-time.Hour), Duration: 25 * time.Hour, Link: "ftp://x", Kind: "party"})
	var codes []string
	for _, e := range Errors(err) {
		codes = append(codes, e.Code)
	}
	if got, want := strings.Join(codes, " "), "title_empty kind duration past link"; got != want {
		t.Errorf("codes %q, want %q", got, want)
	}
}

// TestManagePermissions: edit, move, cancel and speaker changes are for
// staff or the session's creator; anyone joins.
func TestManagePermissions(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Staff = []string{"UCOORD", "SSTAFF"} })
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "UCOORD"}, Draft{Title: "T", Start: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// A creator who is no longer staff still manages their session.
	e.svc.p.Staff = []string{"SSTAFF"}
	title := "New"
	ops := map[string]func(Actor) error{
		OpEdit: func(a Actor) error { _, err := e.svc.Edit(ctx, a, s.ID, Changes{Title: &title}); return err },
		OpMove: func(a Actor) error { _, _, err := e.svc.Move(ctx, a, s.ID, t0.Add(72*time.Hour), 0); return err },
		OpSpeakers: func(a Actor) error {
			_, _, err := e.svc.AddSpeakers(ctx, a, s.ID, []store.Speaker{{UserID: "U7"}})
			return err
		},
	}
	for op, do := range ops {
		for _, tt := range []struct {
			user string
			code string
		}{{"UOTHER", CodeNotAllowed}, {"UCOORD", ""}, {"UGROUPIE", ""}} {
			err := do(Actor{UserID: tt.user})
			if code(err) != tt.code {
				t.Errorf("%s by %s: %v, want %q", op, tt.user, err, tt.code)
			}
			if e, ok := AsError(err); ok && (e.Arg("op") != op || e.Arg("creator") != "UCOORD" || e.Arg("id") != s.ID) {
				t.Errorf("%s refusal args %v", op, e.Args)
			}
		}
	}
	if _, err := e.svc.Cancel(ctx, Actor{UserID: "UOTHER"}, s.ID, ""); code(err) != CodeNotAllowed {
		t.Errorf("cancel by another: %v", err)
	}
	if _, joined, err := e.svc.Join(ctx, "UOTHER", s.ID); err != nil || !joined {
		t.Errorf("anyone joins: %v %v", joined, err)
	}
	if _, err := e.svc.Report(ctx, Actor{UserID: "UOTHER"}, t0, t0.Add(time.Hour)); code(err) != CodeNotStaff {
		t.Errorf("report by non-staff: %v", err)
	}
	if _, err := e.svc.Edit(ctx, Actor{UserID: "UCOORD"}, s.ID, Changes{}); code(err) != CodeNothingToEdit {
		t.Errorf("empty edit: %v", err)
	}
}

// TestLessonsOnlyAfterTheSession: neither the form nor a reply in the
// walk-through is taken before the session has ended.
func TestLessonsOnlyAfterTheSession(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "U1"}, Draft{Title: "T", Start: t0.Add(2 * time.Hour), Speakers: []store.Speaker{{UserID: "U2"}}})
	if err != nil {
		t.Fatal(err)
	}
	// A prompt recorded, then the session moved later: the walk-through
	// exists but the session has not been held.
	if _, err := e.svc.RecordPrompt(ctx, s.ID, "U2", "DU2"); err != nil {
		t.Fatal(err)
	}
	answer := func() error { _, err := e.svc.Answer(ctx, Walk{UserID: "U2", Channel: "DU2"}, "early"); return err }
	form := func() error {
		_, _, err := e.svc.SubmitAnswers(ctx, "U2", "", s.ID, map[int]string{0: "early"}, nil)
		return err
	}
	open := func() error { _, _, err := e.svc.Capture(ctx, "U2", s.ID); return err }
	for _, tt := range []struct {
		name  string
		after time.Duration // from t0
		code  string
	}{
		{"before it starts", 0, CodeNotHeld},
		{"while it runs", 2*time.Hour + 30*time.Minute, CodeNotHeld},
		{"the second it ends", 3 * time.Hour, ""},
	} {
		e.clock.Add(t0.Add(tt.after).Sub(e.clock.Now()))
		for name, do := range map[string]func() error{"answer": answer, "form": form, "open form": open} {
			if err := do(); code(err) != tt.code {
				t.Errorf("%s, %s: %v, want %q", tt.name, name, err, tt.code)
			}
		}
	}
	lessons, _ := e.store.Lessons(ctx, s.ID)
	if len(lessons) != 1 || !lessons[0].Created.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("lessons %+v: only the ones given after the end should be stored", lessons)
	}
}
