package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

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
	// A channel of people of every session: the configured language.
	lang := b.postLang(nil)
	var text string
	if len(sessions) == 0 {
		text = tr(lang, "post.digest.none", "Cmd", cmd)
	} else {
		lines := []string{tr(lang, "post.digest.head", "Count", len(sessions))}
		for _, s := range sessions {
			lines = append(lines, "• "+listLine(lang, s))
		}
		// The first session listed is the example of how to join or see one.
		lines = append(lines, tr(lang, "post.digest.how", "Cmd", cmd, "ID", sessions[0].ID))
		text = strings.Join(lines, "\n")
	}
	return b.postTop(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}
