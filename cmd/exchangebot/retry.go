package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// cmdRetry puts messages that failed for good back in the outbox, once
// their cause (a deleted channel, a missing invitation) is fixed, and,
// online, sends them at once, saying what became of each.
func cmdRetry(args []string, stdout, stderr io.Writer) error {
	fs, configPath := flags("retry")
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: exchangebot retry [-config FILE] [<delivery-id>]") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	var id int64
	switch fs.NArg() {
	case 0:
	case 1:
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a delivery id (a positive number, as in the notice the creator got)", fs.Arg(0))
		}
		id = n
	default:
		return errors.New("usage: exchangebot retry [<delivery-id>]")
	}
	ctx := context.Background()
	a, err := open(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer a.store.Close()
	rows, err := a.store.RetryFailed(ctx, id, time.Now())
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		if id != 0 {
			d, err := a.store.Delivery(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no delivery %d", id)
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("delivery %d is %s, not failed: nothing to retry", id, d.State)
		}
		fmt.Fprintln(stdout, "no failed messages")
		return nil
	}
	for _, d := range rows {
		fmt.Fprintf(stdout, "requeued %d (%s to %s), which had failed: %s\n", d.ID, d.Kind, d.Recipient, d.LastError)
	}
	if a.bot.Offline() {
		fmt.Fprintln(stdout, i18n.T(i18n.Lang(a.cfg.Language), "cli.retry.offline", nil))
		return nil
	}
	if err := a.bot.DeliverNow(ctx); err != nil {
		return err
	}
	failing := 0
	for _, r := range rows {
		d, err := a.store.Delivery(ctx, r.ID)
		if err != nil {
			return err
		}
		switch d.State {
		case store.StateSent:
			fmt.Fprintf(stdout, "sent %d\n", d.ID)
		case store.StateFailed:
			failing++
			fmt.Fprintf(stdout, "failed again %d: %s\n", d.ID, d.LastError)
		default:
			fmt.Fprintf(stdout, "%d is %s (%s); the server sends it when it can\n", d.ID, d.State, d.LastError)
		}
	}
	if failing > 0 {
		return fmt.Errorf("%d of %d still failing", failing, len(rows))
	}
	return nil
}
