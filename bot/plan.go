package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Outbox kinds: every message the bot owes is one of these.
const (
	kindAnnounce = "announce" // the announcement in the session's channel
	kindUpdate   = "update"   // chat.update of the announcement
	kindThread   = "thread"   // a note in the announcement's thread (move, cancel)
	kindReminder = "reminder" // before the session, in the thread or by DM
	kindPrompt   = "prompt"   // after the session, the lesson questions by DM
	kindNudge    = "nudge"    // one reminder to a speaker who has not answered
	kindSummary  = "summary"  // the lessons, to the thread and lessons.channel
	kindDigest   = "digest"   // the coming week, to digest.channel
)

// planKinds are the rows derived from a session's time and people; a move
// drops and re-plans them, a cancel drops them.
var planKinds = []string{kindReminder, kindPrompt, kindNudge, kindSummary}

// planSession enqueues the reminders and lesson capture a session's
// schedule implies. Rows whose moment has passed are not created: a
// session scheduled 30 minutes ahead gets no 24-hour reminder.
func (b *Bot) planSession(ctx context.Context, tx store.Tx, s *store.Session, now time.Time) error {
	for _, off := range b.cfg.Reminders.Before {
		if err := b.planReminders(ctx, tx, s, off, now, "", b.cfg.Reminders.ToChannel, b.cfg.Reminders.ToSpeakers, b.cfg.Reminders.ToParticipants); err != nil {
			return err
		}
	}
	return b.planLessons(ctx, tx, s, now)
}

// planReminders enqueues one offset's reminders. only, when set, limits
// the DMs to one user (a participant who just joined).
func (b *Bot) planReminders(ctx context.Context, tx store.Tx, s *store.Session, off time.Duration, now time.Time,
	only string, toChannel, toSpeakers, toParticipants bool) error {
	due := s.Start.Add(-off)
	if !due.After(now) {
		return nil
	}
	rem := func(recipient string, inThread bool) error {
		return tx.Enqueue(ctx, store.Delivery{
			Kind: kindReminder, SessionID: s.ID, Recipient: recipient, InThread: inThread,
			Payload: off.String(), Due: due, Deadline: s.Start,
			Dedupe: fmt.Sprintf("reminder:%d:%d:%s:%s", s.ID, s.Start.Unix(), off, recipient),
		}, now)
	}
	if toChannel && s.Channel != "" {
		if err := rem(s.Channel, true); err != nil {
			return err
		}
	}
	sent := map[string]bool{}
	if toSpeakers {
		for _, sp := range s.Speakers {
			if sp.UserID != "" && (only == "" || only == sp.UserID) && !sent[sp.UserID] {
				sent[sp.UserID] = true
				if err := rem(sp.UserID, false); err != nil {
					return err
				}
			}
		}
	}
	if toParticipants {
		for _, u := range s.Participants {
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

// promptRecipients are the people asked for lessons: every Slack speaker
// and the creator, once each.
func promptRecipients(s *store.Session) []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range s.Speakers {
		if sp.UserID != "" && !seen[sp.UserID] {
			seen[sp.UserID] = true
			out = append(out, sp.UserID)
		}
	}
	if s.Creator != "" && !seen[s.Creator] {
		out = append(out, s.Creator)
	}
	return out
}

// planLessons enqueues the prompts, nudges and the closing summary.
func (b *Bot) planLessons(ctx context.Context, tx store.Tx, s *store.Session, now time.Time) error {
	lc := b.cfg.Lessons
	promptAt := s.End().Add(lc.PromptAfter)
	key := fmt.Sprintf("%d:%d", s.ID, s.Start.Unix())
	for _, u := range promptRecipients(s) {
		for _, d := range []store.Delivery{
			{Kind: kindPrompt, Due: promptAt},
			{Kind: kindNudge, Due: promptAt.Add(lc.NudgeAfter)},
		} {
			d.SessionID, d.Recipient = s.ID, u
			d.Dedupe = fmt.Sprintf("%s:%s:%s", d.Kind, key, u)
			if err := tx.Enqueue(ctx, d, now); err != nil {
				return err
			}
		}
	}
	return tx.Enqueue(ctx, store.Delivery{
		Kind: kindSummary, SessionID: s.ID, Recipient: lc.Channel, Due: s.End().Add(lc.CloseAfter),
		Dedupe: "summary:" + key,
	}, now)
}

// enqueueNotice posts text in the announcement's thread and refreshes the
// announcement itself, after a move, a cancellation or a speaker change.
func (b *Bot) enqueueNotice(ctx context.Context, tx store.Tx, s *store.Session, text string, now time.Time) error {
	if s.Channel == "" {
		return nil
	}
	if text != "" {
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: kindThread, SessionID: s.ID, Recipient: s.Channel, InThread: true, Payload: text, Due: now,
		}, now); err != nil {
			return err
		}
	}
	return tx.Enqueue(ctx, store.Delivery{Kind: kindUpdate, SessionID: s.ID, Recipient: s.Channel, Due: now}, now)
}

// CreateSession stores s with its announcement and planned messages in
// one transaction, exactly as `new` does, for callers outside Slack that
// need times to the second (imports, and tests that run the binary).
func (b *Bot) CreateSession(ctx context.Context, s *store.Session) error {
	now := b.now()
	if s.Created.IsZero() {
		s.Created, s.Updated = now, now
	}
	return b.createSession(ctx, s, now)
}
