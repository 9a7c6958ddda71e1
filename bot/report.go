package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

var _ = commands.add("report", (*Bot).cmdReport)

// cmdReport is `report [<from> [<to>]]`: the M&E figures for sessions
// held in the period, read in the caller's time zone.
func (b *Bot) cmdReport(ctx context.Context, req Request, c Command) (Reply, error) {
	if err := b.svc.RequireStaff(ctx, req.UserID, exchange.OpReport); err != nil {
		return Reply{}, err
	}
	loc := b.userLocation(ctx, req.UserID)
	from, to, err := ReportRange(c.From, c.To, b.now(), loc)
	if err != nil {
		return Reply{}, err
	}
	r, err := b.svc.Report(ctx, req.actor(), from, to)
	if err != nil {
		return Reply{}, err
	}
	lang := b.readerLang(ctx, req.UserID)
	figures := figureLines(i18n.For(lang), r)
	return Reply{Text: reportText(r, loc) + seriesReportLine(lang, r) + "\n" + strings.Join(figures, "\n")}, nil
}

func reportText(r store.Report, loc *time.Location) string {
	// To is exclusive: the last day shown is the one before it.
	period := fmt.Sprintf("%s – %s", r.From.In(loc).Format("2 Jan 2006"), r.To.In(loc).Add(-time.Second).Format("2 Jan 2006"))
	head := fmt.Sprintf("*M&amp;E report, %s* (%s)", period, loc) // & is a control character in mrkdwn
	if r.Held == 0 {
		return head + "\nNo sessions were held in this period."
	}
	lines := []string{
		head,
		fmt.Sprintf("• Sessions held: %d (%s)", r.Held, counts(r.ByKind)),
		fmt.Sprintf("• By partner: %s", orNone(counts(r.ByPartner))),
		fmt.Sprintf("• Participants: %d %s, %d %s", r.Participants, plural(r.Participants, "person", "people"), r.RSVPs, plural(r.RSVPs, "RSVP", "RSVPs")),
		fmt.Sprintf("• Speakers: %d", r.Speakers),
		fmt.Sprintf("• Lessons captured: %d of %d sessions (%.0f%%)", r.Captured, r.Held, 100*r.CaptureRate()),
	}
	if r.Captured > 0 {
		lines = append(lines, fmt.Sprintf("• Median time from session end to first lesson: %.1f h", r.MedianToFirstLesson.Hours()))
	}
	lines = append(lines, fmt.Sprintf("• Prompts still open: %d (asked, no answer yet, not declined)", r.OpenPrompts))
	return strings.Join(lines, "\n")
}

func counts(cs []store.Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s %d", escapeText(c.Label), c.N)
	}
	return strings.Join(parts, ", ")
}
