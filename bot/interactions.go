package bot

import (
	"context"
	"encoding/json"
	"errors"
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

const callbackNewSession = "new_session"

// newSessionMeta travels in the modal's private_metadata: where the
// command was typed, so the confirmation and default channel land there.
type newSessionMeta struct {
	Channel string `json:"channel"`
}

// cmdNewModal opens the new-session form behind a bare `new`.
func (b *Bot) cmdNewModal(ctx context.Context, req Request) (Reply, error) {
	if err := b.svc.RequireStaff(ctx, req.UserID, exchange.OpSchedule); err != nil {
		return Reply{}, err
	}
	if req.TriggerID == "" {
		return Reply{}, usagef("The form opens only inside Slack. Here, write it in one line: `%s new \"Title\" 2026-12-03 15:00 90m`.", b.cfg.Command)
	}
	loc := b.userLocation(ctx, req.UserID)
	meta, _ := json.Marshal(newSessionMeta{Channel: req.ChannelID})
	if _, err := b.slack.OpenViewContext(ctx, req.TriggerID, newSessionModal(loc.String(), string(meta))); err != nil {
		return Reply{}, fmt.Errorf("bot: views.open: %w", err)
	}
	return Reply{}, nil
}

func input(id, label string, el slack.BlockElement, optional bool) *slack.InputBlock {
	in := slack.NewInputBlock(id, plain(label), nil, el)
	in.Optional = optional
	return in
}

// newSessionModal is the form behind a bare `new`.
func newSessionModal(zone, meta string) slack.ModalViewRequest {
	title := slack.NewPlainTextInputBlockElement(nil, "v")
	title.MaxLength = exchange.MaxTitle
	kinds := []*slack.OptionBlockObject{}
	for _, k := range exchange.Kinds {
		kinds = append(kinds, slack.NewOptionBlockObject(k, plain(k), nil))
	}
	kind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "v", kinds...)
	kind.InitialOption = kinds[0]
	tz := slack.NewPlainTextInputBlockElement(nil, "v")
	tz.InitialValue = zone
	dur := slack.NewPlainTextInputBlockElement(nil, "v")
	dur.InitialValue = fmt.Sprintf("%dm", int(exchange.DefaultDuration.Minutes()))
	partners := slack.NewPlainTextInputBlockElement(plain("One per line"), "v")
	partners.Multiline = true
	channel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, nil, "v")
	channel.DefaultToCurrentConversation = true
	desc := slack.NewPlainTextInputBlockElement(nil, "v")
	desc.Multiline = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackNewSession,
		Title:           plain("New session"),
		Submit:          plain("Schedule"),
		Close:           plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input("title", "Title", title, false),
			input("kind", "Kind", kind, false),
			input("date", "Date", slack.NewDatePickerBlockElement("v"), false),
			input("time", "Time", slack.NewTimePickerBlockElement("v"), false),
			input("tz", "Time zone (IANA)", tz, false),
			input("duration", "Duration (90m, 1h30m, 1.5h)", dur, false),
			input("speakers", "Speakers", slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, nil, "v"), true),
			input("partners", "Partner institutions", partners, true),
			input("channel", "Announce in", channel, true),
			input("link", "Join link", slack.NewURLTextInputBlockElement(nil, "v"), true),
			input("description", "Description", desc, true),
			// The repeat choice is English as the rest of this form is.
			seriesFormRepeat(i18n.English), seriesFormEnds(i18n.English),
		}},
	}
}

// stateValue reads one input of a submitted view. A payload without a
// state (malformed, or a view with no inputs) reads as empty.
func stateValue(cb slack.InteractionCallback, block, action string) slack.BlockAction {
	if cb.View.State == nil {
		return slack.BlockAction{}
	}
	return cb.View.State.Values[block][action]
}

// viewValue reads one input of the new-session form, whatever its element.
func viewValue(cb slack.InteractionCallback, block string) slack.BlockAction {
	return stateValue(cb, block, "v")
}

var _ = views.add(callbackNewSession, (*Bot).submitNewSession)

// submitNewSession reads the form and schedules through the same service
// as the one-line command; mistakes are answered beside their field
// (response_action: errors).
func (b *Bot) submitNewSession(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if err := b.svc.RequireStaff(ctx, cb.User.ID, exchange.OpSchedule); err != nil {
		return b.formErrors(err)
	}
	errs := map[string]string{}
	zone := strings.TrimSpace(viewValue(cb, "tz").Value)
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		errs["tz"] = "Write an IANA zone like America/Santiago or Europe/Madrid."
		loc = nil
	}
	d, err := ParseDuration(strings.TrimSpace(viewValue(cb, "duration").Value))
	if err != nil {
		errs["duration"] = usageText(err)
	}
	var start time.Time
	date, clock := viewValue(cb, "date").SelectedDate, viewValue(cb, "time").SelectedTime
	if date == "" {
		errs["date"] = "Pick a date."
	} else if clock == "" {
		errs["time"] = "Pick a time."
	} else if loc != nil {
		if start, err = When(date, clock, b.now(), loc); err != nil {
			errs["date"] = usageText(err)
		}
	}
	var meta newSessionMeta
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	by := exchange.Actor{UserID: cb.User.ID, Channel: meta.Channel}
	draft := exchange.Draft{
		Title: viewValue(cb, "title").Value, Kind: viewValue(cb, "kind").SelectedOption.Value, Start: start, Duration: d,
		TZ: zone, Link: strings.TrimSpace(viewValue(cb, "link").Value), Channel: viewValue(cb, "channel").SelectedConversation,
		Description: viewValue(cb, "description").Value, Partners: strings.Split(viewValue(cb, "partners").Value, "\n"),
	}
	for _, u := range viewValue(cb, "speakers").SelectedUsers {
		draft.Speakers = append(draft.Speakers, store.Speaker{UserID: u})
	}
	draft.Repeat = b.readRepeat(cb, start, loc, errs)
	// Every mistake at once, each beside its field: what the form could
	// not read, then what the service refuses.
	for _, e := range exchange.Errors(b.svc.CheckDraft(by, draft)) {
		field := formFields[e.Code]
		if field == "" {
			field = "title"
		}
		if e.Code == exchange.CodePast && start.IsZero() {
			continue // no start was read; the date or time field says why
		}
		if errs[field] == "" {
			errs[field] = b.errorText(e)
		}
	}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	s, err := b.svc.Schedule(ctx, by, draft)
	if err != nil {
		return b.formErrors(err)
	}
	reply := b.scheduledReply(s)
	if s.SeriesID != 0 {
		sr, err := b.store.Series(ctx, s.SeriesID)
		if err != nil {
			return nil, err
		}
		reply = Reply{Text: b.seriesScheduledText(b.seriesReplyLang(ctx, cb.User.ID), sr)}
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, reply)
	return nil, nil
}

// formErrors answers a refusal of the service beside the form's field it
// is about; other errors are failures.
func (b *Bot) formErrors(err error) (*slack.ViewSubmissionResponse, error) {
	e, ok := exchange.AsError(err)
	if !ok {
		return nil, err
	}
	field := formFields[e.Code]
	if field == "" {
		field = "title"
	}
	return slack.NewErrorsViewSubmissionResponse(map[string]string{field: b.errorText(e)}), nil
}

func usageText(err error) string {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Error()
	}
	return err.Error()
}

// tellUser shows reply to one person: ephemerally in channel when known,
// else in their DM with the bot.
func (b *Bot) tellUser(ctx context.Context, channel, user string, r Reply) {
	opts := []slack.MsgOption{slack.MsgOptionText(r.Text, false)}
	if len(r.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(r.Blocks...))
	}
	var err error
	if channel != "" {
		_, err = b.slack.PostEphemeralContext(ctx, channel, user, opts...)
	} else {
		_, _, err = b.slack.PostMessageContext(ctx, user, opts...)
	}
	if err != nil {
		b.log.Warn("could not tell the user", "user", user, "error", err)
	}
}

// handleAction serves a button press by its action id; the reply goes
// to the presser.
func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	if fn := b.routes.actions[a.ActionID]; fn != nil {
		return fn(b, ctx, cb, a)
	}
	b.log.Warn("unknown action", "action_id", a.ActionID)
	return nil
}

var _ = actions.add(actionJoin, (*Bot).pressJoin)

func (b *Bot) pressJoin(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("bot: join button with value %q", a.Value)
	}
	reply, err := b.join(ctx, cb.User.ID, id)
	if err != nil {
		text, ok := b.mistake(err)
		if !ok {
			return err
		}
		reply = Reply{Text: text}
	}
	b.metrics.Commands.WithLabelValues("join_button", "ok").Inc()
	b.tellUser(ctx, cb.Channel.ID, cb.User.ID, reply)
	return nil
}

var _ = actions.add(actionCalendar, (*Bot).pressCalendar)

// pressCalendar answers nothing: the button is a link that Slack opens,
// and the press it reports needs no reply.
func (b *Bot) pressCalendar(context.Context, slack.InteractionCallback, *slack.BlockAction) error {
	return nil
}

// handleViewSubmission routes a submitted modal by callback id.
func (b *Bot) handleViewSubmission(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if fn := b.routes.views[cb.View.CallbackID]; fn != nil {
		return fn(b, ctx, cb)
	}
	return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("unknown view %q", cb.View.CallbackID)}
}
