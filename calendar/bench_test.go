package calendar

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

const benchSessions = 5000

// benchSession is a realistic session: accents, escapes, folding lines.
func benchSession(i int) *store.Session {
	return &store.Session{
		ID:              int64(i + 1),
		Title:           fmt.Sprintf("Intercambio nº %d: diseño de APIs, ¿REST o gRPC?", i),
		Kind:            []string{"webinar", "exchange", "workshop"}[i%3],
		Start:           t0.Add(time.Duration(i-300) * 6 * time.Hour),
		Duration:        time.Hour,
		TZ:              "Europe/Madrid",
		Description:     "Traed preguntas; hablaremos de versiones, compatibilidad y errores.\nHabrá tiempo para casos reales 🙌",
		Link:            "https://meet.example.org/abc-defg-hij",
		Creator:         "U0",
		Status:          store.StatusConfirmed,
		Sequence:        i % 4,
		Created:         t0.Add(-30 * 24 * time.Hour),
		Updated:         t0.Add(-time.Duration(i) * time.Minute),
		AnnounceChannel: "C0123456",
		AnnounceTS:      fmt.Sprintf("17400%05d.000100", i),
		Partners:        []string{"Peña Tecnológica"},
		Speakers:        []store.Speaker{{UserID: "U1", Name: "María José"}, {Name: "Zoë", Email: "zoe@example.org"}},
	}
}

// BenchmarkRender is what one change costs all.ics: building and encoding
// 5,000 and 10,000 sessions, without the store read. "stream" is what the
// handler does (one event's tree at a time); "tree" builds the whole
// calendar first, as renders did before, for comparison.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{benchSessions, stampedeSessions} {
		sessions := make([]*store.Session, n)
		for i := range sessions {
			sessions[i] = benchSession(i)
		}
		feed := Feed{Name: "Exchanges", BaseURL: testBase}
		b.Run(fmt.Sprintf("stream/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				body, err := encode(feed, sessions)
				if err != nil {
					b.Fatal(err)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "feed-bytes")
		})
		b.Run(fmt.Sprintf("tree/%d", n), func(b *testing.B) {
			// What the whole tree holds at once, which streaming never does.
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			cal := feed.Calendar(sessions)
			runtime.GC()
			runtime.ReadMemStats(&m1)
			runtime.KeepAlive(cal)
			b.ReportAllocs()
			for b.Loop() {
				var buf bytes.Buffer
				buf.Grow(1024 + 768*n)
				if err := Encode(&buf, feed.Calendar(sessions)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "tree-MB")
		})
	}
}

// benchServer is a store of 5,000 sessions behind the handler, its
// all.ics already rendered, and the same bytes served by
// http.ServeContent as the yardstick.
type benchServer struct {
	st              store.Store
	handler, static http.Handler
	body            []byte
	etag            string
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	err = st.Update(ctx, func(tx store.Tx) error {
		for i := range benchSessions {
			s := benchSession(i)
			s.ID = 0
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h := NewHandler(st, Options{BaseURL: testBase, Public: true, Name: "Exchanges", Now: func() time.Time { return t0 }})
	mux := http.NewServeMux()
	h.Register(mux)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/calendar/all.ics", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("warm-up GET: %d", rec.Code)
	}
	bs := &benchServer{st: st, handler: mux, body: rec.Body.Bytes(), etag: rec.Header().Get("ETag")}
	if n := bytes.Count(bs.body, []byte("BEGIN:VEVENT")); n != benchSessions {
		b.Fatalf("feed holds %d events, want %d", n, benchSessions)
	}
	modtime, _ := http.ParseTime(rec.Header().Get("Last-Modified"))
	static := http.NewServeMux()
	static.HandleFunc("GET /calendar/all.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", bs.etag)
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		http.ServeContent(w, r, "all.ics", modtime, bytes.NewReader(bs.body))
	})
	bs.static = static
	return bs
}

// discard is a ResponseWriter that keeps nothing, so in-process runs
// measure the handlers and not a recorder's buffer.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header                 { return d.h }
func (d *discard) WriteHeader(status int)              { d.status = status }
func (d *discard) Write(p []byte) (int, error)         { return len(p), nil }
func (d *discard) reset()                              { clear(d.h); d.status = 0 }
func (d *discard) ReadFrom(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// BenchmarkServe compares the handler with http.ServeContent of the same
// bytes, for a full GET of an unchanged 5,000-session feed and for a 304.
// "inproc" calls the handlers directly; "http" goes over loopback TCP with
// a real client, as calendar apps do.
func BenchmarkServe(b *testing.B) {
	bs := newBenchServer(b)
	cases := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"GET", nil, http.StatusOK},
		{"304", map[string]string{"If-None-Match": bs.etag}, http.StatusNotModified},
	}
	servers := []struct {
		name string
		h    http.Handler
	}{{"handler", bs.handler}, {"ServeContent", bs.static}}

	for _, c := range cases {
		for _, s := range servers {
			b.Run("inproc/"+c.name+"/"+s.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/calendar/all.ics", nil)
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				w := &discard{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					s.h.ServeHTTP(w, req)
				}
				if w.status != c.status {
					b.Fatalf("status %d, want %d", w.status, c.status)
				}
			})
		}
	}
	// The one store read every request makes, which ServeContent of
	// static bytes does not: it is most of what the handler's 304 costs.
	b.Run("inproc/304/FeedVersion-alone", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := bs.st.FeedVersion(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range cases {
		for _, s := range servers {
			b.Run("http/"+c.name+"/"+s.name, func(b *testing.B) {
				srv := httptest.NewServer(s.h)
				defer srv.Close()
				client := srv.Client()
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/calendar/all.ics", nil)
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				b.ReportAllocs()
				for b.Loop() {
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != c.status || (c.status == http.StatusOK && n != int64(len(bs.body))) {
						b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
					}
				}
			})
		}
	}
}
