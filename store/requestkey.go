package store

import (
	"context"
	"sync/atomic"
)

type requestKeyCtx struct{}

// KeptKeyPrefix starts a request key that records, for good, that
// something was done once (a message added to the lessons), rather than
// guarding against a redelivery for a day: PruneProcessed keeps it.
const KeptKeyPrefix = "kept:"

// RequestKey identifies the request (a slash command, a Slack event) an
// Update runs for; see WithRequestKey.
type RequestKey struct {
	Key       string
	committed atomic.Bool
}

// WithRequestKey makes the first Update under ctx record key as processed
// in its own transaction, and fail with ErrDuplicate when the key was
// already there: a redelivered request then changes nothing, atomically.
func WithRequestKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, requestKeyCtx{}, &RequestKey{Key: key})
}

// PendingRequestKey is for backends: it returns the key an Update under
// ctx must record in its transaction, or nil when ctx carries none or an
// earlier Update under it already committed it.
func PendingRequestKey(ctx context.Context) *RequestKey {
	if k, ok := ctx.Value(requestKeyCtx{}).(*RequestKey); ok && !k.committed.Load() {
		return k
	}
	return nil
}

// Committed is for backends: called once the transaction that recorded k
// has committed, so later Updates under the same request do not record it
// again (and fail as duplicates).
func (k *RequestKey) Committed() { k.committed.Store(true) }
