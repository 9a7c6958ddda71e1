package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel carries "this commit owes messages" between replicas:
// every Update that enqueued sends pg_notify in its transaction, and each
// Store with an OnEnqueue function listens on a connection of its own, so
// a replica's delivery engine wakes when another replica makes something
// due sooner than it planned to look.
const notifyChannel = "exchangebot_outbox"

type notifier struct {
	config *pgx.ConnConfig
	fns    atomic.Pointer[[]func()]
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

func newInstanceID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// OnEnqueue registers fn, called after every commit through this Store
// that added outbox rows or put rows back in the queue, and, through
// LISTEN/NOTIFY, after such commits by other replicas. It is also called
// when the listening connection is re-established after a failure, in
// case a notification was missed while it was down. fn must return at once.
func (s *Store) OnEnqueue(fn func()) {
	n := &s.notify
	for {
		old := n.fns.Load()
		var fns []func()
		if old != nil {
			fns = append(fns, *old...)
		}
		fns = append(fns, fn)
		if n.fns.CompareAndSwap(old, &fns) {
			break
		}
	}
	n.once.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		n.cancel, n.done = cancel, make(chan struct{})
		go n.listen(ctx, s.instance)
	})
}

// enqueuedHere tells this process's functions about its own commit.
func (s *Store) enqueuedHere() { s.notify.call() }

func (n *notifier) call() {
	if fns := n.fns.Load(); fns != nil {
		for _, fn := range *fns {
			fn()
		}
	}
}

// listen keeps a LISTEN connection until ctx ends, reconnecting after
// failures with a growing pause (up to 5 s).
func (n *notifier) listen(ctx context.Context, self string) {
	defer close(n.done)
	pause := 100 * time.Millisecond
	for first := true; ctx.Err() == nil; first = false {
		if n.listenOnce(ctx, self, !first) {
			pause = 100 * time.Millisecond // it worked for a while
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// listenOnce connects, listens and relays notifications until the
// connection fails; it reports whether listening ever began. After a
// failure (again) it tells the functions once, for what it may have missed.
func (n *notifier) listenOnce(ctx context.Context, self string, again bool) bool {
	conn, err := pgx.ConnectConfig(ctx, n.config)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false
	}
	if again {
		n.call()
	}
	for {
		msg, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		if msg.Payload != self {
			n.call()
		}
	}
}

func (n *notifier) stop() {
	if n.cancel != nil {
		n.cancel()
		<-n.done
	}
}
