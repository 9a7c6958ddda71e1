package outbox

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exchangebot/exchangebot/store"
)

// Metrics are the engine's Prometheus series.
type Metrics struct {
	// Deliveries counts outcomes by kind: sent, skipped, failed, retry,
	// rate_limited, recovered.
	Deliveries *prometheus.CounterVec
	// StoreQueries counts every call the engine makes to the store, so an
	// idle engine can be seen to cost one query per look.
	StoreQueries prometheus.Counter
}

// NewMetrics registers the engine's series in reg (none when nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exchangebot_deliveries_total", Help: "Outbox messages, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		StoreQueries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "exchangebot_outbox_store_queries_total", Help: "Store calls made by the delivery engine.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Deliveries, m.StoreQueries)
	}
	return m
}

// countingStore counts the engine's store calls.
type countingStore struct {
	st Store
	n  prometheus.Counter
}

func (c countingStore) Agenda(ctx context.Context, now time.Time, limit int) (store.Agenda, error) {
	c.n.Inc()
	return c.st.Agenda(ctx, now, limit)
}

func (c countingStore) ClaimDelivery(ctx context.Context, id int64, now time.Time) (store.Delivery, error) {
	c.n.Inc()
	return c.st.ClaimDelivery(ctx, id, now)
}

func (c countingStore) MarkPosted(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	c.n.Inc()
	return c.st.MarkPosted(ctx, d, channel, ts, now)
}

func (c countingStore) MarkAnnounced(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	c.n.Inc()
	return c.st.MarkAnnounced(ctx, d, channel, ts, now)
}

func (c countingStore) MarkRetry(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	c.n.Inc()
	return c.st.MarkRetry(ctx, d, next, reason, now)
}

func (c countingStore) MarkUncertain(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	c.n.Inc()
	return c.st.MarkUncertain(ctx, d, next, reason, now)
}

func (c countingStore) MarkDone(ctx context.Context, d store.Delivery, state, reason string, now time.Time) error {
	c.n.Inc()
	return c.st.MarkDone(ctx, d, state, reason, now)
}

func (c countingStore) MarkFailed(ctx context.Context, d store.Delivery, reason string, now time.Time, notices ...store.Delivery) error {
	c.n.Inc()
	return c.st.MarkFailed(ctx, d, reason, now, notices...)
}
