package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/exchangebot/exchangebot/outbox"
)

// Metrics are the Prometheus series the bot exports on /metrics.
type Metrics struct {
	reg        *prometheus.Registry
	Commands   *prometheus.CounterVec
	SlackCalls *prometheus.CounterVec
	Requests   *prometheus.HistogramVec
	// SlackErrors counts Slack's error answers (ok:false) by method and code.
	SlackErrors *prometheus.CounterVec
	// PlainFallbacks counts messages Slack refused for their blocks and
	// that went out again as text, by kind.
	PlainFallbacks *prometheus.CounterVec
	// Outbox are the delivery engine's series.
	Outbox *outbox.Metrics
}

// NewMetrics registers the bot's series in reg (a fresh registry when nil,
// so tests never share global state).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		reg: reg,
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exchangebot_commands_total", Help: "Slash commands handled, by command and outcome.",
		}, []string{"command", "outcome"}),
		SlackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exchangebot_slack_api_calls_total", Help: "Slack Web API calls, by method and outcome.",
		}, []string{"method", "outcome"}),
		Requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "exchangebot_http_request_duration_seconds", Help: "HTTP request latency, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		SlackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exchangebot_slack_api_errors_total", Help: "Slack Web API error answers, by method and Slack's error code.",
		}, []string{"method", "error"}),
		PlainFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exchangebot_plain_fallbacks_total", Help: "Messages Slack refused for their blocks, sent again as text, by kind.",
		}, []string{"kind"}),
		Outbox: outbox.NewMetrics(reg),
	}
	reg.MustRegister(m.Commands, m.SlackCalls, m.Requests, m.SlackErrors, m.PlainFallbacks,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Register adds series kept by other packages to the registry.
func (m *Metrics) Register(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Handler serves the registry in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Observe wraps h and records its latency under route.
func (m *Metrics) Observe(route string, h http.Handler) http.Handler {
	obs := m.Requests.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		obs.Observe(time.Since(start).Seconds())
	})
}

// SlackTransport counts every Slack Web API call by method (the last path
// element, e.g. chat.postMessage) and outcome: ok, error (a network error,
// or Slack's 200 with ok:false, also counted by code in SlackErrors),
// rate_limited, or the HTTP status.
func (m *Metrics) SlackTransport(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		resp, err := next.RoundTrip(r)
		outcome := "error"
		switch {
		case err != nil:
		case resp.StatusCode == http.StatusTooManyRequests:
			outcome = "rate_limited"
		case resp.StatusCode < 300:
			outcome = "ok"
			if code := slackRefusal(resp); code != "" {
				outcome = "error"
				m.SlackErrors.WithLabelValues(method, code).Inc()
			}
		default:
			outcome = strconv.Itoa(resp.StatusCode)
		}
		m.SlackCalls.WithLabelValues(method, outcome).Inc()
		return resp, err
	})
}

// slackRefusal reads Slack's error code from a JSON answer with ok:false,
// leaving the body readable for the client.
func slackRefusal(resp *http.Response) string {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return ""
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var answer struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.OK == nil || *answer.OK {
		return ""
	}
	if answer.Error == "" {
		return "unknown"
	}
	return answer.Error
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
