package exchange

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Speakers outside Slack (a name and an email) are invited by email when
// mail is set up (Policy.Mail), with the session as a calendar invitation
// that follows every change, and after the session they get a personal
// link to a form with the lesson questions. Without mail the session's
// creator gets that link in Slack to forward. Their answers are stored
// like anyone's, under their email in lower case (store.Speaker.Key).
const (
	// KindMailInvite is a calendar invitation (METHOD:REQUEST) of the
	// session as it is when sent, to Recipient (an email).
	KindMailInvite = "mail_invite"
	// KindMailCancel tells Recipient (an email) the session is off for
	// them (METHOD:CANCEL): cancelled, or they no longer speak.
	KindMailCancel = "mail_cancel"
	// KindMailAnswer is the answer link, by email to Recipient.
	KindMailAnswer = "mail_answer"
	// KindAnswerLink is the answer link of the speaker whose email is the
	// Payload, in Slack to the session's creator (Recipient), to forward.
	KindAnswerLink = "answer_link"
)

// CodeLinkClosed: the answer link is unknown, or its session's lessons
// are closed (Args["id"] when known). Surfaces treat it as not found.
const CodeLinkClosed = "link_closed"

// IsExternal reports whether a lesson's or prompt's person is a speaker
// outside Slack (an email), not a Slack user id.
func IsExternal(person string) bool { return strings.Contains(person, "@") }

// externals are sess's speakers outside Slack.
func externals(speakers []store.Speaker) []store.Speaker {
	var out []store.Speaker
	for _, sp := range speakers {
		if sp.UserID == "" && sp.Email != "" {
			out = append(out, sp)
		}
	}
	return out
}

// InviteUpdate is the Payload of a KindMailInvite row that updates an
// invitation sent before (the session moved or was edited).
const InviteUpdate = "update"

// planInvites owes each of speakers outside Slack the session's
// invitation as it now is: one per version (SEQUENCE), so a move sends an
// update and a retried change sends nothing twice.
func (s *Service) planInvites(ctx context.Context, tx store.Tx, sess *store.Session, speakers []store.Speaker, update bool, now time.Time) error {
	if !s.p.Mail || sess.Cancelled() {
		return nil
	}
	payload := ""
	if update {
		payload = InviteUpdate
	}
	for _, sp := range externals(speakers) {
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: KindMailInvite, SessionID: sess.ID, Recipient: sp.Key(), Due: now, Deadline: sess.End(), Payload: payload,
			Dedupe: fmt.Sprintf("%s:%d:%s:%d", KindMailInvite, sess.ID, sp.Key(), sess.Sequence),
		}, now); err != nil {
			return err
		}
	}
	return nil
}

// planCancels withdraws the invitations still owed to speakers outside
// Slack and owes them a cancellation instead.
func (s *Service) planCancels(ctx context.Context, tx store.Tx, sess *store.Session, speakers []store.Speaker, now time.Time) error {
	if !s.p.Mail {
		return nil
	}
	for _, sp := range externals(speakers) {
		if _, err := tx.DropPending(ctx, sess.ID, sp.Key(), KindMailInvite); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, store.Delivery{
			Kind: KindMailCancel, SessionID: sess.ID, Recipient: sp.Key(), Due: now, Deadline: sess.End(),
			Dedupe: fmt.Sprintf("%s:%d:%s:%d", KindMailCancel, sess.ID, sp.Key(), sess.Sequence),
		}, now); err != nil {
			return err
		}
	}
	return nil
}

// planAnswerLinks owes each speaker outside Slack their answer link once
// the session is over: by email, or through the creator in Slack. Links
// are of no use once the lessons close.
func (s *Service) planAnswerLinks(ctx context.Context, tx store.Tx, sess *store.Session, promptAt time.Time) error {
	closes := s.Closes(sess)
	for _, sp := range externals(sess.Speakers) {
		d := store.Delivery{SessionID: sess.ID, Due: promptAt, Deadline: closes}
		switch {
		case s.p.Mail:
			d.Kind, d.Recipient = KindMailAnswer, sp.Key()
		case sess.Creator != "":
			d.Kind, d.Recipient, d.Payload = KindAnswerLink, sess.Creator, sp.Key()
		default:
			continue
		}
		d.Dedupe = fmt.Sprintf("%s:%s:%s", d.Kind, planKey(sess), sp.Key())
		if err := tx.Enqueue(ctx, d, promptAt); err != nil {
			return err
		}
	}
	return nil
}

// Closes is when a session's lessons close: answer links stop working
// and the summary goes out, whoever has not answered.
func (s *Service) Closes(sess *store.Session) time.Time {
	return sess.End().Add(s.p.Lessons.CloseAfter)
}

// IssueAnswerLink makes a new answer link token for the speaker with
// email at the session, for a sender about to give it to them.
func (s *Service) IssueAnswerLink(ctx context.Context, sessionID int64, email string) (string, error) {
	var token string
	err := s.st.Update(ctx, func(tx store.Tx) (err error) {
		token, err = tx.IssueAnswerToken(ctx, sessionID, email, s.now())
		return err
	})
	return token, err
}

// Questions are the lesson questions in the session's language (its
// lang, else the configured language), in the order they are asked.
func (s *Service) Questions(sess *store.Session) []string {
	lang := sess.Lang
	if lang == "" {
		lang = s.p.Language
	}
	return s.p.Lessons.QuestionsIn(lang)
}

// ExternalForm is what an answer link opens.
type ExternalForm struct {
	Session   *store.Session
	Speaker   store.Speaker
	Questions []string
	// Answers are what the speaker gave so far, by question index.
	Answers map[int]string
	// Closes is when the form stops taking answers.
	Closes time.Time
}

// AnswerForm opens the form an answer link stands for. An unknown token,
// a speaker no longer speaking, a cancelled session or closed lessons
// are all CodeLinkClosed; a session not yet over is CodeNotHeld, with
// the form's Session and Speaker set.
func (s *Service) AnswerForm(ctx context.Context, token string) (ExternalForm, error) {
	if token == "" {
		return ExternalForm{}, fail(CodeLinkClosed)
	}
	at, err := s.st.AnswerToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return ExternalForm{}, fail(CodeLinkClosed)
	}
	if err != nil {
		return ExternalForm{}, err
	}
	sess, err := s.st.Session(ctx, at.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return ExternalForm{}, fail(CodeLinkClosed)
	}
	if err != nil {
		return ExternalForm{}, err
	}
	f := ExternalForm{Session: sess, Questions: s.Questions(sess), Answers: map[int]string{}, Closes: s.Closes(sess)}
	found := false
	for _, sp := range sess.Speakers {
		if sp.UserID == "" && sp.Key() == at.Email {
			f.Speaker, found = sp, true
		}
	}
	now := s.now()
	if !found || sess.Cancelled() || !now.Before(f.Closes) {
		return ExternalForm{}, fail(CodeLinkClosed, "id", sess.ID)
	}
	if err := held(sess, now); err != nil {
		// The session, so the page saying "not yet" speaks its language.
		return ExternalForm{Session: sess, Speaker: f.Speaker}, err
	}
	lessons, err := s.st.Lessons(ctx, sess.ID)
	if err != nil {
		return ExternalForm{}, err
	}
	for _, l := range lessons {
		if l.UserID == at.Email {
			f.Answers[l.QuestionIdx] = l.Answer
		}
	}
	return f, nil
}

// SubmitExternal stores the answers of an answer link's form by question
// index; as in the Slack form, blank ones keep what was there. The form
// answers the speaker's prompt, so they count as through. It returns the
// form as saved.
func (s *Service) SubmitExternal(ctx context.Context, token string, answers map[int]string) (ExternalForm, error) {
	f, err := s.AnswerForm(ctx, token)
	if err != nil {
		return f, err
	}
	person := f.Speaker.Key()
	var given []store.Lesson
	for i, q := range f.Questions {
		if a := strings.TrimSpace(CleanText(answers[i])); a != "" {
			given = append(given, store.Lesson{SessionID: f.Session.ID, UserID: person, QuestionIdx: i, Question: q, Answer: a})
		}
	}
	if len(given) == 0 {
		return ExternalForm{}, fail(CodeNoAnswers, "id", f.Session.ID)
	}
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		for _, l := range given {
			if _, err := tx.SaveAnswer(ctx, l, now); err != nil {
				return false, err
			}
		}
		if err := tx.AdvancePrompt(ctx, f.Session.ID, person, len(f.Questions), store.PromptDone, now); err != nil {
			return false, err
		}
		return s.summarizeIfAllAnswered(ctx, tx, f.Session, now)
	})
	if err != nil {
		return ExternalForm{}, err
	}
	for _, l := range given {
		f.Answers[l.QuestionIdx] = l.Answer
	}
	return f, nil
}
