package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A sign-in never sends anyone to another site, whatever next= says.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/lessons?q=x", "//evil.example", "/\\evil", "https://evil.example", "/%2F%2Fevil", "", " /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			return // the browser will not follow it either
		}
		if u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Errorf("localPath(%q) = %q leaves this server", next, got)
		}
	})
}

// The report's period, from what a person typed in the address bar:
// never an error, and from is before to.
func FuzzReportPeriod(f *testing.F) {
	for _, s := range [][2]string{{"2026-01-01", "2026-03-31"}, {"2026-01", "2026-02"}, {"", ""}, {"x", "2026-13-45"}, {"2026-05", "2026-01"}} {
		f.Add(s[0], s[1])
	}
	s := &Server{o: Options{Now: func() time.Time { return t0 }}}
	tw := newTestWeb(f)
	s.svc = tw.svc
	f.Fuzz(func(t *testing.T, from, to string) {
		r := httptest.NewRequest("GET", "/report?"+url.Values{"from": {from}, "to": {to}}.Encode(), nil)
		a, b, fromS, toS := s.period(r)
		if a.IsZero() || b.IsZero() || fromS == "" || toS == "" {
			t.Errorf("period(%q, %q) = %v %v %q %q", from, to, a, b, fromS, toS)
		}
	})
}
