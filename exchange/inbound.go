package exchange

import (
	"context"

	"github.com/exchangebot/exchangebot/store"
)

// Accept keeps a request that a surface must acknowledge before it can
// carry it out (a Slack command over Socket Mode is acknowledged at once,
// while carrying it out may wait on slow lookups): payload, the surface's
// own record of the request, is stored as an outbox row of KindInbound
// owed to userID, and the surface's sender for that kind carries it out.
// Once Accept returns, the request survives a crash. The same key
// accepted twice is kept once.
func (s *Service) Accept(ctx context.Context, userID, key, payload string) error {
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) {
		return true, tx.Enqueue(ctx, store.Delivery{
			Kind: KindInbound, Recipient: userID, Payload: payload, Due: now, Dedupe: "inbound:" + key,
		}, now)
	})
}
