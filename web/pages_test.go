package web

import (
	"context"
	"encoding/csv"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

var maria = store.Speaker{Name: "María Pérez", Email: "maria@example.org"}

// held schedules a session that is over by the time the clock moves on
// past it, in Spanish, with María speaking.
func (tw *testWeb) held(title string) *store.Session {
	sess := tw.schedule(title, tw.clock.Now().Add(2*time.Hour), "es", []string{"FISDL El Salvador"}, maria)
	return sess
}

func (tw *testWeb) answerLink(sess *store.Session) string {
	tw.t.Helper()
	tok, err := tw.svc.IssueAnswerLink(context.Background(), sess.ID, maria.Email)
	if err != nil {
		tw.t.Fatal(err)
	}
	return "/answer/" + tok
}

func TestAnswerFormSavesAndIsFoundInTheLibrary(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.PublicLessons = true })
	sess := tw.held("Evaluación de impacto")
	link := tw.answerLink(sess)
	c := tw.browser()

	_, body, _ := tw.get(c, link)
	if !strings.Contains(body, "Todavía no") {
		t.Errorf("before the session ends the link says to come back later:\n%s", body)
	}
	tw.clock.Add(4 * time.Hour)
	status, body, _ := tw.get(c, link, "Accept-Language", "en")
	if status != http.StatusOK || !strings.Contains(body, `lang="es"`) || !strings.Contains(body, "¿Qué harías distinto?") ||
		!strings.Contains(body, "Hola, María Pérez") || !strings.Contains(body, `<label for="a0">`) {
		t.Fatalf("the form is not in the session's language with its questions (%d):\n%s", status, body)
	}
	token := csrf(t, body)
	if status, _ := tw.post(c, link, url.Values{"a0": {"Los equipos espejo dieron credibilidad."}}); status != http.StatusBadRequest {
		t.Errorf("a form without its CSRF token = %d, want 400", status)
	}
	if status, _ := tw.post(tw.browser(), link, url.Values{"csrf": {token}, "a0": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("another browser's CSRF token = %d, want 400", status)
	}
	status, body = tw.post(c, link, url.Values{"csrf": {token}, "a0": {"Los equipos espejo dieron credibilidad."}, "a1": {""}})
	if status != http.StatusOK || !strings.Contains(body, "tus respuestas están guardadas") {
		t.Fatalf("submit = %d:\n%s", status, body)
	}
	// Back later: prefilled, and editable.
	_, body, _ = tw.get(c, link)
	if !strings.Contains(body, ">Los equipos espejo dieron credibilidad.</textarea>") {
		t.Errorf("the form is not prefilled:\n%s", body)
	}
	tw.post(c, link, url.Values{"csrf": {csrf(t, body)}, "a1": {"Empezar antes con la evaluación."}})

	// In the library, accents ignored; and on the session's page.
	_, body, _ = tw.get(c, "/lessons?q=evaluacion")
	if !strings.Contains(body, "<mark>evaluación</mark>") || !strings.Contains(body, "maria@example.org") {
		t.Errorf("the library does not find the external answer:\n%s", body)
	}
	_, body, _ = tw.get(c, "/s/"+itoa(sess.ID))
	if !strings.Contains(body, "María Pérez") || !strings.Contains(body, "Los equipos espejo dieron credibilidad.") {
		t.Errorf("the session page lacks the answer:\n%s", body)
	}

	// Once the lessons close the link is gone.
	tw.clock.Add(169 * time.Hour)
	if status, _, _ := tw.get(c, link); status != http.StatusNotFound {
		t.Errorf("after close_after the link answers %d, want 404", status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var actorU1 = exchange.Actor{UserID: "U1"}

// newStaffService is tw's service with staff limited to U7.
func newStaffService(t *testing.T, tw *testWeb) *exchange.Service {
	p := tw.svc.Policy()
	p.Staff = []string{"U7"}
	return exchange.New(exchange.Options{Store: tw.st, Now: tw.clock.Now, Policy: p})
}

func TestWrongAnswerTokensAre404(t *testing.T) {
	tw := newTestWeb(t)
	sess := tw.held("Taller")
	tw.clock.Add(4 * time.Hour)
	link := tw.answerLink(sess)
	c := tw.browser()
	for _, bad := range []string{"/answer/x", "/answer/" + strings.Repeat("A", 32), link + "x"} {
		if status, body, _ := tw.get(c, bad); status != http.StatusNotFound || !strings.Contains(body, "expired") {
			t.Errorf("%s = %d", bad, status)
		}
	}
	// A speaker removed from the session loses the link.
	if _, _, err := tw.svc.RemoveSpeakers(context.Background(), actorU1, sess.ID, []store.Speaker{maria}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := tw.get(c, link); status != http.StatusNotFound {
		t.Errorf("a removed speaker's link = %d", status)
	}
}

func TestAnswerFormIsRateLimited(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.AnswerRate = 3 })
	c := tw.browser()
	var last int
	for range 4 {
		last, _ = tw.post(c, "/answer/guess", url.Values{})
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the 4th POST in a minute = %d, want 429", last)
	}
	tw.clock.Add(time.Minute)
	if status, _ := tw.post(c, "/answer/guess", url.Values{}); status != http.StatusBadRequest {
		t.Errorf("a minute later = %d, want the form checked again (400 without a token)", status)
	}
}

func TestEveryPageCarriesSecurityHeaders(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.PublicLessons = true })
	sess := tw.held("Taller")
	c := tw.browser()
	for _, path := range []string{"/", "/s/" + itoa(sess.ID), "/lessons", "/report", "/answer/nope", "/login", "/static/style.css", "/favicon.ico"} {
		_, body, h := tw.get(c, path)
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for _, k := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if h.Get(k) == "" {
				t.Errorf("%s: no %s", path, k)
			}
		}
		if strings.Contains(body, "<script") || regexp.MustCompile(` style="| on[a-z]+="`).MatchString(body) {
			t.Errorf("%s has script, an inline style or an event handler", path)
		}
	}
}

func TestPagesSpeakTheReadersLanguage(t *testing.T) {
	tw := newTestWeb(t)
	tw.schedule("Youth employment", t0.Add(48*time.Hour), "", nil)
	c := tw.browser()
	_, body, _ := tw.get(c, "/", "Accept-Language", "es-CL,es;q=0.9,en;q=0.5")
	if !strings.Contains(body, "Próximas sesiones") || !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("Accept-Language es:\n%s", body)
	}
	// The switch sets the language for later pages too.
	_, body, _ = tw.get(c, "/?lang=en", "Accept-Language", "es")
	if !strings.Contains(body, "Upcoming sessions") || !strings.Contains(body, `href="/?lang=es"`) {
		t.Errorf("the switch to English:\n%s", body)
	}
	_, body, _ = tw.get(c, "/lessons", "Accept-Language", "es")
	if !strings.Contains(body, "Sign in") {
		t.Errorf("the chosen language did not stick:\n%s", body)
	}
}

func TestReportAndCSV(t *testing.T) {
	tw := newTestWeb(t)
	ctx := context.Background()
	a := tw.schedule("Enero", t0.Add(2*time.Hour), "", []string{"MIDIS"}, maria)
	tw.schedule("Marzo", t0.Add(30*24*time.Hour), "", []string{"=HYPERLINK(\"x\")"})
	tw.clock.Add(40 * 24 * time.Hour)
	if err := tw.st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: a.ID, UserID: "maria@example.org", Question: "Q", Answer: "A"}, a.End().Add(5*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := tw.browser()
	tw.signIn(c, ana)
	status, body, _ := tw.get(c, "/report?from=2026-03-01&to=2026-04-30")
	if status != http.StatusOK {
		t.Fatalf("/report = %d", status)
	}
	month := regexp.MustCompile(`(?s)<section class="chart-box" id="by-month">.*?</svg>`).FindString(body)
	if n := strings.Count(month, `<g class="bar">`); n != 2 {
		t.Errorf("the by-month chart has %d bars, want one per month (2):\n%s", n, month)
	}
	for _, want := range []string{`id="capture"`, `id="first-lesson"`, `id="by-partner"`, "50%", ">MIDIS<"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	// In Spanish the shares read "50 %", in the figures, on the capture
	// chart and in its table, and no number a person reads has a point.
	status, body, _ = tw.get(c, "/report?from=2026-03-01&to=2026-04-30&lang=es")
	if status != http.StatusOK {
		t.Fatalf("/report?lang=es = %d", status)
	}
	if got := numbers(body)[i18n.T(i18n.Spanish, "web.report.capture_rate", nil)]; got != "50 %" {
		t.Errorf("Spanish capture rate = %q, want 50 %%", got)
	}
	capture, capRows := section(t, body, "capture")
	if !strings.Contains(capture, `class="value">100 %</text>`) || strings.Join(capRows, " ") != "mar 26|100 % abr 26|0 %" {
		t.Errorf("Spanish capture chart, table %q:\n%s", capRows, capture)
	}
	for _, m := range regexp.MustCompile(`>[^<]*\d\.\d[^<]*<`).FindAllString(body, -1) {
		t.Errorf("the Spanish dashboard writes %s", m)
	}
	status, body, h := tw.get(c, "/report.csv?from=2026-03-01&to=2026-04-30")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("/report.csv = %d %s", status, h.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r[0]+"|"+r[1]] = r[2]
	}
	for k, want := range map[string]string{
		"held|": "2", "captured|": "1", "capture_rate|": "0.500", "held_in_month|2026-03": "1", "held_in_month|2026-04": "1",
		"held_by_partner|MIDIS": "1", "held_by_partner|'=HYPERLINK(\"x\")": "1", "hours_to_first_lesson|": "5.0",
	} {
		if got[k] != want {
			t.Errorf("CSV %s = %q, want %q", k, got[k], want)
		}
	}
}

func TestReportIsForStaff(t *testing.T) {
	tw := newTestWeb(t)
	// A service whose staff is someone else.
	tw.web.svc = newStaffService(t, tw)
	c := tw.browser()
	tw.signIn(c, ana)
	if status, _, _ := tw.get(c, "/report"); status != http.StatusForbidden {
		t.Errorf("/report for a member who is not staff = %d", status)
	}
}

// A page without charts stays small (the phone on a slow link).
func TestPageWeight(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.PublicLessons = true })
	var last *store.Session
	for i := range 25 {
		last = tw.schedule("Session with a reasonably long title number "+itoa(int64(i)), t0.Add(time.Duration(i+2)*24*time.Hour), "", []string{"FISDL El Salvador", "MIDIS Perú"}, maria)
	}
	c := tw.browser()
	css, _ := fs.ReadFile(staticFS, "static/style.css")
	for path, holds := range map[string]string{
		"/":                   "Session with a reasonably long title number 24", // all 25 listed
		"/s/" + itoa(last.ID): "María Pérez",
	} {
		status, body, _ := tw.get(c, path)
		// A small error page would pass the weight: the page must be the real one.
		if status != http.StatusOK || !strings.Contains(body, holds) {
			t.Fatalf("%s = %d without %q", path, status, holds)
		}
		if total := len(body) + len(css); total > 100<<10 {
			t.Errorf("%s weighs %d bytes with its stylesheet, over 100 KB", path, total)
		} else {
			t.Logf("%s: %d bytes of HTML + %d of CSS", path, len(body), len(css))
		}
	}
}

func TestTemplatesNameKnownWords(t *testing.T) {
	re := regexp.MustCompile(`T "(web\.[a-z0-9_.]+)"`)
	used := map[string]bool{}
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
			if !words[m[1]] {
				t.Errorf("%s names %s, which words.go lacks", f, m[1])
			}
		}
	}
	if len(used) < 40 {
		t.Fatalf("found %d ids in the templates: the pattern is broken", len(used))
	}
}

func TestBackwardsPeriodIsExplained(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.PublicLessons = true })
	c := tw.browser()
	tw.signIn(c, ana)
	for _, path := range []string{
		"/report?from=2026-05-01&to=2026-01-31", "/lessons?from=2026-05-01&to=2026-01-31",
		// A day back: the exclusive end is then the start, which once
		// passed as an empty period.
		"/report?from=2026-02-02&to=2026-02-01", "/lessons?from=2026-02-02&to=2026-02-01",
		"/report?from=2026-03&to=2026-02",
	} {
		if status, body, _ := tw.get(c, path); status != http.StatusBadRequest || !strings.Contains(body, "starts after it ends") {
			t.Errorf("%s = %d:\n%s", path, status, body)
		}
	}
}

// With private feeds a session's calendar links are signed, as Slack's are.
func TestPrivateFeedsSignSessionLinks(t *testing.T) {
	tw := newTestWeb(t, func(o *Options) { o.FeedsPublic = false; o.SessionFeedKey = []byte(strings.Repeat("f", 32)) })
	sess := tw.schedule("Taller", t0.Add(48*time.Hour), "", nil)
	c := tw.browser()
	if _, body, _ := tw.get(c, "/s/"+itoa(sess.ID)); !asksToSignIn(body) {
		t.Fatal("a session page is open to everyone with private feeds")
	}
	tw.signIn(c, ana)
	_, body, _ := tw.get(c, "/s/"+itoa(sess.ID))
	if !regexp.MustCompile(`/calendar/session/` + itoa(sess.ID) + `-[A-Za-z0-9_-]{22}\.ics`).MatchString(body) {
		t.Errorf("the session page's .ics link is not signed:\n%s", body)
	}
}

// A template that fails still answers in the reader's language.
func TestBrokenTemplateAnswersFromTheCatalog(t *testing.T) {
	tw := newTestWeb(t)
	tw.web.pages["broken.html"] = template.Must(template.New("layout").Parse(`{{.NoSuchField}}`))
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "es")
	tw.web.render(w, http.StatusOK, "broken.html", tw.web.newPage(w, r))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "Algo falló de nuestro lado") {
		t.Errorf("a failed template answered %d %q", w.Code, w.Body)
	}
}
