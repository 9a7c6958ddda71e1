package main

// Leaving a session, searching the lessons, and the DM walk-through's
// controls typed in the other language than the person reads, all on one
// built binary: what each person is told, what the announcement shows,
// and what the database holds once the process has stopped.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// binLeaveUpdate waits for a chat.update of the announcement at ts, made
// after the first `after` updates, whose blocks hold want.
func binLeaveUpdate(t *testing.T, fake *slackfake.Server, after int, ts, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		calls := fake.Calls("chat.update")
		for _, c := range calls[min(after, len(calls)):] {
			if c.Error == "" && c.Form.Get("ts") == ts && strings.Contains(c.Blocks(), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no chat.update of %s showing %q after the first %d of %d", ts, want, after, len(calls))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// binLeaveSay sends a DM from user and returns the text of the bot's next
// post in that DM.
func binLeaveSay(t *testing.T, fake *slackfake.Server, addr, user, text string) string {
	t.Helper()
	before := len(binEsPosts(fake, "D"+user))
	binEsDM(t, addr, user, text)
	posts := binEsWaitPosts(t, fake, "D"+user, before+1, fmt.Sprintf("the bot's answer to %q from %s", text, user))
	return posts[before].Form.Get("text")
}

// Issue 7's join, leave and search, and issue 9's DM controls across
// languages, on one process.
func TestBinLeaveSearchAndCrossLanguageControls(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	fake.Locales[binEsUser] = "es-CL"
	fake.Locales[binEnUser] = "en-US"
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := writeLoadedConfig(t, dir, addr, fake.APIURL(), `language: "en"
reminders:
  to_speakers: false
  to_channel: false
lessons:
  prompt_after: "1s"
  close_after: "90s"
`)
	// A session ending seconds from now (to the second, which a slash
	// command cannot say) whose speakers are one person of each language.
	ctx := context.Background()
	st := openTestStore(t, cfg.Database)
	svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()})
	held, err := svc.Schedule(ctx, exchange.Actor{UserID: "UCOORD"}, exchange.Draft{
		Title: "Held now", Start: time.Now().Truncate(time.Second).Add(3 * time.Second), Duration: time.Second,
		TZ: "America/Santiago", Channel: "C2", Speakers: []store.Speaker{{UserID: binEsUser}, {UserID: binEnUser}},
	})
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	pr := &proc{t: t, addr: addr}
	defer func() {
		if t.Failed() {
			t.Logf("log:\n%s", log)
		}
	}()

	// Issue 7: two people join a session ahead (a press and a command),
	// one leaves.
	date := time.Now().AddDate(0, 0, 6).Format("2006-01-02")
	if code, body := pr.command("U1", `new "Leave ride" `+date+` 15:00 <#C1|general>`); code != 200 || !strings.Contains(body, "#2") {
		t.Fatalf("new: %d %s", code, body)
	}
	binEsWaitPosts(t, fake, "C1", 1, "announcement of #2")
	var annTS string
	for _, m := range fake.Messages() {
		if m.Channel == "C1" && m.ThreadTS == "" {
			annTS = m.TS
		}
	}
	nativePress(t, pr, "U4", "C1", annTS, "join", "2")
	if _, body := pr.command("U5", "join 2"); !strings.Contains(body, "You joined") {
		t.Fatalf("join 2: %s", body)
	}
	two := i18n.T(i18n.English, "native.announce.going", map[string]any{"Count": 2})
	binLeaveUpdate(t, fake, 0, annTS, two)
	updates := len(fake.Calls("chat.update"))
	code, body := pr.command("U4", "leave 2")
	if want := i18n.T(i18n.English, "reply.leave.left", map[string]any{"ID": int64(2), "Title": "Leave ride"}); code != 200 || !strings.Contains(body, want) {
		t.Errorf("leave 2: %d %s, want %q", code, body, want)
	}
	binLeaveUpdate(t, fake, updates, annTS, i18n.T(i18n.English, "native.announce.going", map[string]any{"Count": 1}))

	// Issue 9: each speaker uses the other language's controls and is
	// answered in their own.
	for _, s := range []struct {
		user                   string
		lang                   i18n.Lang
		answer, skip, stopWord string
	}{
		{binEnUser, i18n.English, "Book the quokka room a week early", "saltar", "listo"},
		{binEsUser, i18n.Spanish, "Reservar la sala del ornitorrinco temprano", "skip", "stop"},
	} {
		waitCall(t, fake, "chat.postMessage", "lesson prompt to "+s.user, func(c slackfake.Call) bool {
			return c.Form.Get("channel") == "D"+s.user && strings.Contains(c.Form.Get("text"), "#1")
		})
		if got, want := binLeaveSay(t, fake, addr, s.user, s.answer), i18n.T(s.lang, "walk.saved", nil); !strings.HasPrefix(got, want) {
			t.Errorf("%s answer: %q, want it to start %q", s.user, got, want)
		}
		if got, want := binLeaveSay(t, fake, addr, s.user, s.skip), i18n.T(s.lang, "walk.skipped", nil); !strings.HasPrefix(got, want) {
			t.Errorf("%s %q: %q, want it to start %q", s.user, s.skip, got, want)
		}
		stopped := i18n.T(s.lang, "walk.stopped", map[string]any{"Count": 1, "ID": int64(1)})
		if got := binLeaveSay(t, fake, addr, s.user, s.stopWord); !strings.HasPrefix(got, stopped) {
			t.Errorf("%s %q: %q, want it to start %q", s.user, s.stopWord, got, stopped)
		}
	}

	// Issue 7: the lesson is found by a word of it; a control word finds
	// nothing.
	_, body = pr.command("U3", "lessons quokka")
	if want := i18n.T(i18n.English, "reply.lessons.matching", map[string]any{"Words": "quokka"}); !strings.Contains(body, want) || !strings.Contains(body, "*quokka*") {
		t.Errorf("lessons quokka: %s, want %q and the snippet with *quokka*", body, want)
	}
	for _, word := range []string{"saltar", "skip"} {
		want := i18n.T(i18n.English, "reply.lessons.no_match", map[string]any{"Words": word, "Cmd": cfg.Slack.Command})
		if _, body := pr.command("U3", "lessons "+word); !strings.Contains(body, want) {
			t.Errorf("lessons %s: %s, want %q", word, body, want)
		}
	}
	p.stop(t)

	s, err := st.Session(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(s.Participants, "U4") || !slices.Contains(s.Participants, "U5") {
		t.Errorf("participants of #2 after U4 left: %v, want U5 only", s.Participants)
	}
	lessons, err := st.Lessons(ctx, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lessons {
		got[fmt.Sprintf("%s/%d", l.UserID, l.QuestionIdx)] = l.Answer
	}
	want := map[string]string{
		binEnUser + "/0": "Book the quokka room a week early",
		binEsUser + "/0": "Reservar la sala del ornitorrinco temprano",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored answers %v, want %v (saltar, listo, skip and stop are controls)", got, want)
	}
}
