package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Outbox kinds: every message the bot owes is one of these. A surface
// registers one sender per kind.
const (
	KindAnnounce = "announce" // the announcement in the session's channel
	KindUpdate   = "update"   // a refresh of the announcement
	KindThread   = "thread"   // a note under the announcement (move, cancel); Payload is a Notice
	KindReminder = "reminder" // before the session, under the announcement or direct; Payload is the offset
	KindPrompt   = "prompt"   // after the session, the lesson questions, direct
	KindNudge    = "nudge"    // one reminder to someone who has not answered
	KindSummary  = "summary"  // the lessons, to lessons.channel and under the announcement
	KindDigest   = "digest"   // the coming week, to the digest channel
	// KindUndelivered tells a session's creator that a message about it
	// could not be delivered; Payload is the failed row's id.
	KindUndelivered = "undelivered"
	// KindSeriesNote is the note under a series' announcement that its
	// next occurrence is coming; the row's session is that occurrence.
	KindSeriesNote = "series_note"

	// KindRequestNews tells the person who asked for a session what became
	// of their request, by DM; Payload is a RequestNews.
	KindRequestNews = "request_news"
	// KindEvaluate is due evaluation.after past a session's end: it posts
	// nothing, but owes each participant then joined their ratings DM.
	KindEvaluate = "evaluate"
	// KindEvaluation asks one participant how useful the session was and
	// what they will apply, by DM.
	KindEvaluation = "evaluation"
	// KindEvaluationNudge reminds, once, a participant who answered nothing.
	KindEvaluationNudge = "evaluation_nudge"
	// KindFollowUp asks, at evaluation.follow_up, someone who said what
	// they would apply whether they did and what changed.
	KindFollowUp = "follow_up"
	// KindFollowUpNudge reminds, once, someone who did not answer it.
	KindFollowUpNudge = "follow_up_nudge"
	// KindInbound is a request a surface acknowledged before carrying it
	// out (see Accept); Payload is the surface's own record of it.
	KindInbound = "inbound"
	// KindHome refreshes one person's App Home (Recipient); no session.
	KindHome = "home"
	// KindSpeakerAdded tells a Slack speaker added after scheduling that
	// they speak, by DM.
	KindSpeakerAdded = "speaker_added"
	// KindReply answers one person once: a DM to the bot (the next
	// question of a walk-through, an evaluation's confirmation, chat or
	// a refusal; see OweReply), or a form they submitted (ConfirmTo).
	// Payload is a Reply, which the surface words when it sends it.
	KindReply = "reply"
)

// Coalesce is the window in which changes share one refresh: every join
// and leave in it updates the announcement once, and every change of a
// person's sessions in it publishes their App Home once, at its end. The
// refresh is an outbox row keyed by the window, so it is as durable as
// any message and one replica sends it.
const Coalesce = 5 * time.Second

// windowEnd is the end of the Coalesce window holding now.
func windowEnd(now time.Time) time.Time { return now.Truncate(Coalesce).Add(Coalesce) }

// oweCoalescedUpdate owes one refresh of the announcement at the end of
// now's window, whatever else changes it in that window.
func oweCoalescedUpdate(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	if sess.Channel == "" {
		return nil
	}
	due := windowEnd(now)
	return tx.Enqueue(ctx, store.Delivery{
		Kind: KindUpdate, SessionID: sess.ID, Recipient: sess.Channel, Due: due,
		Dedupe: fmt.Sprintf("update:%d:%d", sess.ID, due.Unix()),
	}, now)
}

// oweHomes owes each of users one App Home refresh at the end of now's
// window.
func oweHomes(ctx context.Context, tx store.Tx, now time.Time, users ...string) error {
	due := windowEnd(now)
	seen := map[string]bool{}
	for _, u := range users {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: KindHome, Recipient: u, Due: due, Dedupe: fmt.Sprintf("home:%s:%d", u, due.Unix()),
		}, now); err != nil {
			return err
		}
	}
	return nil
}

// People are everyone whose App Home shows sess: its creator, its Slack
// speakers and its participants.
func People(sess *store.Session) []string {
	out := []string{sess.Creator}
	for _, sp := range sess.Speakers {
		if sp.UserID != "" {
			out = append(out, sp.UserID)
		}
	}
	return append(out, sess.Participants...)
}

// planKinds are the rows derived from a session's time and people; a move
// or a change of speakers drops and re-plans them, a cancel drops them.
// The rows an evaluation owes each participant are not among them: they
// exist only once the session is over, and their senders read it again.
var planKinds = []string{KindReminder, KindPrompt, KindNudge, KindSummary, KindMailAnswer, KindAnswerLink, KindEvaluate}

// Notice is the payload of a KindThread row: what happened to the
// session, for the sender to word in the session's language.
type Notice struct {
	Event    string        `json:"event"` // NoticeMoved, NoticeCancelled, NoticeSeriesMoved or NoticeSeriesCancelled
	Title    string        `json:"title"`
	Was      time.Time     `json:"was,omitzero"` // moved: the old start
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration,omitempty"`
	TZ       string        `json:"tz"`
	Reason   string        `json:"reason,omitempty"` // cancelled: why, as given
	// Count is how many occurrences of a series a series notice is about:
	// Was and Start are then those of the first of them.
	Count int    `json:"count,omitempty"`
	Link  string `json:"link,omitempty"` // link: the new join link
}

// Notice events.
const (
	NoticeMoved     = "moved"
	NoticeCancelled = "cancelled"
	// An occurrence of a series and the later ones moved, or were cancelled.
	NoticeSeriesMoved     = "series_moved"
	NoticeSeriesCancelled = "series_cancelled"
	// NoticeLink: the join link changed (Link is the new one, "" when removed).
	NoticeLink = "link"
)

// ReadNotice decodes a KindThread payload. Rows queued before notices
// were structured hold the finished text: ok is then false and the
// payload is to be posted as it is.
func ReadNotice(payload string) (n Notice, ok bool) {
	if err := json.Unmarshal([]byte(payload), &n); err != nil || n.Event == "" {
		return Notice{}, false
	}
	return n, true
}

// planKey ties lesson rows to one occurrence of a session: a move gives
// new rows, and moving back revives the old ones.
func planKey(sess *store.Session) string { return fmt.Sprintf("%d:%d", sess.ID, sess.Start.Unix()) }

// SummaryKey is the dedupe key of a session's planned summary.
func SummaryKey(sess *store.Session) string { return "summary:" + planKey(sess) }

// SummaryThreadKey is the key of the summary's copy under the
// announcement, made from the planned summary row's key.
func SummaryThreadKey(summaryKey string) string { return summaryKey + ":thread" }

// DigestKey is the key of the digest owed on the day of at (in loc), so
// a job firing twice (two replicas, a restart on the minute) owes one.
func DigestKey(at time.Time, loc *time.Location) string {
	return "digest:" + at.In(loc).Format("2006-01-02")
}

// digestLate is how long a digest may wait (Slack down) and still be
// worth posting; after that next week's is closer than this one.
const digestLate = 24 * time.Hour

// Undelivered is the row that tells the creator of sess that d could not
// be delivered to where (a channel or person) for cause (a stable code of
// the failure). One per session, place and cause: the first failure
// tells them, later ones (the thread's reminders, when the channel is
// gone) would only repeat it. ok is false when there is nobody to tell,
// or d was itself such a note.
func Undelivered(d store.Delivery, sess *store.Session, where, cause string, now time.Time) (row store.Delivery, ok bool) {
	if d.Kind == KindUndelivered || sess == nil || sess.Creator == "" || quietKinds[d.Kind] {
		return store.Delivery{}, false
	}
	return store.Delivery{
		Kind: KindUndelivered, SessionID: sess.ID, Recipient: sess.Creator, Payload: fmt.Sprint(d.ID), Due: now,
		Dedupe: fmt.Sprintf("undelivered:%d:%s:%s", sess.ID, where, cause),
	}, true
}

// quietKinds are the DMs to participants a creator cannot do anything
// about when they fail (the person left, or takes no DMs): the log and
// the metric tell the operator, the creator is not told once per person.
var quietKinds = map[string]bool{
	KindEvaluation: true, KindEvaluationNudge: true, KindFollowUp: true, KindFollowUpNudge: true,
}

func announceRow(sess *store.Session, now time.Time) store.Delivery {
	return store.Delivery{Kind: KindAnnounce, SessionID: sess.ID, Recipient: sess.Channel, Due: now,
		Dedupe: fmt.Sprintf("announce:%d", sess.ID)}
}

// planSession enqueues the reminders and lesson capture a session's
// schedule implies. Rows whose moment has passed are not created: a
// session scheduled 30 minutes ahead gets no 24-hour reminder.
func (s *Service) planSession(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	r := s.p.Reminders
	for _, off := range r.Before {
		if err := s.planReminders(ctx, tx, sess, off, now, "", r.ToChannel, r.ToSpeakers, r.ToParticipants); err != nil {
			return err
		}
	}
	return s.planLessons(ctx, tx, sess, now)
}

// planReminders enqueues one offset's reminders. only, when set, limits
// the direct ones to one user (a participant who just joined).
func (s *Service) planReminders(ctx context.Context, tx store.Tx, sess *store.Session, off time.Duration, now time.Time,
	only string, toChannel, toSpeakers, toParticipants bool) error {
	due := sess.Start.Add(-off)
	if !due.After(now) {
		return nil
	}
	rem := func(recipient string, inThread bool) error {
		return tx.Enqueue(ctx, store.Delivery{
			Kind: KindReminder, SessionID: sess.ID, Recipient: recipient, InThread: inThread,
			Payload: off.String(), Due: due, Deadline: sess.Start,
			Dedupe: fmt.Sprintf("reminder:%d:%d:%s:%s", sess.ID, sess.Start.Unix(), off, recipient),
		}, now)
	}
	if toChannel && sess.Channel != "" {
		if err := rem(sess.Channel, true); err != nil {
			return err
		}
	}
	sent := map[string]bool{}
	if toSpeakers {
		for _, sp := range sess.Speakers {
			if sp.UserID != "" && (only == "" || only == sp.UserID) && !sent[sp.UserID] {
				sent[sp.UserID] = true
				if err := rem(sp.UserID, false); err != nil {
					return err
				}
			}
		}
	}
	if toParticipants {
		for _, u := range sess.Participants {
			if (only == "" || only == u) && !sent[u] {
				sent[u] = true
				if err := rem(u, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// PromptRecipients are the people asked for lessons: every Slack speaker
// and the creator, once each.
func PromptRecipients(sess *store.Session) []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range sess.Speakers {
		if sp.UserID != "" && !seen[sp.UserID] {
			seen[sp.UserID] = true
			out = append(out, sp.UserID)
		}
	}
	if sess.Creator != "" && !seen[sess.Creator] {
		out = append(out, sess.Creator)
	}
	return out
}

// planLessons enqueues the prompts, nudges and the closing summary.
func (s *Service) planLessons(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	lc := s.p.Lessons
	promptAt := sess.End().Add(lc.PromptAfter)
	key := planKey(sess)
	for _, u := range PromptRecipients(sess) {
		for _, d := range []store.Delivery{
			{Kind: KindPrompt, Due: promptAt},
			{Kind: KindNudge, Due: promptAt.Add(lc.NudgeAfter)},
		} {
			d.SessionID, d.Recipient = sess.ID, u
			d.Dedupe = fmt.Sprintf("%s:%s:%s", d.Kind, key, u)
			if err := tx.Enqueue(ctx, d, now); err != nil {
				return err
			}
		}
	}
	if err := s.planAnswerLinks(ctx, tx, sess, promptAt); err != nil {
		return err
	}
	if err := tx.Enqueue(ctx, store.Delivery{
		Kind: KindSummary, SessionID: sess.ID, Recipient: lc.Channel, Due: sess.End().Add(lc.CloseAfter),
		Dedupe: SummaryKey(sess),
	}, now); err != nil {
		return err
	}
	return s.planEvaluation(ctx, tx, sess, now)
}

// replan drops what a session's old schedule or people implied and plans
// it again from sess as it now is.
func (s *Service) replan(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	if _, err := tx.DropPending(ctx, sess.ID, "", planKinds...); err != nil {
		return err
	}
	return s.planSession(ctx, tx, sess, now)
}

// enqueueNotice owes a note under the announcement (when n is given) and
// a refresh of the announcement itself, after any change to the session.
func (s *Service) enqueueNotice(ctx context.Context, tx store.Tx, sess *store.Session, n *Notice, now time.Time) error {
	if sess.Channel == "" {
		return nil
	}
	if n != nil {
		payload, err := json.Marshal(n)
		if err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: KindThread, SessionID: sess.ID, Recipient: sess.Channel, InThread: true, Payload: string(payload), Due: now,
		}, now); err != nil {
			return err
		}
	}
	return tx.Enqueue(ctx, store.Delivery{Kind: KindUpdate, SessionID: sess.ID, Recipient: sess.Channel, Due: now}, now)
}

// seriesNoteAhead bounds how early the note about a series' next
// occurrence goes out: right after the occurrence before it ends, but no
// more than this before its own start, so a monthly series does not say
// a month ahead what the reminders will say again.
const seriesNoteAhead = 7 * 24 * time.Hour

// planSeriesNotes owes, under the series' announcement, a note before
// each occurrence but the first (which the announcement itself
// introduces): due when the occurrence before it ends, or seriesNoteAhead
// before its own start if that is later, and useless once it starts. It
// plans the whole series again from its occurrences as they now are, so
// a move or a cancellation anywhere in it is followed: what was pending
// is dropped, a note already posted for the same start is not repeated,
// and a note whose moment has passed is not created.
func (s *Service) planSeriesNotes(ctx context.Context, tx store.Tx, seriesID int64, now time.Time) error {
	sr, err := tx.Series(ctx, seriesID)
	if err != nil {
		return err
	}
	var prev *store.Session
	for _, o := range sr.Occurrences {
		if _, err := tx.DropPending(ctx, o.ID, "", KindSeriesNote); err != nil {
			return err
		}
		if o.Cancelled() {
			continue
		}
		if prev != nil && o.Channel != "" {
			due := prev.End()
			if early := o.Start.Add(-seriesNoteAhead); early.After(due) {
				due = early
			}
			if due.After(now) && due.Before(o.Start) {
				if err := tx.Enqueue(ctx, store.Delivery{
					Kind: KindSeriesNote, SessionID: o.ID, Recipient: o.Channel, InThread: true, Due: due, Deadline: o.Start,
					Dedupe: fmt.Sprintf("series_note:%d:%d", o.ID, o.Start.Unix()),
				}, now); err != nil {
					return err
				}
			}
		}
		prev = o
	}
	return nil
}
