package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// registerDigest wires the weekly digest: the job that owes it on
// digest.cron and its sender.
func (b *Bot) registerDigest() {
	b.senders[kindDigest] = b.sendDigest
	if b.cfg.DigestChannel != "" && b.cfg.DigestCron != "" {
		b.cronJobs[b.cfg.DigestCron] = cronJob{name: "digest", fn: b.svc.OweDigest}
	}
}

// sendDigest lists the confirmed sessions in the week from when the
// digest was due, however late it goes out.
func (b *Bot) sendDigest(ctx context.Context, d store.Delivery, _ *store.Session) (string, string, error) {
	sessions, err := b.svc.Digest(ctx, d.Due)
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
			lines = append(lines, "• "+listLine(i18n.Match(b.cfg.Language), s))
		}
		lines = append(lines, fmt.Sprintf("`%s join <id>` to take part, `%s show <id>` for details, `%s feed` for your calendar.", cmd, cmd, cmd))
		text = strings.Join(lines, "\n")
	}
	return b.postTop(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}
