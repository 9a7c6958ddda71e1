// Command baseline is the load test's floor: a handler that only reads the
// body, verifies Slack's signature with slack-go and answers fixed JSON.
// It lives in testdata so `go build ./...` leaves it out.
package main

import (
	"io"
	"net/http"
	"os"

	"github.com/slack-go/slack"
)

func main() {
	secret, addr := os.Args[1], os.Args[2]
	http.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`+"\n")
	})
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	if err := http.ListenAndServe(addr, nil); err != nil {
		os.Exit(1)
	}
}
