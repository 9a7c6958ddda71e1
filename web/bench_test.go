package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// benchWeb is a library of 500 sessions with 10 answers each.
func benchWeb(b *testing.B) (*testWeb, http.Handler) {
	tw := newTestWeb(b, func(o *Options) { o.PublicLessons = true })
	ctx := context.Background()
	words := []string{"evaluación", "transferencias", "equipos espejo", "pagos", "ministerio", "monitoreo", "jóvenes", "empleo"}
	err := tw.st.Update(ctx, func(tx store.Tx) error {
		for i := range 500 {
			sess := &store.Session{Title: fmt.Sprintf("Sesión %d", i), Kind: "exchange", Start: t0.Add(-time.Duration(i) * 24 * time.Hour),
				Duration: time.Hour, TZ: "UTC", Creator: "U1", Created: t0, Updated: t0, Partners: []string{"FISDL", "MIDIS"}[i%2 : i%2+1]}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			for j := range 10 {
				a := fmt.Sprintf("En la sesión %d aprendimos sobre %s y %s: los %s necesitan %s antes de escalar.",
					i, words[(i+j)%8], words[(i*3+j)%8], words[j%8], words[(i+2*j)%8])
				if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: fmt.Sprintf("U%d", j), QuestionIdx: j % 4,
					Question: "¿Qué funcionó bien?", Answer: a}, t0); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	tw.web.Register(mux)
	return tw, mux
}

const benchQuery = "evaluacion espejo"

// wantResults fails the benchmark unless req answers the lessons page with
// a full page of marked results: a sign-in or error page is also a 200,
// and far cheaper, so it would flatter the figure.
func wantResults(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	body := w.Body.String()
	if n := strings.Count(body, `<li class="card">`); n != libraryLimit || !strings.Contains(body, "<mark>") {
		b.Fatalf("the page shows %d results (want %d, marked), not the search:\n%.2000s", n, libraryLimit, body)
	}
}

// BenchmarkLibrarySearch is the search the lessons page runs, alone.
func BenchmarkLibrarySearch(b *testing.B) {
	tw, _ := benchWeb(b)
	q := store.LessonQuery{Words: benchQuery, Limit: libraryLimit}
	b.ReportAllocs()
	for b.Loop() {
		res, err := tw.svc.Library(context.Background(), q)
		if err != nil || len(res) != libraryLimit {
			b.Fatalf("%d results, %v", len(res), err)
		}
	}
}

// BenchmarkLessonsPage is the whole page with the same search: the
// request read, the search, the template, the response.
func BenchmarkLessonsPage(b *testing.B) {
	_, h := benchWeb(b)
	req := httptest.NewRequest("GET", "/lessons?q=evaluacion+espejo", nil)
	req.Header.Set("Accept-Language", "es")
	b.ReportAllocs()
	var size int
	wantResults(b, h, req)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}

// BenchmarkLessonsPageVsSearch runs the search alone and the whole page
// in turn, in every iteration, so that a busy machine slows both alike,
// and reports their times and ratio (the target: page/search under 1.5).
func BenchmarkLessonsPageVsSearch(b *testing.B) {
	tw, h := benchWeb(b)
	q := store.LessonQuery{Words: benchQuery, Limit: libraryLimit}
	req := httptest.NewRequest("GET", "/lessons?q=evaluacion+espejo", nil)
	var search, page time.Duration
	wantResults(b, h, req)
	for b.Loop() {
		start := time.Now()
		if _, err := tw.svc.Library(context.Background(), q); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		search, page = search+mid.Sub(start), page+time.Since(mid)
	}
	b.ReportMetric(float64(search.Nanoseconds())/float64(b.N), "search-ns/op")
	b.ReportMetric(float64(page.Nanoseconds())/float64(b.N), "page-ns/op")
	b.ReportMetric(float64(page)/float64(search), "page/search")
}
