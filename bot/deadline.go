package bot

import (
	"context"
	"time"
)

// Slack waits 3 s for the answer to a command, a button press or an
// event, then shows the person an error (and redelivers events). Every
// Slack call made before the answer therefore runs under a deadline that
// leaves room to store the change and answer: a lookup that does not come
// back in time is given up, and the request goes on without it.
const (
	// answerBudget is how long after a request arrives its Slack calls
	// may run; storing and answering fit in what is left of the 3 s.
	answerBudget = 2 * time.Second
	// lookupTimeout bounds one lookup (users.info, a user group's
	// members), so that two in a row still leave time for the answer.
	lookupTimeout = 1200 * time.Millisecond
)

type answerByKey struct{}

// answering marks ctx as serving a request whose answer Slack waits for
// from now: Slack calls under it end by now+answerBudget. The context's
// own deadline is left alone, so storing the change is never cut short.
func answering(ctx context.Context) context.Context {
	return context.WithValue(ctx, answerByKey{}, time.Now().Add(answerBudget))
}

// answerBound ends ctx at the answer time of the request it serves, if
// it serves one: every Slack call made before an answer ends in time,
// whichever handler makes it (the Slack client's own timeout is 30 s).
// Calls made after the answer (Bot.after) and by the delivery engine are
// not bounded by it.
func answerBound(ctx context.Context) (context.Context, context.CancelFunc) {
	if by, ok := ctx.Value(answerByKey{}).(time.Time); ok {
		return context.WithDeadline(ctx, by)
	}
	return ctx, func() {}
}
