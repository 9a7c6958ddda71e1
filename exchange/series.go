package exchange

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A series is sessions scheduled together to repeat (every week, two
// weeks or month). Each occurrence is a session of its own, with its own
// id, reminders, lesson prompts, lessons and evaluation, so everything
// that works on a session works on one occurrence; the series only links
// them, for one announcement, joining them all, and moving or cancelling
// an occurrence with the ones after it.

// ScheduleSeries schedules d, whose Repeat says how it repeats, on
// behalf of by, who must be staff: every occurrence and everything each
// owes, and the series' one announcement, in one transaction. A mistake
// in d (see CheckDraft and Occurrences) stores nothing.
func (s *Service) ScheduleSeries(ctx context.Context, by Actor, d Draft) (*store.Series, error) {
	if !d.Repeat.IsSeries() {
		return nil, fail(CodeEvery, "every", "", "everies", Everies)
	}
	if err := s.RequireStaff(ctx, by.UserID, OpSchedule); err != nil {
		return nil, err
	}
	now := s.now()
	first, err := s.fromDraft(d, by, now)
	if err != nil {
		return nil, err
	}
	starts, err := Occurrences(first.Start, s.Zone(first), d.Repeat)
	if err != nil {
		return nil, err
	}
	// checkFuture passed on the first; the rest come after it.
	sr := &store.Series{Every: d.Repeat.Every, Creator: by.UserID, Created: now}
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		sr.Occurrences = sr.Occurrences[:0]
		if err := tx.CreateSeries(ctx, sr); err != nil {
			return false, err
		}
		for i, start := range starts {
			o := occurrence(first, sr.ID, start)
			if err := tx.CreateSession(ctx, o); err != nil {
				return false, err
			}
			// One announcement for the series, on its first occurrence;
			// every occurrence shares it once it is posted. A request it
			// was planned from is met by the first.
			if i == 0 && o.Channel != "" {
				if err := tx.Enqueue(ctx, announceRow(o, now), now); err != nil {
					return false, err
				}
			}
			if i == 0 && d.Request != 0 {
				if err := s.linkRequest(ctx, tx, by, d.Request, o); err != nil {
					return false, err
				}
			}
			if err := s.planInvites(ctx, tx, o, o.Speakers, false, now); err != nil {
				return false, err
			}
			if err := s.planSession(ctx, tx, o, now); err != nil {
				return false, err
			}
			sr.Occurrences = append(sr.Occurrences, o)
		}
		if err := oweHomes(ctx, tx, now, People(first)...); err != nil {
			return false, err
		}
		if _, err := oweConfirmation(ctx, tx, by.UserID, d.Confirm, scheduled(sr.Occurrences[0], d), now); err != nil {
			return false, err
		}
		return true, s.planSeriesNotes(ctx, tx, sr.ID, now)
	})
	if err != nil {
		return nil, err
	}
	for i, o := range sr.Occurrences {
		o.SeriesPlace, o.SeriesSize = i+1, len(sr.Occurrences)
	}
	return sr, nil
}

// occurrence is a copy of first starting at start, in series id, with
// slices of its own.
func occurrence(first *store.Session, series int64, start time.Time) *store.Session {
	o := *first
	o.ID, o.SeriesID, o.Start = 0, series, start.UTC()
	o.Partners = slices.Clone(first.Partners)
	o.Speakers = slices.Clone(first.Speakers)
	o.Participants = nil
	return &o
}

// SeriesOf returns the series session id belongs to, for op; an *Error
// with CodeNotSeries when it is a one-off session.
func (s *Service) SeriesOf(ctx context.Context, id int64, op string) (*store.Series, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if sess.SeriesID == 0 {
		return nil, fail(CodeNotSeries, "op", op, "id", id)
	}
	return s.st.Series(ctx, sess.SeriesID)
}

// Series returns a series by its own id (as the series' announcement
// knows it), or an *Error with CodeNotFound naming the id.
func (s *Service) Series(ctx context.Context, seriesID int64) (*store.Series, error) {
	sr, err := s.st.Series(ctx, seriesID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(CodeNotFound, "id", seriesID)
	}
	return sr, err
}

// manageableSeries is Manageable for an operation on an occurrence and
// the ones after it.
func (s *Service) manageableSeries(ctx context.Context, by Actor, id int64, op string) (*store.Session, error) {
	sess, err := s.Manageable(ctx, by, id, op)
	if err != nil {
		return nil, err
	}
	if sess.SeriesID == 0 {
		return nil, fail(CodeNotSeries, "op", op, "id", id)
	}
	return sess, nil
}

// fromHere returns the confirmed occurrences of sr from sess on: sess and
// those after it in the series' order.
func fromHere(sr *store.Series, sess *store.Session) []*store.Session {
	i := slices.IndexFunc(sr.Occurrences, func(o *store.Session) bool { return o.ID == sess.ID })
	if i < 0 {
		return nil
	}
	var out []*store.Session
	for _, o := range sr.Occurrences[i:] {
		if !o.Cancelled() {
			out = append(out, o)
		}
	}
	return out
}

// MoveSeries moves occurrence id to start (read by the surface in the
// session's Zone) and every later occurrence of its series by the same
// change in wall time (see shiftWall), each for d, or its own length when
// d is 0. Earlier occurrences are not touched. Each moved one gets a new
// version in calendars and its reminders and lesson capture follow; one
// note goes under the series' announcement. It returns the occurrences as
// moved and where the first of them was.
func (s *Service) MoveSeries(ctx context.Context, by Actor, id int64, start time.Time, d time.Duration) (moved []*store.Session, was time.Time, err error) {
	sess, err := s.manageableSeries(ctx, by, id, OpMove)
	if err != nil {
		return nil, time.Time{}, err
	}
	if d != 0 {
		if err := CheckDuration(d); err != nil {
			return nil, time.Time{}, err
		}
	}
	now := s.now()
	loc := s.Zone(sess)
	if err := checkFuture(start, now, loc); err != nil {
		return nil, time.Time{}, err
	}
	was = sess.Start
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		moved = moved[:0]
		sr, err := tx.Series(ctx, sess.SeriesID)
		if err != nil {
			return false, err
		}
		for _, o := range fromHere(sr, sess) {
			to := shiftWall(o.Start, was, start, loc)
			if err := checkFuture(to, now, loc); err != nil {
				return false, err
			}
			length := o.Duration
			if d != 0 {
				length = d
			}
			if err := tx.Reschedule(ctx, o.ID, to.UTC(), length, now); err != nil {
				return false, err
			}
			// As tx.Reschedule stored it, to the second: the series was
			// just read, so reading each occurrence again adds nothing.
			o.Start, o.Duration = time.Unix(to.Unix(), 0).UTC(), length.Truncate(time.Second)
			o.Sequence++
			o.Updated = time.Unix(now.Unix(), 0).UTC()
			if err := s.replan(ctx, tx, o, now); err != nil {
				return false, err
			}
			if err := s.planInvites(ctx, tx, o, o.Speakers, true, now); err != nil {
				return false, err
			}
			moved = append(moved, o)
		}
		if err := s.planSeriesNotes(ctx, tx, sess.SeriesID, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, seriesPeople(moved)...); err != nil {
			return false, err
		}
		first := moved[0]
		return true, s.enqueueNotice(ctx, tx, first, &Notice{
			Event: NoticeSeriesMoved, Title: first.Title, Was: was, Start: first.Start, Duration: first.Duration, TZ: first.TZ,
			Count: len(moved),
		}, now)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return moved, was, nil
}

// CancelSeries cancels occurrence id and every later one of its series:
// what each still owed is dropped, calendars show each cancelled, and one
// note goes under the series' announcement. Earlier occurrences are not
// touched. It returns the occurrences it cancelled.
func (s *Service) CancelSeries(ctx context.Context, by Actor, id int64, reason string) ([]*store.Session, error) {
	sess, err := s.manageableSeries(ctx, by, id, OpCancel)
	if err != nil {
		return nil, err
	}
	reason = CleanLine(reason)
	now := s.now()
	var cancelled []*store.Session
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		cancelled = cancelled[:0]
		sr, err := tx.Series(ctx, sess.SeriesID)
		if err != nil {
			return false, err
		}
		for _, o := range fromHere(sr, sess) {
			if err := tx.Cancel(ctx, o.ID, reason, now); err != nil {
				return false, err
			}
			if _, err := tx.DropPending(ctx, o.ID, "", planKinds...); err != nil {
				return false, err
			}
			o.Status, o.CancelReason = store.StatusCancelled, reason
			o.Sequence++ // as tx.Cancel did
			if err := s.planCancels(ctx, tx, o, o.Speakers, now); err != nil {
				return false, err
			}
			cancelled = append(cancelled, o)
		}
		if err := s.planSeriesNotes(ctx, tx, sess.SeriesID, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, seriesPeople(cancelled)...); err != nil {
			return false, err
		}
		first := cancelled[0]
		return true, s.enqueueNotice(ctx, tx, first, &Notice{
			Event: NoticeSeriesCancelled, Title: first.Title, Start: first.Start, Duration: first.Duration, TZ: first.TZ,
			Reason: reason, Count: len(cancelled),
		}, now)
	})
	if err != nil {
		return nil, err
	}
	return cancelled, nil
}

// JoinSeries records userID's RSVP to every occurrence of the series
// session id belongs to that is neither cancelled nor over, and owes them
// each one's reminders still ahead. It returns the series and how many
// occurrences they newly joined (0 when they had joined them all).
func (s *Service) JoinSeries(ctx context.Context, userID string, id int64) (sr *store.Series, joined int, err error) {
	if sr, err = s.SeriesOf(ctx, id, OpJoin); err != nil {
		return nil, 0, err
	}
	now := s.now()
	if len(sr.Upcoming(now)) == 0 {
		return nil, 0, fail(CodeOver, "id", id, "end", sr.Occurrences[len(sr.Occurrences)-1].End())
	}
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		joined = 0
		// Read again in the transaction: an occurrence cancelled since is
		// not joined.
		if sr, err = tx.Series(ctx, sr.ID); err != nil {
			return false, err
		}
		for _, o := range sr.Upcoming(now) {
			ok, err := tx.Join(ctx, o.ID, userID, now)
			if err != nil {
				return false, err
			}
			if !ok {
				continue
			}
			joined++
			o.Participants = append(o.Participants, userID)
			if !s.p.Reminders.ToParticipants {
				continue
			}
			for _, off := range s.p.Reminders.Before {
				if err := s.planReminders(ctx, tx, o, off, now, userID, false, false, true); err != nil {
					return false, err
				}
			}
		}
		if joined == 0 {
			return false, nil
		}
		// The occurrences share one announcement: one refresh shows them all.
		if err := oweCoalescedUpdate(ctx, tx, sr.Occurrences[0], now); err != nil {
			return false, err
		}
		return true, oweHomes(ctx, tx, now, userID)
	})
	if err != nil {
		return nil, 0, err
	}
	return sr, joined, nil
}

// LeaveSeries removes userID's RSVP from every occurrence of the series
// session id belongs to that is not over yet, and the reminders they owed
// them (a speaker keeps theirs). It returns the series and how many
// occurrences they left.
func (s *Service) LeaveSeries(ctx context.Context, userID string, id int64) (sr *store.Series, left int, err error) {
	if sr, err = s.SeriesOf(ctx, id, OpLeave); err != nil {
		return nil, 0, err
	}
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		left = 0
		if sr, err = tx.Series(ctx, sr.ID); err != nil {
			return false, err
		}
		for _, o := range sr.Occurrences {
			if !o.End().After(now) {
				continue
			}
			ok, err := tx.Leave(ctx, o.ID, userID)
			if err != nil {
				return false, err
			}
			if !ok {
				continue
			}
			left++
			if !o.HasSpeaker(userID) {
				if _, err := tx.DropPending(ctx, o.ID, userID, KindReminder); err != nil {
					return false, err
				}
			}
		}
		if left == 0 {
			return false, nil
		}
		if err := oweCoalescedUpdate(ctx, tx, sr.Occurrences[0], now); err != nil {
			return false, err
		}
		return true, oweHomes(ctx, tx, now, userID)
	})
	if err != nil {
		return nil, 0, err
	}
	return sr, left, nil
}

// SeriesLessons returns the series session id belongs to and the lessons
// of all its occurrences, occurrence by occurrence in the series' order,
// then as Lessons orders one session's.
func (s *Service) SeriesLessons(ctx context.Context, id int64) (*store.Series, []store.Lesson, error) {
	sr, err := s.SeriesOf(ctx, id, OpLessons)
	if err != nil {
		return nil, nil, err
	}
	var all []store.Lesson
	for _, o := range sr.Occurrences {
		ls, err := s.st.Lessons(ctx, o.ID)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, ls...)
	}
	return sr, all, nil
}

// seriesChanged follows a change to one occurrence (moved, cancelled)
// in the notes its series owes.
func (s *Service) seriesChanged(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	if sess.SeriesID == 0 {
		return nil
	}
	return s.planSeriesNotes(ctx, tx, sess.SeriesID, now)
}

// seriesPeople are everyone whose App Home shows any of occurrences.
func seriesPeople(occurrences []*store.Session) []string {
	var out []string
	for _, o := range occurrences {
		out = append(out, People(o)...)
	}
	return out
}
