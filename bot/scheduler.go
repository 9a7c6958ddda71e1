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

// Run starts the scheduler and blocks until ctx ends; then it waits for
// the running job to finish. Cron only fires polling jobs: what is due is
// decided by the outbox, never by one cron entry per session.
func (b *Bot) Run(ctx context.Context) error {
	c := cron.New(cron.WithLocation(b.cfg.Location))
	if _, err := c.AddFunc(b.cfg.Tick, b.kick); err != nil {
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
	b.kick()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.kickc:
			b.runJob(ctx, "deliver", b.deliverDue)
		}
	}
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

// DeliverNow runs the delivery job once, for the `run` subcommand and
// tests, with the timeout of a scheduled run; a panic comes back as an
// error rather than taking the caller down.
func (b *Bot) DeliverNow(ctx context.Context) (err error) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bot: delivery panicked: %v", p)
		}
	}()
	return b.deliverDue(ctx)
}

// processedKeep is how long redelivery keys are kept.
const processedKeep = 24 * time.Hour

func (b *Bot) pruneProcessed(ctx context.Context) error {
	return b.store.PruneProcessed(ctx, b.now().Add(-processedKeep))
}
