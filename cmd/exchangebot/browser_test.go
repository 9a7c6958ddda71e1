package main

// The web pages in a real browser: Debian's Chromium driven by chromedp,
// against the built binary, the way a person uses them on a phone.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// chromium finds Debian's Chromium, or skips the test saying how to get
// it; with EXCHANGEBOT_REQUIRE_CHROMIUM=1 (CI) a missing browser fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium: install Debian's chromium package (apt-get install -y chromium) to run the browser tests"
	if os.Getenv("EXCHANGEBOT_REQUIRE_CHROMIUM") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// tab is one browser tab that records console errors.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // where screenshots go
	mu   sync.Mutex
	errs []string
}

func newTab(t *testing.T, base string) *tab {
	t.Helper()
	exe := chromium(t)
	// As root on a machine without network: these flags keep Chromium
	// from stalling on the sandbox, GPU, QUIC and its own update checks.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 800),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	tb := &tab{t: t, ctx: ctx, base: base, shot: os.Getenv("EXCHANGEBOT_SCREENSHOTS")}
	if tb.shot == "" {
		tb.shot = t.TempDir()
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() {
				tb.mu.Lock()
				tb.errs = append(tb.errs, fmt.Sprintf("%s: %s", m.URL, m.Text))
				tb.mu.Unlock()
			}
		}
	}()
	return tb
}

// do runs actions with a deadline of their own.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

func eval[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}

// visit opens path and checks what every page must hold: at 360 px wide
// nothing scrolls sideways, and the console stays free of errors. It
// saves a screenshot as name.png and returns the page's text.
func (tb *tab) visit(path, name string) string {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+path), chromedp.WaitReady(chromedp.CSS("footer")))
	return tb.check(name)
}

func (tb *tab) check(name string) string {
	tb.t.Helper()
	if wide := eval(tb, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); wide {
		w := eval(tb, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		tb.t.Errorf("%s scrolls sideways at 360 px: %d px wide", name, w)
	}
	png := eval(tb, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(tb.shot, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errs {
		tb.t.Errorf("%s: console error %s", name, e)
	}
	tb.errs = nil
	return eval(tb, chromedp.Text(chromedp.CSS("main")))
}

// seedBrowserData writes, before the server starts, sessions held over
// the last months with lessons, one held two days ago with a speaker
// outside Slack, and two to come. It returns the months (in the default
// zone) with held sessions, first to last.
func seedBrowserData(t *testing.T, database string, now time.Time) (first, last time.Time, pastID, upcomingID int64) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var clock time.Time
	loc, _ := time.LoadLocation("America/Santiago")
	svc := exchange.New(exchange.Options{Store: st, Now: func() time.Time { return clock }, Policy: exchange.Policy{
		Location: loc, Language: "en",
		Lessons: exchange.Lessons{PromptAfter: 15 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour,
			Questions: []string{"What worked well?"}},
	}})
	schedule := func(at time.Time, d exchange.Draft) *store.Session {
		clock = at.Add(-24 * time.Hour)
		sess, err := svc.Schedule(ctx, exchange.Actor{UserID: "U1", Channel: "C1"}, d)
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	answer := func(sess *store.Session, user, text string) {
		err := st.Update(ctx, func(tx store.Tx) error {
			_, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: user, Question: "What worked well?", Answer: text}, sess.End().Add(3*time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	a := schedule(now.Add(-99*day), exchange.Draft{Title: "Evaluación de impacto", Start: now.Add(-99 * day), Kind: "webinar",
		Partners: []string{"FISDL El Salvador"}, Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}}})
	answer(a, "U2", "La evaluación externa dio credibilidad a los resultados ante el ministerio.")
	b := schedule(now.Add(-60*day), exchange.Draft{Title: "Transferencias monetarias", Start: now.Add(-60 * day), Kind: "exchange",
		Partners: []string{"MIDIS Perú"}, Speakers: []store.Speaker{{UserID: "U3", Name: "luis"}}})
	answer(b, "U3", "Paying on time mattered more than the amount.")
	schedule(now.Add(-30*day), exchange.Draft{Title: "Taller de monitoreo", Start: now.Add(-30 * day), Kind: "workshop"})
	// Two participants of b rated it (4 and 5), one with a plan; a
	// request asked a month ago waits.
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, e := range []struct {
			user   string
			rating int
			plan   string
		}{{"P1", 4, "Pagar a tiempo"}, {"P2", 5, ""}} {
			at := b.End().Add(time.Hour)
			if _, err := tx.AskEvaluation(ctx, b.ID, e.user, at); err != nil {
				return err
			}
			c := store.EvaluationChange{Rating: &e.rating}
			if e.plan != "" {
				c.Plan = &e.plan
			}
			if err := tx.ChangeEvaluation(ctx, b.ID, e.user, c, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clock = now.Add(-30 * day)
	if _, err := svc.Request(ctx, exchange.Actor{UserID: "U4"}, exchange.Ask{Topic: "Registro social de hogares", Partners: []string{"MIDIS Perú"}}); err != nil {
		t.Fatal(err)
	}
	past := schedule(now.Add(-2*day), exchange.Draft{Title: "Equipos espejo", Start: now.Add(-2 * day), Kind: "exchange", Lang: "es",
		Partners: []string{"FISDL El Salvador"}, Speakers: []store.Speaker{{Name: "María Pérez", Email: "maria@example.org"}}})
	clock = now
	up := schedule(now.Add(2*day), exchange.Draft{Title: "Empleo juvenil: lo que funcionó", Start: now.Add(2 * day),
		Link: "https://meet.example.org/empleo", Partners: []string{"FISDL El Salvador", "MIDIS Perú"},
		Speakers:    []store.Speaker{{UserID: "U2", Name: "ana"}, {Name: "María Pérez", Email: "maria@example.org"}},
		Description: "Una sesión con un título y una descripción bastante largos para ver cómo se acomodan en un teléfono angosto sin desbordarse."})
	schedule(now.Add(5*day), exchange.Draft{Title: "Cash transfers, part 2", Start: now.Add(5 * day), Kind: "workshop"})
	// The report's months are the configured zone's (the default,
	// America/Santiago), not UTC's.
	month := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	}
	return month(a.Start), month(past.Start), past.ID, up.ID
}

func TestPagesInABrowser(t *testing.T) {
	chromium(t)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	fake.AddIdentity("good-code", slackfake.Identity{UserID: "U1", TeamID: "T1", Name: "Ana Coordinadora"})
	fake.SignInAs("good-code")
	dir := t.TempDir()
	addr := freePort(t)
	now := time.Now()
	cfg := writeConfig(t, dir, addr, fake.APIURL(), `web:
  client_id: "cid"
  client_secret: "csecret"
  session_key: "a-session-key-of-at-least-32-characters"
`)
	first, last, pastID, upID := seedBrowserData(t, databaseOf(t, cfg), now)
	startServe(t, dir, cfg, addr)
	tb := newTab(t, "http://"+addr)

	// The answer link, sent to the creator in Slack for lack of email.
	var link string
	deadline := time.Now().Add(20 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		for _, m := range fake.Messages() {
			if l := regexp.MustCompile(`http://[^ ]+/answer/[A-Za-z0-9_-]+`).FindString(m.Text); l != "" && m.Channel == "DU1" {
				link = l
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if link == "" {
		t.Fatal("the creator never got the answer link in Slack")
	}

	text := tb.visit("/", "1-sessions")
	if !strings.Contains(text, "Empleo juvenil: lo que funcionó") || !strings.Contains(text, "Cash transfers, part 2") ||
		strings.Contains(text, "Equipos espejo") {
		t.Errorf("the list of sessions:\n%s", text)
	}
	text = tb.visit(fmt.Sprintf("/s/%d", upID), "2-session")
	for _, want := range []string{"María Pérez", "MIDIS Perú", "Google Calendar", "Outlook", "https://meet.example.org/empleo"} {
		if !strings.Contains(text, want) {
			t.Errorf("the session page lacks %q:\n%s", want, text)
		}
	}

	// Sign in with Slack: to the fake's page and back.
	text = tb.visit("/lessons", "3-lessons-signin")
	if !strings.Contains(text, "Sign in with Slack") {
		t.Fatalf("the library does not ask to sign in:\n%s", text)
	}
	tb.do(chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitReady(chromedp.CSS("form.filters")))
	tb.check("4-lessons")
	tb.do(chromedp.SetValue(chromedp.ID("q"), "evaluacion"), chromedp.Click(chromedp.CSS("form.filters button")),
		chromedp.WaitReady(chromedp.CSS("ol.results mark")))
	text = tb.check("5-lessons-search")
	marked := eval(tb, chromedp.Text(chromedp.CSS("ol.results mark")))
	if marked != "evaluación" || !strings.Contains(text, "Evaluación de impacto") {
		t.Errorf("searching evaluacion found %q:\n%s", marked, text)
	}

	tb.visit("/report?from="+first.Format("2006-01-02"), "6-report")
	bars := eval(tb, chromedp.Evaluate[int](`document.querySelectorAll("#by-month svg g.bar").length`))
	months := 0
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		months++
	}
	if bars != months {
		t.Errorf("the by-month chart has %d bars, want one per month from %s to %s (%d)", bars, first.Format("2006-01"), last.Format("2006-01"), months)
	}
	for _, id := range []string{"capture", "first-lesson", "by-partner"} {
		if n := eval(tb, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+` svg rect").length`)); n == 0 {
			t.Errorf("chart %s has no bars", id)
		}
	}
	if n := eval(tb, chromedp.Evaluate[int](`document.querySelectorAll("#usefulness svg g.bar").length`)); n != 5 {
		t.Errorf("the usefulness chart has %d bars, want 5", n)
	}
	mean := eval(tb, chromedp.Evaluate[string](`document.querySelector("#outcomes-by-kind tbody td:nth-child(4)").textContent`))
	if mean != "4.5" { // (4 + 5) / 2
		t.Errorf("the mean usefulness by kind is %q, want 4.5", mean)
	}
	tb.do(chromedp.EmulateViewport(1024, 900))
	tb.visit("/report?from="+first.Format("2006-01-02"), "6-report-wide")
	tb.do(chromedp.EmulateViewport(360, 740))

	// The CSV, downloaded as a person would.
	downloads := t.TempDir()
	tb.do(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return chromedp.Void{}, err
	}, chromedp.Click(chromedp.CSS(`a[href^="/report.csv"]`)))
	csv := waitFile(t, downloads, "report-*.csv")
	for _, want := range []string{"figure,label,value\n", "held,,4\n", "held_by_partner,FISDL El Salvador,2\n",
		"held_in_month," + first.Format("2006-01") + ",1\n", "requests_received,,1\n", "usefulness_rated_5,,1\n", "held_in_month," + last.Format("2006-01") + ","} {
		if !strings.Contains(strings.ReplaceAll(csv, "\r\n", "\n"), want) {
			t.Errorf("the CSV lacks %q:\n%s", want, csv)
		}
	}

	// The speaker outside Slack answers, in the session's language.
	text = tb.visit(strings.TrimPrefix(link, "http://"+addr), "7-answer")
	if !strings.Contains(text, "Hola, María Pérez") || !strings.Contains(text, "¿Qué funcionó bien?") {
		t.Errorf("the answer form:\n%s", text)
	}
	tb.do(chromedp.SetValue(chromedp.ID("a0"), "Los equipos espejo del FISDL aceleraron la adopción."),
		chromedp.Click(chromedp.CSS("form.answer button")), chromedp.WaitReady(chromedp.CSS(`p[role="status"]`)))
	text = tb.check("8-answer-saved")
	if !strings.Contains(text, "guardadas") {
		t.Errorf("after sending:\n%s", text)
	}
	text = tb.visit("/lessons?q=adopcion", "9-lessons-external")
	if !strings.Contains(text, "Equipos espejo") || !strings.Contains(text, "maria@example.org") {
		t.Errorf("the library does not show the external answer:\n%s", text)
	}
	text = tb.visit(fmt.Sprintf("/s/%d", pastID), "10-session-lessons")
	if !strings.Contains(text, "Los equipos espejo del FISDL aceleraron la adopción.") {
		t.Errorf("the session page lacks the external answer:\n%s", text)
	}
}

// waitFile waits for a finished download matching pattern in dir.
func waitFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil && len(b) > 0 {
				return string(b)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no download %s in %s (%v)", pattern, dir, entries)
	return ""
}
