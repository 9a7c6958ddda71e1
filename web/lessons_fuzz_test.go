package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// FuzzLessonsFilters sends any query string to the lessons page over a
// real library: never a 500 or a panic; a period that starts after it
// ends is a 400 that says so; otherwise the page, where a filter it cannot
// read (a kind it does not know, a date that is no day) is left out, as
// if it had not been given.
func FuzzLessonsFilters(f *testing.F) {
	tw := newTestWeb(f, func(o *Options) { o.PublicLessons = true })
	ctx := context.Background()
	err := tw.st.Update(ctx, func(tx store.Tx) error {
		for i, kind := range exchange.Kinds {
			sess := &store.Session{Title: fmt.Sprintf("Sesión %d", i), Kind: kind, Start: t0.Add(-time.Duration(i*10) * 24 * time.Hour),
				Duration: time.Hour, TZ: "UTC", Creator: "U1", Created: t0, Updated: t0, Partners: []string{"FISDL", "MIDIS"}[i%2 : i%2+1]}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: "U2", Question: "¿Qué funcionó bien?",
				Answer: fmt.Sprintf("Los equipos espejo de %s funcionaron en la sesión %d.", kind, i)}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	tw.web.Register(mux)
	loc := tw.svc.Policy().Location
	periodMsg := i18n.T(i18n.English, "web.error.period", nil)

	get := func(t *testing.T, rawQuery string) (int, string) {
		r := httptest.NewRequest("GET", "/lessons", nil)
		r.URL.RawQuery = rawQuery
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	// results is the part of the page the filters decide.
	results := func(body string) string {
		i := strings.Index(body, `<h2 class="results-head">`)
		if i < 0 {
			return ""
		}
		return body[i:]
	}

	f.Fuzz(func(t *testing.T, rawQuery string) {
		status, body := get(t, rawQuery)
		q, _ := url.ParseQuery(rawQuery) // what parses is what the page reads
		from, fromOK := parseDay(q.Get("from"), loc)
		to, toOK := parseDay(q.Get("to"), loc)
		if fromOK && toOK && from.After(to) {
			if status != http.StatusBadRequest || !strings.Contains(body, periodMsg) {
				t.Fatalf("?%s: from %s after to %s gives %d without saying why:\n%s", rawQuery, q.Get("from"), q.Get("to"), status, body)
			}
			return
		}
		if status != http.StatusOK {
			t.Fatalf("?%s: %d:\n%s", rawQuery, status, body)
		}
		if results(body) == "" {
			t.Fatalf("?%s: a page without its results:\n%s", rawQuery, body)
		}
		// The same search with only the filters the page can read.
		clean := url.Values{}
		for _, k := range []string{"q", "partner"} {
			if v := strings.TrimSpace(q.Get(k)); v != "" {
				clean.Set(k, v)
			}
		}
		if exchange.IsKind(q.Get("kind")) {
			clean.Set("kind", q.Get("kind"))
		}
		if fromOK {
			clean.Set("from", q.Get("from"))
		}
		if toOK {
			clean.Set("to", q.Get("to"))
		}
		if _, cleanBody := get(t, clean.Encode()); results(cleanBody) != results(body) {
			t.Errorf("?%s lists otherwise than ?%s:\n%s\n---\n%s", rawQuery, clean.Encode(), results(body), results(cleanBody))
		}
	})
}
