package mail_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/internal/smtptest"
	"github.com/exchangebot/exchangebot/mail"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
	"github.com/exchangebot/exchangebot/web"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// slackStub takes every row that is not an email, as Slack would.
type slackStub struct{}

func (slackStub) Send(context.Context, store.Delivery) (outbox.Result, error) {
	return outbox.Result{Channel: "C1", TS: "1.1"}, nil
}
func (slackStub) Find(context.Context, store.Delivery) (outbox.Result, bool, error) {
	return outbox.Result{}, false, nil
}
func (slackStub) Classify(error) outbox.Verdict { return outbox.Verdict{Class: outbox.Broken} }
func (slackStub) Lane(d store.Delivery) string  { return "" }
func (slackStub) Undeliverable(context.Context, store.Delivery, error) ([]store.Delivery, error) {
	return nil, nil
}

type env struct {
	t      *testing.T
	smtp   *smtptest.Server
	st     store.Store
	svc    *exchange.Service
	engine *outbox.Engine
	clock  *clock
}

const baseURL = "https://bot.example.org"

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}
	loc, _ := time.LoadLocation("America/Santiago")
	svc := exchange.New(exchange.Options{Store: st, Now: c.Now, Policy: exchange.Policy{
		Location: loc, Language: "en", Mail: true,
		Lessons: exchange.Lessons{PromptAfter: 15 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour,
			Questions: []string{"What worked well?", "What would you do differently?"},
			ByLang:    map[string][]string{"es": {"¿Qué funcionó bien?", "¿Qué harías distinto?"}}},
	}})
	srv := smtptest.Start(t)
	snd, err := mail.New(mail.Config{
		Host: "127.0.0.1", Port: srv.Port(), Username: smtptest.User, Password: smtptest.Password, From: "Exchanges <bot@example.org>",
		TLSConfig: srv.ClientTLS, BaseURL: baseURL, Language: i18n.English, Timeout: 10 * time.Second,
	}, st, svc, nil, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	engine := outbox.New(outbox.Options{Store: st, Sender: outbox.Route{Default: slackStub{}, ByKind: snd.Senders()}, Now: c.Now})
	return &env{t: t, smtp: srv, st: st, svc: svc, engine: engine, clock: c}
}

func (e *env) deliver() {
	e.t.Helper()
	if err := e.engine.DeliverNow(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) schedule(title string) *store.Session {
	e.t.Helper()
	sess, err := e.svc.Schedule(context.Background(), exchange.Actor{UserID: "U1"}, exchange.Draft{
		Title: title, Start: e.clock.Now().Add(48 * time.Hour), Lang: "es", Link: "https://meet.example.org/x",
		Speakers: []store.Speaker{{Name: "María Pérez", Email: "Maria@Example.org"}, {UserID: "U2"}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return sess
}

func (e *env) mailsTo(addr string) []smtptest.Email {
	var out []smtptest.Email
	for _, m := range e.smtp.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				if !m.TLS {
					e.t.Errorf("a message came without TLS")
				}
				out = append(out, smtptest.Parse(e.t, m.Raw))
			}
		}
	}
	return out
}

func seq(t *testing.T, ev *ics.VEvent) int {
	n, err := strconv.Atoi(ev.GetProperty(ics.ComponentPropertySequence).Value)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInvitationUpdateAndAnswerLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sess := e.schedule("Transferencias")
	e.deliver()
	e.deliver() // nothing is sent twice
	got := e.mailsTo("maria@example.org")
	if len(got) != 1 {
		t.Fatalf("%d emails after scheduling, want 1 invitation", len(got))
	}
	inv := got[0]
	if inv.Subject != "Invitación: Transferencias" || !strings.Contains(inv.Text, "Hola, María Pérez:") {
		t.Errorf("invitation in Spanish: subject %q, text %q", inv.Subject, inv.Text)
	}
	if !strings.Contains(inv.HTML, `href="https://meet.example.org/x"`) {
		t.Errorf("the HTML part lacks the join link: %s", inv.HTML)
	}
	if !strings.Contains(inv.CalType, "method=REQUEST") {
		t.Errorf("calendar part type %q", inv.CalType)
	}
	method, ev := smtptest.ReadICS(t, inv)
	if method != "REQUEST" || ev.Id() != "session-"+strconv.FormatInt(sess.ID, 10)+"@bot.example.org" {
		t.Errorf("invitation: METHOD %s, UID %s", method, ev.Id())
	}
	first := seq(t, ev)

	if _, _, err := e.svc.Move(ctx, exchange.Actor{UserID: "U1"}, sess.ID, sess.Start.Add(24*time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	got = e.mailsTo("maria@example.org")
	if len(got) != 2 {
		t.Fatalf("%d emails after a move, want the invitation and its update", len(got))
	}
	if got[1].Subject != "Actualizado: Transferencias" {
		t.Errorf("update subject %q", got[1].Subject)
	}
	method, ev = smtptest.ReadICS(t, got[1])
	if method != "REQUEST" || seq(t, ev) <= first {
		t.Errorf("update: METHOD %s SEQUENCE %d, want REQUEST above %d", method, seq(t, ev), first)
	}
	if start, _ := ev.GetStartAt(); !start.Equal(sess.Start.Add(24 * time.Hour)) {
		t.Errorf("update starts %v", start)
	}

	// After the session: the answer link, in the session's language.
	e.clock.Add(74 * time.Hour)
	e.deliver()
	got = e.mailsTo("maria@example.org")
	if len(got) != 3 {
		t.Fatalf("%d emails after the session, want the answer link too", len(got))
	}
	ans := got[2]
	if ans.Subject != "¿Qué aprendiste en Transferencias?" || ans.Calendar != nil {
		t.Errorf("answer email: subject %q, calendar %v", ans.Subject, ans.Calendar != nil)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/answer/([A-Za-z0-9_-]+)`).FindStringSubmatch(ans.Text)
	if link == nil || !strings.Contains(ans.Text, "¿Qué harías distinto?") {
		t.Fatalf("answer email lacks the link or the Spanish questions:\n%s", ans.Text)
	}
	// The link opens the form on the web pages.
	pages, err := web.New(web.Options{Service: e.svc, BaseURL: baseURL, SessionKey: []byte(strings.Repeat("k", 32)), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pages.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", link[0], nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "¿Qué harías distinto?") {
		t.Fatalf("the emailed link answers %d:\n%s", rec.Code, rec.Body)
	}
	form, err := e.svc.AnswerForm(ctx, link[1])
	if err != nil {
		t.Fatalf("the emailed link does not open the form: %v", err)
	}
	if form.Session.ID != sess.ID || form.Speaker.Name != "María Pérez" || form.Questions[0] != "¿Qué funcionó bien?" {
		t.Errorf("form = %+v", form)
	}
	if _, err := e.svc.SubmitExternal(ctx, link[1], map[int]string{0: "Los equipos espejo."}); err != nil {
		t.Fatal(err)
	}
	lessons, err := e.st.Lessons(ctx, sess.ID)
	if err != nil || len(lessons) != 1 || lessons[0].UserID != "maria@example.org" {
		t.Errorf("lessons after the form = %+v, %v", lessons, err)
	}
}

func TestCancelSendsMethodCancel(t *testing.T) {
	e := newEnv(t)
	sess := e.schedule("Taller")
	if _, err := e.svc.Cancel(context.Background(), exchange.Actor{UserID: "U1"}, sess.ID, "ponente enferma"); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	got := e.mailsTo("maria@example.org")
	// The invitation owed before the cancel was withdrawn with it.
	if len(got) != 1 {
		t.Fatalf("%d emails, want just the cancellation", len(got))
	}
	if got[0].Subject != "Cancelado: Taller" || !strings.Contains(got[0].Text, "ponente enferma") {
		t.Errorf("cancellation: %q\n%s", got[0].Subject, got[0].Text)
	}
	method, ev := smtptest.ReadICS(t, got[0])
	if method != "CANCEL" || ev.GetProperty(ics.ComponentPropertyStatus).Value != "CANCELLED" {
		t.Errorf("cancellation: METHOD %s STATUS %s", method, ev.GetProperty(ics.ComponentPropertyStatus).Value)
	}

	// The usual case: the invitation went out, then the cancel. The
	// calendar that holds the event takes it off only if the CANCEL names
	// the same UID with a higher SEQUENCE.
	sess = e.schedule("Seminario")
	e.deliver()
	got = e.mailsTo("maria@example.org")
	if len(got) != 2 {
		t.Fatalf("%d emails, want the first cancellation and the new invitation", len(got))
	}
	_, inv := smtptest.ReadICS(t, got[1])
	if _, err := e.svc.Cancel(context.Background(), exchange.Actor{UserID: "U1"}, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	e.deliver()
	got = e.mailsTo("maria@example.org")
	if len(got) != 3 {
		t.Fatalf("%d emails, want one cancellation after the invitation", len(got))
	}
	method, ev = smtptest.ReadICS(t, got[2])
	if got[2].Subject != "Cancelado: Seminario" || method != "CANCEL" || ev.Id() != inv.Id() || seq(t, ev) <= seq(t, inv) {
		t.Errorf("cancellation after the invitation: %q METHOD %s UID %s SEQUENCE %d, want CANCEL of %s above %d",
			got[2].Subject, method, ev.Id(), seq(t, ev), inv.Id(), seq(t, inv))
	}
}

// The server refusing (451) for a while: every email arrives in the end,
// each exactly once.
func TestRefusingServerLosesNothingAndSendsNothingTwice(t *testing.T) {
	e := newEnv(t)
	e.smtp.Refuse(7)
	for i := range 3 {
		e.schedule("Sesión " + strconv.Itoa(i))
	}
	for round := 0; round < 20 && len(e.smtp.Messages()) < 3; round++ {
		e.deliver()
		e.clock.Add(outbox.MaxBackoff)
	}
	e.deliver()
	msgs := e.smtp.Messages()
	if n := e.smtp.Refused(); n != 7 {
		t.Errorf("the server refused %d times, want 7", n)
	}
	ids := map[string]int{}
	for _, m := range msgs {
		ids[smtptest.Parse(t, m.Raw).Header.Get("Message-Id")]++
	}
	if len(msgs) != 3 || len(ids) != 3 {
		t.Fatalf("%d messages with %d Message-IDs, want 3 distinct: %v", len(msgs), len(ids), ids)
	}
	rows, err := e.st.Deliveries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		if d.Kind == exchange.KindMailInvite && (d.State != store.StateSent || d.TS == "") {
			t.Errorf("invite row %d: %s %q (%s)", d.ID, d.State, d.TS, d.LastError)
		}
	}
}

func TestWrongPasswordIsRetriedNotLost(t *testing.T) {
	e := newEnv(t)
	snd, err := mail.New(mail.Config{Host: "127.0.0.1", Port: e.smtp.Port(), Username: smtptest.User, Password: "wrong",
		From: "bot@example.org", TLSConfig: e.smtp.ClientTLS, BaseURL: baseURL}, e.st, e.svc, nil, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.engine = outbox.New(outbox.Options{Store: e.st, Sender: outbox.Route{Default: slackStub{}, ByKind: snd.Senders()}, Now: e.clock.Now})
	e.schedule("Taller")
	e.deliver()
	rows, _ := e.st.Deliveries(context.Background(), 0)
	for _, d := range rows {
		if d.Kind == exchange.KindMailInvite && (d.State != store.StatePending || !strings.Contains(d.LastError, "535")) {
			t.Errorf("invite after a refused login: %s %q, want pending with the 535", d.State, d.LastError)
		}
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d messages went through with a wrong password", n)
	}
}
