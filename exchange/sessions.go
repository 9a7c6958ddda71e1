package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Draft is a session as a person describes it; Schedule fills the
// defaults and checks the rest.
type Draft struct {
	Title string
	// Kind is one of Kinds; "" means DefaultKind.
	Kind string
	// Start is when it begins; surfaces read what the person wrote in TZ.
	Start time.Time
	// Duration of 0 means DefaultDuration.
	Duration time.Duration
	// TZ is the IANA zone the start was given in; "" means Policy.Location.
	TZ          string
	Description string
	Link        string
	// Channel is where to announce it; "" means Policy.AnnounceChannel,
	// else the channel the request came from.
	Channel  string
	Lang     string // one of Langs, or "" for the configured language
	Partners []string
	Speakers []store.Speaker
	// Repeat makes it a series (see ScheduleSeries); zero for one session.
	Repeat Repeat
	// Request is the request the session is planned from (see PlanDraft);
	// 0 for none. Scheduling links them and tells whoever asked.
	Request int64
	// Confirm asks for a confirmation to the person scheduling it (a
	// FormReply naming the session); nil for none.
	Confirm *ConfirmTo
}

// Schedule creates a session from d on behalf of by, who must be staff,
// with its announcement and everything its schedule implies owed in the
// same transaction. A d that repeats is scheduled as ScheduleSeries does,
// and its first occurrence returned.
func (s *Service) Schedule(ctx context.Context, by Actor, d Draft) (*store.Session, error) {
	if d.Repeat.IsSeries() {
		sr, err := s.ScheduleSeries(ctx, by, d)
		if err != nil {
			return nil, err
		}
		return sr.Occurrences[0], nil
	}
	if err := s.RequireStaff(ctx, by.UserID, OpSchedule); err != nil {
		return nil, err
	}
	now := s.now()
	sess, err := s.fromDraft(d, by, now)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return false, err
		}
		if sess.Channel != "" {
			if err := tx.Enqueue(ctx, announceRow(sess, now), now); err != nil {
				return false, err
			}
		}
		if d.Request != 0 {
			if err := s.linkRequest(ctx, tx, by, d.Request, sess); err != nil {
				return false, err
			}
		}
		if err := oweHomes(ctx, tx, now, People(sess)...); err != nil {
			return false, err
		}
		if err := s.planInvites(ctx, tx, sess, sess.Speakers, false, now); err != nil {
			return false, err
		}
		if _, err := oweConfirmation(ctx, tx, by.UserID, d.Confirm, scheduled(sess, d), now); err != nil {
			return false, err
		}
		return true, s.planSession(ctx, tx, sess, now)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// CheckDraft reports every mistake in d at once (joined *Errors, see
// Errors), so a form can show each beside its field. Schedule makes the
// same checks.
func (s *Service) CheckDraft(by Actor, d Draft) error {
	_, err := s.fromDraft(d, by, s.now())
	return err
}

// fromDraft applies the defaults of a new session and checks every limit.
func (s *Service) fromDraft(d Draft, by Actor, now time.Time) (*store.Session, error) {
	var errs []error
	title, err := CheckTitle(d.Title)
	errs = append(errs, err)
	sess := &store.Session{
		Title: title, Kind: d.Kind, Start: d.Start.UTC(), Duration: d.Duration, TZ: d.TZ,
		Description: CleanText(d.Description), Channel: d.Channel, Lang: d.Lang, Creator: by.UserID,
		Partners: cleanPartners(d.Partners), Status: store.StatusConfirmed, Created: now, Updated: now,
	}
	if sess.Kind == "" {
		sess.Kind = DefaultKind()
	}
	if !IsKind(sess.Kind) {
		errs = append(errs, fail(CodeKind, "kind", sess.Kind, "kinds", Kinds))
	}
	if sess.Lang != "" && !IsLang(sess.Lang) {
		errs = append(errs, fail(CodeLang, "lang", sess.Lang, "langs", Langs))
	}
	if sess.Duration == 0 {
		sess.Duration = DefaultDuration
	}
	errs = append(errs, CheckDuration(sess.Duration))
	loc := s.p.Location
	if sess.TZ != "" {
		if loc, err = LoadZone(sess.TZ); err != nil {
			errs = append(errs, err)
		}
	}
	if loc != nil {
		sess.TZ = loc.String()
		errs = append(errs, checkFuture(sess.Start, now, loc))
	}
	if d.Link != "" {
		sess.Link, err = CheckLink(d.Link)
		errs = append(errs, err)
	}
	sess.Speakers, err = cleanSpeakers(d.Speakers)
	errs = append(errs, err)
	if d.Repeat.IsSeries() {
		// Without a start (a form whose date could not be read) only what
		// needs no date can be checked.
		if loc == nil || d.Start.IsZero() {
			errs = append(errs, checkRepeat(d.Repeat))
		} else {
			_, err := Occurrences(sess.Start, loc, d.Repeat)
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sess.Channel = s.Channel(by, sess.Channel)
	return sess, nil
}

// Channel is where a session is announced: the channel given, else the
// configured announce channel, else where by asked.
func (s *Service) Channel(by Actor, given string) string {
	if given != "" {
		return given
	}
	if s.p.AnnounceChannel != "" {
		return s.p.AnnounceChannel
	}
	return by.Channel
}

// checkFuture refuses a start before now: a session is never scheduled
// or moved into the past.
func checkFuture(start, now time.Time, loc *time.Location) error {
	if start.Before(now) {
		return fail(CodePast, "start", start.In(loc), "tz", loc.String())
	}
	return nil
}

// Changes are the details an edit sets; nil fields stay as they are.
// Time changes go through Move.
type Changes struct {
	Title, Kind, Link, Description, Lang *string
}

// Edit changes what was said about a session (title, kind, link,
// description, language): staff or its creator, not once cancelled. The
// announcement is refreshed and calendars get a new version.
func (s *Service) Edit(ctx context.Context, by Actor, id int64, c Changes) (*store.Session, error) {
	if c == (Changes{}) {
		return nil, fail(CodeNothingToEdit)
	}
	sess, err := s.Manageable(ctx, by, id, OpEdit)
	if err != nil {
		return nil, err
	}
	det := store.Details{Title: sess.Title, Kind: sess.Kind, Link: sess.Link, Description: sess.Description, Lang: sess.Lang}
	if c.Title != nil {
		if det.Title, err = CheckTitle(*c.Title); err != nil {
			return nil, err
		}
	}
	if c.Kind != nil {
		if det.Kind = *c.Kind; !IsKind(det.Kind) {
			return nil, fail(CodeKind, "kind", det.Kind, "kinds", Kinds)
		}
	}
	if c.Lang != nil {
		if det.Lang = *c.Lang; det.Lang != "" && !IsLang(det.Lang) {
			return nil, fail(CodeLang, "lang", det.Lang, "langs", Langs)
		}
	}
	if c.Link != nil {
		det.Link = ""
		if *c.Link != "" {
			if det.Link, err = CheckLink(*c.Link); err != nil {
				return nil, err
			}
		}
	}
	if c.Description != nil {
		det.Description = CleanText(*c.Description)
	}
	now := s.now()
	oldLink := sess.Link
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		if err := tx.SetDetails(ctx, sess.ID, det, now); err != nil {
			return false, err
		}
		if sess, err = tx.Session(ctx, sess.ID); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, People(sess)...); err != nil {
			return false, err
		}
		if err := s.planInvites(ctx, tx, sess, sess.Speakers, true, now); err != nil {
			return false, err
		}
		var n *Notice
		if sess.Link != oldLink {
			// People who saw the old link must hear of the new one.
			n = &Notice{Event: NoticeLink, Title: sess.Title, Start: sess.Start, Duration: sess.Duration, TZ: sess.TZ, Link: sess.Link}
		}
		return true, s.enqueueNotice(ctx, tx, sess, n, now)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// Move reschedules a session to start (read by the surface in the
// session's Zone) for d, or its current length when d is 0: reminders and
// lesson capture follow the new time, and a note goes under the
// announcement. It returns the session as moved and where it was.
func (s *Service) Move(ctx context.Context, by Actor, id int64, start time.Time, d time.Duration) (moved *store.Session, was time.Time, err error) {
	sess, err := s.Manageable(ctx, by, id, OpMove)
	if err != nil {
		return nil, time.Time{}, err
	}
	if d == 0 {
		d = sess.Duration
	}
	if err := CheckDuration(d); err != nil {
		return nil, time.Time{}, err
	}
	now := s.now()
	if err := checkFuture(start, now, s.Zone(sess)); err != nil {
		return nil, time.Time{}, err
	}
	was = sess.Start
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		if err := tx.Reschedule(ctx, sess.ID, start.UTC(), d, now); err != nil {
			return false, err
		}
		if moved, err = tx.Session(ctx, sess.ID); err != nil {
			return false, err
		}
		if err := s.replan(ctx, tx, moved, now); err != nil {
			return false, err
		}
		if err := s.seriesChanged(ctx, tx, moved, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, People(moved)...); err != nil {
			return false, err
		}
		if err := s.planInvites(ctx, tx, moved, moved.Speakers, true, now); err != nil {
			return false, err
		}
		return true, s.enqueueNotice(ctx, tx, moved, &Notice{
			Event: NoticeMoved, Title: moved.Title, Was: was, Start: moved.Start, Duration: moved.Duration, TZ: moved.TZ,
		}, now)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return moved, was, nil
}

// Cancel cancels a session: what it still owed is dropped, a note goes
// under the announcement, and calendars show it cancelled.
func (s *Service) Cancel(ctx context.Context, by Actor, id int64, reason string) (*store.Session, error) {
	sess, err := s.Manageable(ctx, by, id, OpCancel)
	if err != nil {
		return nil, err
	}
	reason = CleanLine(reason)
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		if err := tx.Cancel(ctx, sess.ID, reason, now); err != nil {
			return false, err
		}
		if _, err := tx.DropPending(ctx, sess.ID, "", planKinds...); err != nil {
			return false, err
		}
		if err := reopenRequests(ctx, tx, sess.ID, now); err != nil {
			return false, err
		}
		sess.Status, sess.CancelReason = store.StatusCancelled, reason
		if err := s.seriesChanged(ctx, tx, sess, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, People(sess)...); err != nil {
			return false, err
		}
		sess.Sequence++ // as tx.Cancel did
		if err := s.planCancels(ctx, tx, sess, sess.Speakers, now); err != nil {
			return false, err
		}
		return true, s.enqueueNotice(ctx, tx, sess, &Notice{
			Event: NoticeCancelled, Title: sess.Title, Start: sess.Start, Duration: sess.Duration, TZ: sess.TZ, Reason: reason,
		}, now)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// AddSpeakers adds speakers to a session and returns those who were not
// speaking already, with the session as it now is.
func (s *Service) AddSpeakers(ctx context.Context, by Actor, id int64, speakers []store.Speaker) ([]store.Speaker, *store.Session, error) {
	return s.changeSpeakers(ctx, by, id, speakers, true)
}

// RemoveSpeakers removes speakers from a session and returns those who
// were speaking, with the session as it now is.
func (s *Service) RemoveSpeakers(ctx context.Context, by Actor, id int64, speakers []store.Speaker) ([]store.Speaker, *store.Session, error) {
	return s.changeSpeakers(ctx, by, id, speakers, false)
}

func (s *Service) changeSpeakers(ctx context.Context, by Actor, id int64, speakers []store.Speaker, add bool) ([]store.Speaker, *store.Session, error) {
	sess, err := s.Manageable(ctx, by, id, OpSpeakers)
	if err != nil {
		return nil, nil, err
	}
	if speakers, err = cleanSpeakers(speakers); err != nil {
		return nil, nil, err
	}
	now := s.now()
	var changed []store.Speaker
	before := People(sess) // removed speakers' Homes drop the session
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if add {
			changed, err = tx.AddSpeakers(ctx, sess.ID, speakers)
		} else {
			changed, err = tx.RemoveSpeakers(ctx, sess.ID, speakers)
		}
		if err != nil || len(changed) == 0 {
			return false, err
		}
		if err := tx.Touch(ctx, sess.ID, now); err != nil {
			return false, err
		}
		if sess, err = tx.Session(ctx, sess.ID); err != nil {
			return false, err
		}
		if err := s.replan(ctx, tx, sess, now); err != nil {
			return false, err
		}
		if add {
			if err := oweSpeakerNotes(ctx, tx, sess, changed, now); err != nil {
				return false, err
			}
			err = s.planInvites(ctx, tx, sess, changed, false, now)
		} else {
			err = s.planCancels(ctx, tx, sess, changed, now)
		}
		if err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, append(before, People(sess)...)...); err != nil {
			return false, err
		}
		return true, s.enqueueNotice(ctx, tx, sess, nil, now)
	})
	if err != nil {
		return nil, nil, err
	}
	return changed, sess, nil
}

// Join records userID's RSVP and owes them the reminders still ahead.
// joined is false when they had joined already. Anyone may join a
// session that is neither cancelled nor over.
func (s *Service) Join(ctx context.Context, userID string, id int64) (sess *store.Session, joined bool, err error) {
	if sess, err = s.Session(ctx, id); err != nil {
		return nil, false, err
	}
	if sess.Cancelled() {
		return nil, false, fail(CodeCancelled, "op", OpJoin, "id", sess.ID)
	}
	now := s.now()
	if !sess.End().After(now) {
		return nil, false, fail(CodeOver, "id", sess.ID, "end", sess.End())
	}
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if joined, err = tx.Join(ctx, sess.ID, userID, now); err != nil || !joined {
			return false, err
		}
		sess.Participants = append(sess.Participants, userID)
		if err := oweCoalescedUpdate(ctx, tx, sess, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, userID); err != nil {
			return false, err
		}
		r := s.p.Reminders
		if !r.ToParticipants {
			return true, nil
		}
		for _, off := range r.Before {
			if err := s.planReminders(ctx, tx, sess, off, now, userID, false, false, true); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	return sess, joined, nil
}

// Leave removes userID's RSVP and the reminders it owed them (a speaker
// keeps theirs). left is false when they had not joined.
func (s *Service) Leave(ctx context.Context, userID string, id int64) (sess *store.Session, left bool, err error) {
	if sess, err = s.Session(ctx, id); err != nil {
		return nil, false, err
	}
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if left, err = tx.Leave(ctx, sess.ID, userID); err != nil || !left {
			return false, err
		}
		sess.Participants = slices.DeleteFunc(sess.Participants, func(u string) bool { return u == userID })
		if err := oweCoalescedUpdate(ctx, tx, sess, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, userID); err != nil {
			return false, err
		}
		if sess.HasSpeaker(userID) {
			return true, nil
		}
		_, err = tx.DropPending(ctx, sess.ID, userID, KindReminder)
		return true, err
	})
	if err != nil {
		return nil, false, err
	}
	return sess, left, nil
}

// oweSpeakerNotes owes each Slack speaker just added a DM saying so. The
// key carries the moment, so someone removed and added again hears again.
func oweSpeakerNotes(ctx context.Context, tx store.Tx, sess *store.Session, added []store.Speaker, now time.Time) error {
	for _, sp := range added {
		if sp.UserID == "" {
			continue
		}
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: KindSpeakerAdded, SessionID: sess.ID, Recipient: sp.UserID, Due: now, Deadline: sess.End(),
			Dedupe: fmt.Sprintf("speaker_added:%d:%s:%d", sess.ID, sp.UserID, now.Unix()),
		}, now); err != nil {
			return err
		}
	}
	return nil
}
