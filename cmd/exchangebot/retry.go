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
func cmdRetry(lang i18n.Lang, args []string, stdout, stderr io.Writer) error {
	l := i18n.For(lang)
	fs, configPath := flags(lang, "retry")
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, l.T("cli.retry.usage", nil)) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var id int64
	switch fs.NArg() {
	case 0:
	case 1:
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return userError("cli.retry.not_id", map[string]any{"Input": fs.Arg(0)})
		}
		id = n
	default:
		return userError("cli.retry.usage", nil)
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
				return userError("cli.retry.not_found", map[string]any{"ID": id})
			}
			if err != nil {
				return err
			}
			return userError("cli.retry.not_failed", map[string]any{"ID": id, "State": d.State})
		}
		fmt.Fprintln(stdout, l.T("cli.retry.none", nil))
		return nil
	}
	for _, d := range rows {
		fmt.Fprintln(stdout, l.T("cli.retry.requeued", map[string]any{"ID": d.ID, "Kind": d.Kind, "Recipient": d.Recipient, "Error": d.LastError}))
	}
	if a.bot.Offline() {
		fmt.Fprintln(stdout, l.T("cli.retry.offline", nil))
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
			fmt.Fprintln(stdout, l.T("cli.retry.sent", map[string]any{"ID": d.ID}))
		case store.StateFailed:
			failing++
			fmt.Fprintln(stdout, l.T("cli.retry.failed_again", map[string]any{"ID": d.ID, "Error": d.LastError}))
		default:
			fmt.Fprintln(stdout, l.T("cli.retry.pending", map[string]any{"ID": d.ID, "State": d.State, "Error": d.LastError}))
		}
	}
	if failing > 0 {
		return userError("cli.retry.still_failing", map[string]any{"Count": failing, "Total": i18n.Number(len(rows))})
	}
	return nil
}
