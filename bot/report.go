package bot

import (
	"context"
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
	loc := req.Zone
	from, to, err := ReportRange(c.From, c.To, b.now(), loc)
	if err != nil {
		return Reply{}, err
	}
	r, err := b.svc.Report(ctx, req.actor(), from, to)
	if err != nil {
		return Reply{}, err
	}
	figures := figureLines(i18n.For(req.Lang), r)
	return Reply{Text: reportText(req.Lang, r, loc) + seriesReportLine(req.Lang, r) + "\n" + strings.Join(figures, "\n")}, nil
}

// reportText words the figures for a reader of lang. The catalogs write
// & as &amp;, a control character in mrkdwn.
func reportText(lang i18n.Lang, r store.Report, loc *time.Location) string {
	// To is exclusive: the last day shown is the one before it.
	head := tr(lang, "mne.head", "From", i18n.Day(r.From.In(loc)), "To", i18n.Day(r.To.In(loc).Add(-time.Second)), "Zone", loc.String())
	if r.Held == 0 {
		return head + "\n" + tr(lang, "mne.none")
	}
	lines := []string{
		head,
		tr(lang, "mne.held", "Count", r.Held, "Kinds", counts(lang, r.ByKind, true)),
		tr(lang, "mne.by_partner", "Partners", orNone(lang, counts(lang, r.ByPartner, false))),
		tr(lang, "mne.participants", "People", tr(lang, "mne.people", "Count", r.Participants), "RSVPs", tr(lang, "mne.rsvps", "Count", r.RSVPs)),
		tr(lang, "mne.speakers", "Count", r.Speakers),
		tr(lang, "mne.captured", "Captured", i18n.Int(lang, r.Captured), "Count", r.Held, "Percent", i18n.Percent(lang, r.CaptureRate())),
	}
	if r.Captured > 0 {
		lines = append(lines, tr(lang, "mne.median", "Hours", i18n.Decimal(lang, r.MedianToFirstLesson.Hours(), 1)))
	}
	lines = append(lines, tr(lang, "mne.open_prompts", "Count", r.OpenPrompts))
	return strings.Join(lines, "\n")
}

// counts lists labels and their figures; kinds are worded in lang.
func counts(lang i18n.Lang, cs []store.Count, kinds bool) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		label := escapeText(c.Label)
		if kinds {
			label = kindName(lang, c.Label)
		}
		parts[i] = label + " " + i18n.Int(lang, c.N)
	}
	return strings.Join(parts, ", ")
}
