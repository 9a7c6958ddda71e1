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
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

const callbackNewSession = "new_session"

// newSessionMeta travels in the modal's private_metadata: where the
// command was typed, so the confirmation and default channel land there.
type newSessionMeta struct {
	Channel string `json:"channel"`
}

func (b *Bot) cmdNewModal(ctx context.Context, req Request) (Reply, error) {
	if !b.isStaff(ctx, req.UserID) {
		return Reply{}, usagef("Only staff can schedule sessions. Ask a coordinator, or an admin to add you to `staff` in the config.")
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
	title.MaxLength = MaxTitle
	kinds := []*slack.OptionBlockObject{}
	for _, k := range []string{"webinar", "exchange", "workshop"} {
		kinds = append(kinds, slack.NewOptionBlockObject(k, plain(k), nil))
	}
	kind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "v", kinds...)
	kind.InitialOption = kinds[0]
	tz := slack.NewPlainTextInputBlockElement(nil, "v")
	tz.InitialValue = zone
	dur := slack.NewPlainTextInputBlockElement(nil, "v")
	dur.InitialValue = "60m"
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

// submitNewSession validates the modal like the one-line command and
// answers field errors inline (response_action: errors).
func (b *Bot) submitNewSession(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if !b.isStaff(ctx, cb.User.ID) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "Only staff can schedule sessions."}), nil
	}
	now := b.now()
	errs := map[string]string{}
	title := strings.TrimSpace(viewValue(cb, "title").Value)
	switch {
	case title == "":
		errs["title"] = "Give the session a title."
	case utf8.RuneCountInString(title) > MaxTitle:
		errs["title"] = fmt.Sprintf("Keep the title to %d characters.", MaxTitle)
	}
	zone := strings.TrimSpace(viewValue(cb, "tz").Value)
	loc, err := loadLocation(zone)
	if err != nil || zone == "" || zone == "Local" {
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
		if start, err = When(date, clock, now, loc); err != nil {
			errs["date"] = usageText(err)
		}
	}
	link := strings.TrimSpace(viewValue(cb, "link").Value)
	if link != "" {
		if link, err = parseLink(link); err != nil {
			errs["link"] = usageText(err)
		}
	}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	var meta newSessionMeta
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	s := &store.Session{
		Title: title, Kind: viewValue(cb, "kind").SelectedOption.Value, Start: start.UTC(), Duration: d, TZ: loc.String(),
		Link: link, Channel: viewValue(cb, "channel").SelectedConversation, Creator: cb.User.ID,
		Description: strings.TrimSpace(viewValue(cb, "description").Value), Created: now, Updated: now,
	}
	if s.Kind == "" {
		s.Kind = "webinar"
	}
	for _, p := range strings.Split(viewValue(cb, "partners").Value, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			s.Partners = append(s.Partners, p)
		}
	}
	for _, u := range viewValue(cb, "speakers").SelectedUsers {
		s.Speakers = append(s.Speakers, store.Speaker{UserID: u})
	}
	if s.Channel == "" {
		s.Channel = b.cfg.AnnounceChannel
	}
	if s.Channel == "" {
		s.Channel = meta.Channel
	}
	if err := b.createSession(ctx, s, now); err != nil {
		return nil, err
	}
	b.tellUser(ctx, meta.Channel, cb.User.ID, b.scheduledReply(s))
	return nil, nil
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

// handleAction serves a button press; the reply goes to the presser.
func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	switch a.ActionID {
	case actionJoin:
		id, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("bot: join button with value %q", a.Value)
		}
		reply, err := b.join(ctx, cb.User.ID, id)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				return err
			}
			reply = Reply{Text: ue.Error()}
		}
		b.metrics.Commands.WithLabelValues("join_button", "ok").Inc()
		b.tellUser(ctx, cb.Channel.ID, cb.User.ID, reply)
		return nil
	case actionCalendar:
		return nil // a link button: Slack opens the URL; the ping needs no answer
	}
	if fn := b.actionHandlers[a.ActionID]; fn != nil {
		return fn(ctx, cb, a)
	}
	b.log.Warn("unknown action", "action_id", a.ActionID)
	return nil
}

// handleViewSubmission routes a submitted modal by callback id.
func (b *Bot) handleViewSubmission(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if cb.View.CallbackID == callbackNewSession {
		return b.submitNewSession(ctx, cb)
	}
	if fn := b.viewHandlers[cb.View.CallbackID]; fn != nil {
		return fn(ctx, cb)
	}
	return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("unknown view %q", cb.View.CallbackID)}
}
