package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

// digestWindow is how far ahead the weekly digest looks.
const digestWindow = 7 * 24 * time.Hour

// digestLate is how long a digest may wait (Slack down) and still be
// worth posting; after that next week's is closer than this one.
const digestLate = 24 * time.Hour

// registerDigest wires the weekly digest job and the `report` command.
func (b *Bot) registerDigest() {
	b.senders[kindDigest] = b.sendDigest
	b.extraCommands["report"] = b.cmdReport
	if b.cfg.DigestChannel != "" && b.cfg.DigestCron != "" {
		b.cronJobs[b.cfg.DigestCron] = cronJob{name: "digest", fn: b.enqueueDigest}
	}
}

// enqueueDigest owes digest.channel this week's digest. The key is the
// local date, so a cron firing twice (two replicas, a restart on the
// minute) still posts one.
func (b *Bot) enqueueDigest(ctx context.Context) error {
	now := b.now()
	err := b.store.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{
			Kind: kindDigest, Recipient: b.cfg.DigestChannel, Due: now, Deadline: now.Add(digestLate),
			Dedupe: "digest:" + now.In(b.cfg.Location).Format("2006-01-02"),
		}, now)
	})
	if err != nil {
		return err
	}
	b.kick()
	return nil
}

// sendDigest lists the confirmed sessions in the week from when the
// digest was due, however late it goes out.
func (b *Bot) sendDigest(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	sessions, err := b.store.Sessions(ctx, store.Filter{From: d.Due, To: d.Due.Add(digestWindow), Status: store.StatusConfirmed})
	if err != nil {
		return "", "", err
	}
	cmd := b.cfg.Command
	var text string
	if len(sessions) == 0 {
		text = fmt.Sprintf("*The coming week*: no sessions scheduled. `%s new` schedules one.", cmd)
	} else {
		lines := []string{fmt.Sprintf("*The coming week*: %d %s", len(sessions), plural(len(sessions), "session", "sessions"))}
		for _, s := range sessions {
			lines = append(lines, "• "+listLine(s))
		}
		lines = append(lines, fmt.Sprintf("`%s join <id>` to take part, `%s show <id>` for details, `%s feed` for your calendar.", cmd, cmd, cmd))
		text = strings.Join(lines, "\n")
	}
	return b.postTop(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}
