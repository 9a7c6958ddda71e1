package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Action ids of the announcement's controls.
const (
	actionLeave  = "leave"
	actionManage = "manage" // the overflow menu: Edit, Move, Cancel
)

// The overflow menu's choices, as option values "<choice>:<id>".
const (
	manageEdit   = "edit"
	manageMove   = "move"
	manageCancel = "cancel"
)

// kindWord words a session kind for plain text; kindName is its mrkdwn.
func kindWord(l i18n.Lang, kind string) string {
	if id := kindNames[kind]; id != "" {
		return tr(l, id)
	}
	return kind
}

// langWord words a session language.
func langWord(l i18n.Lang, lang string) string {
	switch lang {
	case "es":
		return tr(l, "native.lang.es")
	case "en":
		return tr(l, "native.lang.en")
	}
	return lang
}

// speakerName is one speaker in mrkdwn: a mention, or the escaped name.
func speakerName(sp store.Speaker) string {
	if sp.UserID != "" {
		return "<@" + sp.UserID + ">"
	}
	return escapeText(sp.Name)
}

// speakerList names speakers, the first max of them when max > 0 and
// then "+n" for the rest.
func speakerList(l i18n.Lang, sps []store.Speaker, max int) string {
	names := make([]string, 0, len(sps))
	for i, sp := range sps {
		if max > 0 && i == max {
			names = append(names, tr(l, "native.more_short", "Count", len(sps)-max))
			break
		}
		names = append(names, speakerName(sp))
	}
	return strings.Join(names, ", ")
}

// sessionBody is the mrkdwn of a session's details, shared by the
// announcement, show and the plain-text fallback. It may be long: the
// renderers split it over blocks.
func sessionBody(l i18n.Lang, s *store.Session) string {
	var b strings.Builder
	b.WriteString(tr(l, "native.field.when", "Date", dateIn(l, s.Start, s.TZ), "Duration", durationIn(l, s.Duration)))
	meta := kindWord(l, s.Kind) + " · #" + strconv.FormatInt(s.ID, 10)
	if s.Lang != "" {
		meta += " · " + langWord(l, s.Lang)
	}
	b.WriteString("\n" + tr(l, "native.field.kind", "Kind", meta))
	if len(s.Speakers) > 0 {
		b.WriteString("\n" + tr(l, "native.field.speakers", "Speakers", speakerList(l, s.Speakers, 0)))
	}
	if len(s.Partners) > 0 {
		parts := make([]string, len(s.Partners))
		for i, p := range s.Partners {
			parts[i] = escapeText(p)
		}
		b.WriteString("\n" + tr(l, "native.field.partners", "Partners", strings.Join(parts, ", ")))
	}
	if s.Link != "" {
		b.WriteString("\n" + tr(l, "native.field.link", "Link", "<"+s.Link+">"))
	}
	if s.Description != "" {
		b.WriteString("\n\n" + escapeText(s.Description))
	}
	return b.String()
}

// sessionTitle is the title, marked when the session was cancelled.
func sessionTitle(l i18n.Lang, s *store.Session) string {
	if s.Cancelled() {
		return tr(l, "native.announce.cancelled_title", "Title", s.Title)
	}
	return s.Title
}

// going words how many joined.
func going(l i18n.Lang, s *store.Session) string {
	return tr(l, "native.announce.going", "Count", len(s.Participants))
}

// calendarLinks are the add-to-calendar links: Google Calendar, Outlook
// and the .ics file. withDetails carries the link and the start of the
// description into the event; the Home, with many sessions, leaves them
// to the .ics and keeps its links short and quick to build.
func (b *Bot) calendarLinks(l i18n.Lang, s *store.Session, withDetails bool) string {
	details := ""
	if withDetails {
		details = strings.TrimSpace(s.Link + "\n\n" + s.Description)
	}
	return tr(l, "native.announce.add_to_calendar") + " <" + calendar.GoogleURL(s, details) + "|Google Calendar> · <" +
		calendar.OutlookURL(s, details) + "|Outlook> · <" + b.icsURL(s) + "|.ics>"
}

// icsURL is the one-event calendar file of s.
func (b *Bot) icsURL(s *store.Session) string { return b.feedSite().SessionURL(s.ID) }

// manageMenu is the overflow menu of a session's creator and staff. A
// message in a channel looks the same to everyone, so the menu is there
// for all and each choice checks who chose it.
func manageMenu(l i18n.Lang, s *store.Session) *slack.OverflowBlockElement {
	id := strconv.FormatInt(s.ID, 10)
	return slack.NewOverflowBlockElement(actionManage,
		option(manageEdit+":"+id, tr(l, "native.manage.edit")),
		option(manageMove+":"+id, tr(l, "native.manage.move")),
		option(manageCancel+":"+id, tr(l, "native.manage.cancel")))
}

// announcement is a session's post in its channel, as first posted and
// as updated after every change: text is the whole of it in mrkdwn (the
// notification, and what is posted alone if Slack refuses the blocks).
func (b *Bot) announcement(s *store.Session) (text string, blocks []slack.Block) {
	l := b.postLang(s)
	body := sessionBody(l, s)
	blocks = append([]slack.Block{header(sessionTitle(l, s))}, sections(body)...)
	whole := []string{"*" + escapeText(sessionTitle(l, s)) + "*", body}
	if s.Cancelled() {
		note := tr(l, "native.announce.cancelled")
		if s.CancelReason != "" {
			note = tr(l, "native.announce.cancelled_reason", "Reason", escapeText(s.CancelReason))
		}
		blocks = append(blocks, sections(note)...)
		whole = append(whole, note)
	} else {
		id := strconv.FormatInt(s.ID, 10)
		join := button(actionJoin, id, tr(l, "native.button.join"))
		join.Style = slack.StylePrimary
		links := b.calendarLinks(l, s, true)
		blocks = append(blocks,
			contextLine(going(l, s)),
			slack.NewActionBlock("session_"+id, join, button(actionLeave, id, tr(l, "native.button.leave")), manageMenu(l, s)),
			contextLine(links))
		whole = append(whole, going(l, s), links)
	}
	text = clipMrkdwn(strings.Join(whole, "\n"), maxPlainText)
	return text, fitBlocks(blocks, maxMessageBlocks, func(n int) string { return tr(l, "native.more", "Count", n) })
}

// showReply is one session in full, for `show`, in the reader's language.
func (b *Bot) showReply(l i18n.Lang, s *store.Session) Reply {
	var extra []string
	if s.Cancelled() {
		if s.CancelReason != "" {
			extra = append(extra, tr(l, "native.announce.cancelled_reason", "Reason", escapeText(s.CancelReason)))
		} else {
			extra = append(extra, tr(l, "native.announce.cancelled"))
		}
	}
	extra = append(extra, going(l, s))
	if !s.Cancelled() {
		extra = append(extra, b.calendarLinks(l, s, true))
	}
	if link := Permalink(s.AnnounceChannel, s.AnnounceTS); link != "" {
		extra = append(extra, tr(l, "native.show.announcement", "Link", link, "Channel", channelRef(s.AnnounceChannel)))
	}
	body := fmt.Sprintf("*%s*\n%s\n\n%s", escapeText(sessionTitle(l, s)), sessionBody(l, s), strings.Join(extra, "\n"))
	return Reply{Text: clipMrkdwn(body, maxPlainText), Blocks: fitBlocks(sections(body), maxMessageBlocks,
		func(n int) string { return tr(l, "native.more", "Count", n) })}
}
