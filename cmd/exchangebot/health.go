package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// healthTimeout bounds each check /healthz makes.
const healthTimeout = 2 * time.Second

// healthHandler answers /healthz: 200 when the database answers a read
// and takes a write, else 503. The body names each part and whether it
// passed, so a failing probe says where to look; the reasons go to the
// log, not to whoever asked.
func healthHandler(st store.Store, timeout time.Duration, log *slog.Logger) http.HandlerFunc {
	checks := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"database read", st.Ping},
		{"database write", st.CheckWrite},
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		status := http.StatusOK
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := c.fn(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				log.Error("health check failed", slog.String("part", c.name), slog.Any("error", err))
				fmt.Fprintf(&b, "%s: failed\n", c.name)
				continue
			}
			fmt.Fprintf(&b, "%s: ok\n", c.name)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		fmt.Fprint(w, b.String())
	}
}
