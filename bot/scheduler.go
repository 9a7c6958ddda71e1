package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"
)

// jobTimeout bounds one run of a job, so a hung Slack call cannot stall
// every later run.
const jobTimeout = 2 * time.Minute

// Run starts the delivery engine and the scheduler and blocks until ctx
// ends; then it waits for the work in flight. The engine sleeps until the
// earliest due row and is woken by every change; the tick only kicks it,
// as a safety net (a row written by another process). Cron only fires
// polling jobs: what is due is decided by the outbox, never by one cron
// entry per session.
func (b *Bot) Run(ctx context.Context) error {
	c := cron.New(cron.WithLocation(b.cfg.Location))
	if _, err := c.AddFunc(b.cfg.Tick, b.engine.Kick); err != nil {
		return fmt.Errorf("bot: scheduler.tick: %w", err)
	}
	// Redelivery keys only matter for minutes (Slack retries within that);
	// a day is generous, and keeps the table from growing without end.
	if _, err := c.AddFunc("@hourly", func() { b.runJob(ctx, "prune", b.pruneProcessed) }); err != nil {
		return err
	}
	for spec, job := range b.cronJobs {
		if _, err := c.AddFunc(spec, func() { b.runJob(ctx, job.name, job.fn) }); err != nil {
			return fmt.Errorf("bot: %s: %w", job.name, err)
		}
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
	return b.engine.Run(ctx)
}

// cronJob is a job on its own cron spec (the weekly digest).
type cronJob struct {
	name string
	fn   func(context.Context) error
}

// runJob runs one job body with a timeout, logging its error and
// surviving its panic, so the loop always carries on.
func (b *Bot) runJob(ctx context.Context, name string, fn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("job panicked", slog.String("job", name), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		}
	}()
	if err := fn(ctx); err != nil {
		b.log.Error("job failed", slog.String("job", name), slog.Any("error", err))
	}
}

// DeliverNow delivers what is due once, for the `run` and `retry`
// subcommands and tests, with a run's timeout; a panic comes back as an
// error rather than taking the caller down.
func (b *Bot) DeliverNow(ctx context.Context) error { return b.engine.DeliverNow(ctx) }

// processedKeep is how long redelivery keys are kept.
const processedKeep = 24 * time.Hour

func (b *Bot) pruneProcessed(ctx context.Context) error {
	return b.store.PruneProcessed(ctx, b.now().Add(-processedKeep))
}
