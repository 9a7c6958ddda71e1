package exchange

import (
	"context"
	"errors"

	"github.com/exchangebot/exchangebot/store"
)

// Retry puts the failed delivery id back in the queue, due now, once its
// cause (a deleted channel, a missing invitation) is fixed: what the
// operator's `exchangebot retry <id>` does, for the session's creator or
// staff. It commits under ctx's request key, so a redelivered request
// fails with store.ErrDuplicate and requeues nothing twice. It returns
// the row requeued, with the error that had failed it; an *Error with
// CodeNotAllowed (op OpRetry) when by may not, CodeDeliveryNotFound, or
// CodeNotFailed when the delivery is no longer failed.
func (s *Service) Retry(ctx context.Context, by Actor, id int64) (store.Delivery, error) {
	d, err := s.st.Delivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Delivery{}, fail(CodeDeliveryNotFound, "delivery", id)
	}
	if err != nil {
		return store.Delivery{}, err
	}
	if ok, sess := s.mayRetry(ctx, by.UserID, d); !ok {
		args := []any{"op", OpRetry, "delivery", id}
		if sess != nil {
			args = append(args, "id", sess.ID, "creator", sess.Creator)
		}
		return store.Delivery{}, fail(CodeNotAllowed, args...)
	}
	rows, err := s.st.RetryFailed(ctx, id, s.now())
	if err != nil {
		return store.Delivery{}, err
	}
	if len(rows) == 0 {
		state := d.State
		if now, err := s.st.Delivery(ctx, id); err == nil {
			state = now.State
		}
		return store.Delivery{}, fail(CodeNotFailed, "delivery", id, "state", state)
	}
	s.changed()
	return rows[0], nil
}

// mayRetry: staff, or the creator of the delivery's session. It returns
// the session when it read it, for a refusal to name its creator.
func (s *Service) mayRetry(ctx context.Context, userID string, d store.Delivery) (bool, *store.Session) {
	if s.IsStaff(ctx, userID) {
		return true, nil
	}
	if d.SessionID == 0 {
		return false, nil
	}
	sess, err := s.st.Session(ctx, d.SessionID)
	if err != nil {
		return false, nil
	}
	return sess.Creator == userID, sess
}
