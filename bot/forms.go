package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// The forms: a new session (behind a bare `new`, and the Home's New
// session button), and from the announcement's menu Edit (prefilled),
// Move and Cancel with a reason. Mistakes are shown beside their field,
// in plain words.

const (
	callbackNewSession = "new_session"
	callbackEdit       = "edit_session"
	callbackMove       = "move_session"
	callbackCancel     = "cancel_session"
)

// newSessionMeta travels in the modal's private_metadata: where the
// command was typed, so the confirmation and default channel land there.
type newSessionMeta struct {
	Channel string `json:"channel"`
	// Request is the request the form was opened from (`plan`), 0 for none.
	Request int64 `json:"request,omitempty"`
}

// sessionMeta travels in the edit, move and cancel forms.
type sessionMeta struct {
	Session int64  `json:"session"`
	Channel string `json:"channel,omitempty"`
}

// formDurations are the durations the form offers, in minutes.
var formDurations = []int{30, 45, 60, 90, 120, 180, 240, 360, 480}

// formZones are the zones the form offers after the person's own and
// the configured one: where the institutions that use it work.
var formZones = []string{
	"America/Santiago", "America/Argentina/Buenos_Aires", "America/Sao_Paulo", "America/Montevideo",
	"America/Asuncion", "America/La_Paz", "America/Lima", "America/Bogota", "America/Caracas",
	"America/Guayaquil", "America/Panama", "America/Costa_Rica", "America/El_Salvador",
	"America/Guatemala", "America/Tegucigalpa", "America/Managua", "America/Mexico_City",
	"America/Santo_Domingo", "America/New_York", "America/Chicago", "America/Los_Angeles",
	"Europe/Madrid", "Europe/Lisbon", "Europe/London", "Europe/Paris", "Europe/Berlin",
	"Africa/Nairobi", "Africa/Lagos", "Asia/Manila", "Asia/Jakarta", "UTC",
}

func input(id, label string, el slack.BlockElement, optional bool) *slack.InputBlock {
	in := slack.NewInputBlock(id, plain(clip(label, maxInputLabel)), nil, el)
	in.Optional = optional
	return in
}

// stateValue reads one input of a submitted view. A payload without a
// state (malformed, or a view with no inputs) reads as empty.
func stateValue(cb slack.InteractionCallback, block, action string) slack.BlockAction {
	if cb.View.State == nil {
		return slack.BlockAction{}
	}
	return cb.View.State.Values[block][action]
}

// viewValue reads one input of a form, whatever its element.
func viewValue(cb slack.InteractionCallback, block string) slack.BlockAction {
	return stateValue(cb, block, "v")
}

// cmdNewModal opens the new-session form behind a bare `new`.
func (b *Bot) cmdNewModal(ctx context.Context, req Request) (Reply, error) {
	if err := b.svc.RequireStaff(ctx, req.UserID, exchange.OpSchedule); err != nil {
		return Reply{}, err
	}
	if req.TriggerID == "" {
		return Reply{}, usage(msgFormOnlyInSlack, "Cmd", b.cfg.Command)
	}
	meta, _ := json.Marshal(newSessionMeta{Channel: req.ChannelID})
	view := b.newSessionModal(req.Lang, req.Zone.String(), string(meta))
	if _, err := b.slack.OpenViewContext(ctx, req.TriggerID, view); err != nil {
		return Reply{}, fmt.Errorf("bot: views.open: %w", err)
	}
	return Reply{}, nil
}

// staticSelect is a select of options, the first one chosen.
func staticSelect(opts []*slack.OptionBlockObject, initial int) *slack.SelectBlockElement {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "v", opts...)
	if initial >= 0 && initial < len(opts) {
		el.InitialOption = opts[initial]
	}
	return el
}

// zoneOptions lists the zones to choose from, the person's first.
func (b *Bot) zoneOptions(first string) []*slack.OptionBlockObject {
	zones := append([]string{first, b.cfg.Location.String()}, formZones...)
	var opts []*slack.OptionBlockObject
	seen := map[string]bool{}
	for _, z := range zones {
		if z == "" || seen[z] || len(opts) == 100 {
			continue
		}
		seen[z] = true
		opts = append(opts, option(z, strings.ReplaceAll(z, "_", " ")))
	}
	return opts
}

func durationOptions(l i18n.Lang) []*slack.OptionBlockObject {
	opts := make([]*slack.OptionBlockObject, len(formDurations))
	for i, m := range formDurations {
		opts[i] = option(strconv.Itoa(m), durationIn(l, time.Duration(m)*time.Minute))
	}
	return opts
}

func kindOptions(l i18n.Lang) []*slack.OptionBlockObject {
	opts := make([]*slack.OptionBlockObject, len(exchange.Kinds))
	for i, k := range exchange.Kinds {
		opts[i] = option(k, kindWord(l, k))
	}
	return opts
}

func langOptions(l i18n.Lang) []*slack.OptionBlockObject {
	opts := make([]*slack.OptionBlockObject, len(exchange.Langs))
	for i, k := range exchange.Langs {
		opts[i] = option(k, langWord(l, k))
	}
	return opts
}

// index is the position of v among opts' values, or -1.
func index(opts []*slack.OptionBlockObject, v string) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return -1
}

// textInput is a plain-text input of at most max characters, prefilled
// with value when it fits whole.
func textInput(placeholder string, max int, multiline bool, value string) *slack.PlainTextInputBlockElement {
	var ph *slack.TextBlockObject
	if placeholder != "" {
		ph = plain(clip(placeholder, 150))
	}
	el := slack.NewPlainTextInputBlockElement(ph, "v")
	el.MaxLength, el.Multiline = max, multiline
	el.InitialValue, _ = initialValue(value, max)
	return el
}

// newSessionModal is the form behind a bare `new`, in l, with zone first
// among the time zones.
func (b *Bot) newSessionModal(l i18n.Lang, zone, meta string) slack.ModalViewRequest {
	channel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, nil, "v")
	channel.DefaultToCurrentConversation = true
	langs := langOptions(l)
	blocks := []slack.Block{
		input("title", tr(l, "native.form.title"), textInput("", exchange.MaxTitle, false, ""), false),
		input("kind", tr(l, "native.form.kind"), staticSelect(kindOptions(l), 0), false),
		input("date", tr(l, "native.form.date"), slack.NewDatePickerBlockElement("v"), false),
		input("time", tr(l, "native.form.time"), slack.NewTimePickerBlockElement("v"), false),
		input("tz", tr(l, "native.form.zone"), staticSelect(b.zoneOptions(zone), 0), false),
		input("duration", tr(l, "native.form.duration"), staticSelect(durationOptions(l), index(durationOptions(l), "60")), false),
		seriesFormRepeat(l), seriesFormEnds(l),
		input("speakers", tr(l, "native.form.speakers"), slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, nil, "v"), true),
		input("external", tr(l, "native.form.external"), textInput(tr(l, "native.form.external_hint"), maxInputLength, true, ""), true),
		input("partners", tr(l, "native.form.partners"), textInput(tr(l, "native.form.one_per_line"), maxInputLength, true, ""), true),
		input("channel", tr(l, "native.form.channel"), channel, true),
		input("link", tr(l, "native.form.link"), slack.NewURLTextInputBlockElement(nil, "v"), true),
		input("lang", tr(l, "native.form.lang"), staticSelect(langs, index(langs, string(b.cfg.Language))), true),
		input("description", tr(l, "native.form.description_label"), textInput("", maxInputLength, true, ""), true),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackNewSession, PrivateMetadata: meta,
		Title: viewTitle(tr(l, "native.form.new_title")), Submit: viewTitle(tr(l, "native.form.schedule")),
		Close: viewTitle(tr(l, "native.form.close")), Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// parseExternalLines reads the form's speakers without Slack, one
// `Name <email>` per line, as the command reads one; bad is the first
// line it cannot read.
func parseExternalLines(text string) (speakers []store.Speaker, bad string) {
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sp, err := parseExternal(line)
		if err != nil {
			return nil, strings.TrimSpace(line)
		}
		speakers = append(speakers, sp)
	}
	return speakers, ""
}

var _ = views.add(callbackNewSession, (*Bot).submitNewSession)

// submitNewSession reads the form and schedules through the same service
// as the one-line command; every mistake is answered beside its field
// (response_action: errors).
func (b *Bot) submitNewSession(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	l := b.readerLang(ctx, cb.User.ID)
	if err := b.svc.RequireStaff(ctx, cb.User.ID, exchange.OpSchedule); err != nil {
		return b.formErrors(l, err)
	}
	errs := map[string]string{}
	zone := viewValue(cb, "tz").SelectedOption.Value
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		errs["tz"] = tr(l, "native.form.error.zone")
		loc = nil
	}
	minutes, _ := strconv.Atoi(viewValue(cb, "duration").SelectedOption.Value)
	var start time.Time
	date, clock := viewValue(cb, "date").SelectedDate, viewValue(cb, "time").SelectedTime
	switch {
	case date == "":
		errs["date"] = tr(l, "native.form.error.no_date")
	case clock == "":
		errs["time"] = tr(l, "native.form.error.no_time")
	case loc != nil:
		if start, err = pickedTime(date, clock, loc); err != nil {
			errs["date"] = tr(l, "native.form.error.no_date")
		}
	}
	external, bad := parseExternalLines(viewValue(cb, "external").Value)
	if bad != "" {
		errs["external"] = tr(l, "native.form.error.external", "Line", clip(bad, 100))
	}
	var meta newSessionMeta
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	by := exchange.Actor{UserID: cb.User.ID, Channel: meta.Channel}
	draft := exchange.Draft{
		Title: viewValue(cb, "title").Value, Kind: viewValue(cb, "kind").SelectedOption.Value, Start: start,
		Duration: time.Duration(minutes) * time.Minute, TZ: zone, Link: strings.TrimSpace(viewValue(cb, "link").Value),
		Channel: viewValue(cb, "channel").SelectedConversation, Lang: viewValue(cb, "lang").SelectedOption.Value,
		Description: viewValue(cb, "description").Value, Partners: strings.Split(viewValue(cb, "partners").Value, "\n"),
		Request: meta.Request,
	}
	for _, u := range viewValue(cb, "speakers").SelectedUsers {
		draft.Speakers = append(draft.Speakers, store.Speaker{UserID: u})
	}
	draft.Speakers = append(draft.Speakers, external...)
	draft.Repeat = b.readRepeat(l, cb, start, loc, errs)
	// Every mistake at once, each beside its field: what the form could
	// not read, then what the service refuses.
	for _, e := range exchange.Errors(b.svc.CheckDraft(by, draft)) {
		if e.Code == exchange.CodePast && start.IsZero() {
			continue // no start was read; the date or time field says why
		}
		field := formField(e.Code)
		if errs[field] == "" {
			errs[field] = formError(l, e)
		}
	}
	channel := draft.Channel
	if channel == "" {
		channel = meta.Channel
	}
	if len(errs) == 0 {
		if err := b.checkChannel(ctx, channel); err != nil {
			errs["channel"] = b.channelProblem(l, channel, err)
		}
	}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	if meta.Channel == "" {
		// Opened outside a channel (the Home): the confirmation is a DM,
		// owed with the session.
		draft.Confirm = &exchange.ConfirmTo{}
	}
	s, err := b.svc.Schedule(ctx, by, draft)
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil // scheduled when it first came
	}
	if err != nil {
		var ue *UsageError
		if errors.As(b.demandError(err), &ue) {
			// The request was decided meanwhile: said above the form.
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"title": ue.In(l)}), nil
		}
		return b.formErrors(l, err)
	}
	if draft.Confirm != nil {
		return nil, nil
	}
	// In the channel it was opened from, the confirmation is the form's
	// own answer, shown to the presser alone.
	reply, err := b.newSessionReply(ctx, l, cb.User.ID, s, meta.Request)
	if err != nil {
		return nil, err
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, reply)
	return nil, nil
}

// newSessionReply confirms, in l, that userID scheduled s (the first of
// its series), planned from request when it is not 0.
func (b *Bot) newSessionReply(ctx context.Context, l i18n.Lang, userID string, s *store.Session, request int64) (Reply, error) {
	reply := b.scheduledReply(l, s)
	if s.SeriesID != 0 {
		sr, err := b.store.Series(ctx, s.SeriesID)
		if err != nil {
			return Reply{}, err
		}
		reply = Reply{Text: b.seriesScheduledText(l, sr)}
	}
	if request != 0 {
		if r, err := b.store.Request(ctx, request); err == nil {
			reply = b.plannedReply(ctx, userID, s, r)
		}
	}
	return reply, nil
}

// pickedTime reads a form's date and time pickers (2026-12-03, 15:00)
// in loc; whether it is in the past is the service's to say.
func pickedTime(date, clock string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
}

// formField is the input of a form an error of the service is about.
func formField(code string) string {
	if f := seriesFormField(code); f != "" {
		return f
	}
	switch code {
	case exchange.CodeKind:
		return "kind"
	case exchange.CodeDuration:
		return "duration"
	case exchange.CodePast:
		return "date"
	case exchange.CodeZone:
		return "tz"
	case exchange.CodeLink:
		return "link"
	case exchange.CodeLang:
		return "lang"
	case exchange.CodeSpeaker:
		return "external"
	}
	return "title"
}

// formError words an error of the service for a form: plain words, with
// no command syntax, since the person is filling in fields.
func formError(l i18n.Lang, e *exchange.Error) string {
	if text, ok := seriesFormError(l, e); ok {
		return text
	}
	switch e.Code {
	case exchange.CodeNotStaff:
		return tr(l, "native.form.error.not_staff")
	case exchange.CodeNotAllowed:
		return tr(l, "native.form.error.not_allowed", "Creator", "<@"+fmt.Sprint(e.Arg("creator"))+">")
	case exchange.CodeCancelled:
		return tr(l, "native.form.error.cancelled")
	case exchange.CodeNotFound:
		return tr(l, "native.form.error.not_found")
	case exchange.CodeTitleEmpty:
		return tr(l, "native.form.error.title_empty")
	case exchange.CodeTitleTooLong:
		return tr(l, "native.form.error.title_too_long", "Count", e.Arg("len"), "Max", e.Arg("max"))
	case exchange.CodeDuration:
		return tr(l, "native.form.error.duration")
	case exchange.CodePast:
		return tr(l, "native.form.error.past")
	case exchange.CodeZone:
		return tr(l, "native.form.error.zone")
	case exchange.CodeKind:
		return tr(l, "native.form.error.kind")
	case exchange.CodeLang:
		return tr(l, "native.form.error.lang")
	case exchange.CodeLink:
		return tr(l, "native.form.error.link")
	case exchange.CodeSpeaker:
		return tr(l, "native.form.error.speaker", "Speaker", fmt.Sprint(e.Arg("speaker")))
	case exchange.CodeNothingToEdit:
		return tr(l, "native.form.error.nothing")
	}
	return tr(l, "native.form.error.failed")
}

// formErrors answers a refusal of the service beside the form's field it
// is about, or the first of inputs when the form has no such field;
// other errors are failures.
func (b *Bot) formErrors(l i18n.Lang, err error, inputs ...string) (*slack.ViewSubmissionResponse, error) {
	e, ok := exchange.AsError(err)
	if !ok {
		return nil, err
	}
	field := formField(e.Code)
	if len(inputs) > 0 && !slices.Contains(inputs, field) {
		field = inputs[0]
	}
	return slack.NewErrorsViewSubmissionResponse(map[string]string{field: formError(l, e)}), nil
}
