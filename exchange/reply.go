package exchange

import (
	"context"
	"errors"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A message to the bot that changes nothing (a greeting, a control word
// with nothing to act on, a refusal) is still owed an answer, and a
// redelivered message must not get a second one. The answer is therefore
// an outbox row committed with the message's request key, like every
// change: the surface acknowledges once OweReply returns, and a
// redelivery finds the key and says nothing.

// errNothingWaits ends a walk-through or evaluation transaction that
// found nothing to act on: it rolls back, so the request key is left for
// the reply the caller owes (OweReply).
var errNothingWaits = errors.New("exchange: nothing waits on this reply")

// replyLate is how long a reply may wait (Slack down) and still be
// worth sending: a day later it answers nothing the person remembers.
const replyLate = 24 * time.Hour

// OweReply owes userID one reply to the request key names (the request's
// key, also on ctx), payload being the surface's record of where and what
// to say. Under ctx's request key it fails with store.ErrDuplicate when
// the request was already handled; and one key owes one reply even once
// the request key itself has been pruned.
func (s *Service) OweReply(ctx context.Context, userID, key, payload string) error {
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) {
		return true, tx.Enqueue(ctx, store.Delivery{
			Kind: KindReply, Recipient: userID, Payload: payload, Due: now, Deadline: now.Add(replyLate), Dedupe: "reply:" + key,
		}, now)
	})
}
