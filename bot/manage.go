package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// The announcement's Leave button and its menu (Edit, Move, Cancel), and
// the forms behind the menu.

var _ = actions.add(actionLeave, (*Bot).pressLeave)

func (b *Bot) pressLeave(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: leave button with value %q", a.Value)
	}
	l := b.readerLang(ctx, cb.User.ID)
	s, left, err := b.svc.Leave(ctx, cb.User.ID, id)
	var reply Reply
	switch {
	case err != nil:
		text, ok := b.mistake(l, err)
		if !ok {
			return err
		}
		reply = Reply{Text: text}
	case left:
		reply = Reply{Text: tr(l, "native.leave.done", "Title", escapeText(s.Title), "ID", s.ID)}
	default:
		reply = Reply{Text: tr(l, "native.leave.not_joined", "ID", s.ID)}
	}
	b.metrics.Commands.WithLabelValues("leave_button", "ok").Inc()
	return b.answerPress(ctx, cb, reply)
}

// answerPress answers a button press: in the Home, by publishing it again
// at once (the change shows there); elsewhere, to the presser alone.
func (b *Bot) answerPress(ctx context.Context, cb slack.InteractionCallback, reply Reply) error {
	if cb.View.Type == slack.VTHomeTab {
		return b.publishHome(ctx, cb.User.ID)
	}
	b.tellUser(ctx, cb.Channel.ID, cb.User.ID, reply)
	return nil
}

var _ = actions.add(actionManage, (*Bot).pressManage)

// pressManage opens the form of the menu's choice, once the presser is
// known to be allowed: the menu shows to everyone who sees the
// announcement.
func (b *Bot) pressManage(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	choice, idText, _ := strings.Cut(a.SelectedOption.Value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: manage menu with value %q", a.SelectedOption.Value)
	}
	op := map[string]string{manageEdit: exchange.OpEdit, manageMove: exchange.OpMove, manageCancel: exchange.OpCancel}[choice]
	if op == "" {
		return fmt.Errorf("bot: manage menu with value %q", a.SelectedOption.Value)
	}
	s, err := b.svc.Manageable(ctx, exchange.Actor{UserID: cb.User.ID, Channel: cb.Channel.ID}, id, op)
	if err != nil {
		text, ok := b.mistake(b.readerLang(ctx, cb.User.ID), err)
		if !ok {
			return err
		}
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, Reply{Text: text})
		return nil
	}
	info := b.userInfo(ctx, cb.User.ID)
	l := i18n.Match(b.language(), info.locale)
	meta, _ := json.Marshal(sessionMeta{Session: s.ID, Channel: cb.Channel.ID})
	var view slack.ModalViewRequest
	switch choice {
	case manageEdit:
		view = b.editModal(l, s, string(meta))
	case manageMove:
		view = b.moveModal(l, s, string(meta))
	default:
		view = b.cancelModal(l, s, string(meta))
	}
	_, err = b.slack.OpenViewContext(ctx, cb.TriggerID, view)
	return err
}

// editModal is the Edit form, prefilled. A description longer than an
// input holds is shown instead, and kept unless something is written.
func (b *Bot) editModal(l i18n.Lang, s *store.Session, meta string) slack.ModalViewRequest {
	link := slack.NewURLTextInputBlockElement(nil, "v")
	link.InitialValue = s.Link
	if runes(s.Link) > maxInputLength {
		link.InitialValue = ""
	}
	kinds, langs := kindOptions(l), langOptions(l)
	blocks := []slack.Block{
		section(tr(l, "native.edit.intro", "Title", escapeText(s.Title), "ID", s.ID), nil),
		input("title", tr(l, "native.form.title"), textInput("", exchange.MaxTitle, false, s.Title), false),
		input("kind", tr(l, "native.form.kind"), staticSelect(kinds, index(kinds, s.Kind)), false),
		input("link", tr(l, "native.form.link"), link, true),
		input("lang", tr(l, "native.form.lang"), staticSelect(langs, index(langs, s.Lang)), true),
	}
	if _, fits := initialValue(s.Description, maxInputLength); fits {
		blocks = append(blocks, input("description", tr(l, "native.form.description_label"), textInput("", maxInputLength, true, s.Description), true))
	} else {
		blocks = append(blocks, contextLine(tr(l, "native.edit.long_description")))
		blocks = append(blocks, sections(escapeText(s.Description))...)
		blocks = append(blocks, input("description", tr(l, "native.edit.new_description"), textInput("", maxInputLength, true, ""), true))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackEdit, PrivateMetadata: meta,
		Title: viewTitle(tr(l, "native.edit.title")), Submit: viewTitle(tr(l, "native.form.save")),
		Close:  viewTitle(tr(l, "native.form.close")),
		Blocks: slack.Blocks{BlockSet: fitBlocks(blocks, maxViewBlocks, func(n int) string { return tr(l, "native.more", "Count", n) })},
	}
}

// readMeta reads a session form's metadata.
func readMeta(cb slack.InteractionCallback) (sessionMeta, error) {
	var meta sessionMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Session <= 0 {
		return meta, &httpError{http.StatusBadRequest, fmt.Sprintf("%s view with metadata %q", cb.View.CallbackID, cb.View.PrivateMetadata)}
	}
	return meta, nil
}

var _ = views.add(callbackEdit, (*Bot).submitEdit)

// submitEdit changes what differs from the session as it now is.
func (b *Bot) submitEdit(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	meta, err := readMeta(cb)
	if err != nil {
		return nil, err
	}
	l := b.readerLang(ctx, cb.User.ID)
	s, err := b.svc.Session(ctx, meta.Session)
	if err != nil {
		return b.formErrors(l, err, "title", "kind", "link", "lang", "description")
	}
	var c exchange.Changes
	changed := func(now string, v string, keepEmpty bool) *string {
		if v == now || (v == "" && keepEmpty) {
			return nil
		}
		return &v
	}
	_, shown := initialValue(s.Description, maxInputLength)
	c.Title = changed(s.Title, viewValue(cb, "title").Value, false)
	c.Kind = changed(s.Kind, viewValue(cb, "kind").SelectedOption.Value, true)
	c.Link = changed(s.Link, strings.TrimSpace(viewValue(cb, "link").Value), runes(s.Link) > maxInputLength)
	c.Lang = changed(s.Lang, viewValue(cb, "lang").SelectedOption.Value, false)
	c.Description = changed(s.Description, viewValue(cb, "description").Value, !shown)
	if c == (exchange.Changes{}) {
		return nil, nil // nothing changed: the form just closes
	}
	s, err = b.svc.Edit(ctx, exchange.Actor{UserID: cb.User.ID, Channel: meta.Channel}, meta.Session, c)
	if err != nil {
		return b.formErrors(l, err, "title", "kind", "link", "lang", "description")
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, Reply{Text: tr(l, "native.edit.done", "Title", escapeText(s.Title), "ID", s.ID)})
	return nil, nil
}

// moveModal is the Move form, prefilled with the session's time in its zone.
func (b *Bot) moveModal(l i18n.Lang, s *store.Session, meta string) slack.ModalViewRequest {
	local := s.Start.In(b.svc.Zone(s))
	date := slack.NewDatePickerBlockElement("v")
	date.InitialDate = local.Format("2006-01-02")
	clock := slack.NewTimePickerBlockElement("v")
	clock.InitialTime = local.Format("15:04")
	durs := durationOptions(l)
	cur := strconv.Itoa(int(s.Duration / time.Minute))
	if index(durs, cur) < 0 {
		durs = append([]*slack.OptionBlockObject{option(cur, durationIn(l, s.Duration))}, durs...)
	}
	blocks := []slack.Block{
		section(tr(l, "native.move.intro", "Title", escapeText(s.Title), "ID", s.ID, "Zone", strings.ReplaceAll(s.TZ, "_", " ")), nil),
		input("date", tr(l, "native.form.date"), date, false),
		input("time", tr(l, "native.form.time"), clock, false),
		input("duration", tr(l, "native.form.duration"), staticSelect(durs, index(durs, cur)), false),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackMove, PrivateMetadata: meta,
		Title: viewTitle(tr(l, "native.move.title")), Submit: viewTitle(tr(l, "native.move.submit")),
		Close: viewTitle(tr(l, "native.form.close")), Blocks: slack.Blocks{BlockSet: blocks},
	}
}

var _ = views.add(callbackMove, (*Bot).submitMove)

func (b *Bot) submitMove(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	meta, err := readMeta(cb)
	if err != nil {
		return nil, err
	}
	l := b.readerLang(ctx, cb.User.ID)
	by := exchange.Actor{UserID: cb.User.ID, Channel: meta.Channel}
	s, err := b.svc.Manageable(ctx, by, meta.Session, exchange.OpMove)
	if err != nil {
		return b.formErrors(l, err, "date", "duration")
	}
	date, clock := viewValue(cb, "date").SelectedDate, viewValue(cb, "time").SelectedTime
	if date == "" || clock == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"date": tr(l, "native.form.error.no_date")}), nil
	}
	start, err := pickedTime(date, clock, b.svc.Zone(s))
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"date": tr(l, "native.form.error.no_date")}), nil
	}
	minutes, _ := strconv.Atoi(viewValue(cb, "duration").SelectedOption.Value)
	s, _, err = b.svc.Move(ctx, by, s.ID, start, time.Duration(minutes)*time.Minute)
	if err != nil {
		return b.formErrors(l, err, "date", "duration")
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, Reply{Text: tr(l, "native.move.done", "Title", escapeText(s.Title), "ID", s.ID,
		"Date", dateIn(l, s.Start, s.TZ), "Duration", durationIn(l, s.Duration))})
	return nil, nil
}

// cancelModal asks for the reason of a cancellation.
func (b *Bot) cancelModal(l i18n.Lang, s *store.Session, meta string) slack.ModalViewRequest {
	blocks := []slack.Block{
		section(tr(l, "native.cancel.intro", "Title", escapeText(s.Title), "ID", s.ID, "Count", len(s.Participants)), nil),
		input("reason", tr(l, "native.cancel.reason"), textInput(tr(l, "native.cancel.reason_hint"), maxInputLength, true, ""), true),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackCancel, PrivateMetadata: meta,
		Title: viewTitle(tr(l, "native.cancel.title")), Submit: viewTitle(tr(l, "native.cancel.submit")),
		Close: viewTitle(tr(l, "native.cancel.keep")), Blocks: slack.Blocks{BlockSet: blocks},
	}
}

var _ = views.add(callbackCancel, (*Bot).submitCancel)

func (b *Bot) submitCancel(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	meta, err := readMeta(cb)
	if err != nil {
		return nil, err
	}
	l := b.readerLang(ctx, cb.User.ID)
	s, err := b.svc.Cancel(ctx, exchange.Actor{UserID: cb.User.ID, Channel: meta.Channel}, meta.Session, viewValue(cb, "reason").Value)
	if err != nil {
		return b.formErrors(l, err, "reason")
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, Reply{Text: tr(l, "native.cancel.done", "Title", escapeText(s.Title), "ID", s.ID)})
	return nil, nil
}
