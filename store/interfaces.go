package store

import (
	"context"
	"time"
)

// Store is a backend: it reads what the bot keeps and runs changes. It is
// safe for concurrent use. Times are stored in UTC at one-second
// precision and come back in UTC.
type Store interface {
	// Update runs fn in a transaction and returns once its change is
	// committed, or with fn's error and nothing of fn's changed. Under a
	// context made by WithRequestKey, the first Update records the key in
	// the same transaction and fails with ErrDuplicate when it was already
	// there. fn must not call the Store's own methods.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the backend. No call may be running or start after it.
	Close() error
	// Ping checks the backend answers a query, for /healthz.
	Ping(ctx context.Context) error
	// CheckWrite makes a tiny write through the same path as every change
	// and commits it, for /healthz. It returns when ctx ends even if the
	// write is still waiting.
	CheckWrite(ctx context.Context) error

	// Session returns one session with its partners, speakers and
	// participants, or ErrNotFound.
	Session(ctx context.Context, id int64) (*Session, error)
	// SessionExists reports whether a session with id is stored, without
	// loading it.
	SessionExists(ctx context.Context, id int64) (bool, error)
	// Sessions lists sessions with their details, soonest first (latest
	// first with Filter.Newest), ties by id.
	Sessions(ctx context.Context, f Filter) ([]*Session, error)
	// Series returns a series with its occurrences, or ErrNotFound.
	Series(ctx context.Context, id int64) (*Series, error)
	// SessionCount returns how many sessions Sessions would list for f
	// without its Limit and Offset.
	SessionCount(ctx context.Context, f Filter) (int, error)
	// CountSessions returns how many sessions are stored (for tests and load runs).
	CountSessions(ctx context.Context) (int, error)
	// FeedVersion returns a number that changes with every change a
	// calendar feed can show, and when it last changed. Changes made
	// through this Store show at once; changes by other processes sharing
	// the data may take up to a second.
	FeedVersion(ctx context.Context) (int64, time.Time, error)

	// FeedTokenCreated reports when the user's current feed token was
	// made, or ErrNotFound when they have none.
	FeedTokenCreated(ctx context.Context, userID string) (time.Time, error)
	// FeedTokenUser returns the user a feed token belongs to, or
	// ErrNotFound for an unknown or revoked token.
	FeedTokenUser(ctx context.Context, token string) (string, error)
	// ServerKey returns the 32-byte secret kept under name, made at random
	// on first use; every process sharing the data gets the same one.
	// Session feed links are signed with one.
	ServerKey(ctx context.Context, name string) ([]byte, error)

	// MarkProcessed records key as acted on; it returns ErrDuplicate when
	// the key was already there, which is how redelivered requests are
	// recognised.
	MarkProcessed(ctx context.Context, key string, now time.Time) error
	// PruneProcessed drops keys recorded before before, except those
	// starting with KeptKeyPrefix.
	PruneProcessed(ctx context.Context, before time.Time) error

	// Prompt returns userID's prompt for the session, or ErrNotFound.
	Prompt(ctx context.Context, sessionID int64, userID string) (Prompt, error)
	// UserPrompts lists every prompt userID was sent, latest first.
	UserPrompts(ctx context.Context, userID string) ([]Prompt, error)
	// ActivePrompt reads the prompt a DM reply would answer; see Tx.ActivePrompt.
	ActivePrompt(ctx context.Context, dmChannel, userID string) (Prompt, error)
	// Lessons lists one session's answers, speaker by speaker (in the
	// order they first answered), then question by question.
	Lessons(ctx context.Context, sessionID int64) ([]Lesson, error)
	// LatestLessons lists the most recently given or edited answers.
	LatestLessons(ctx context.Context, limit int) ([]Lesson, error)
	// AllLessons lists every answer for export: session by session in the
	// order they were held, then speaker by speaker.
	AllLessons(ctx context.Context) ([]Lesson, error)
	// Answered counts each person's answers to the session.
	Answered(ctx context.Context, sessionID int64) (map[string]int, error)
	// Search finds answers matching words, best first. Every word must
	// match; "quoted words" match as a phrase and a word ending in * as a
	// prefix (evalua* finds "evaluaciones"). When nothing matches every
	// word, any word will do. Case and accents are ignored, and nothing
	// typed is an error.
	Search(ctx context.Context, words string, limit int) ([]SearchResult, error)
	// Library lists lessons matching q: ranked by Search's rules when it
	// has words, else the latest given or edited first. Snippets are set
	// only for a search.
	Library(ctx context.Context, q LessonQuery) ([]SearchResult, error)
	// Report computes the figures for the sessions q selects.
	Report(ctx context.Context, q ReportQuery) (Report, error)

	// Request returns one request, or ErrNotFound.
	Request(ctx context.Context, id int64) (Request, error)
	// Requests lists requests, oldest first (latest first with
	// Filter.Newest), ties by id.
	Requests(ctx context.Context, f RequestFilter) ([]Request, error)
	// Evaluation returns userID's evaluation of the session, or ErrNotFound.
	Evaluation(ctx context.Context, sessionID int64, userID string) (Evaluation, error)
	// ActiveEvaluation reads the evaluation a DM reply would answer; see
	// Tx.ActiveEvaluation.
	ActiveEvaluation(ctx context.Context, dmChannel, userID string) (Evaluation, error)
	// Evaluations lists evaluations with their sessions' details, session
	// by session in the order they were held, then by user.
	Evaluations(ctx context.Context, f EvaluationFilter) ([]Evaluation, error)
	// OptedOut reports whether userID asked never to be asked to evaluate.
	OptedOut(ctx context.Context, userID string) (bool, error)
	// AnswerToken returns what an answer link's token stands for, or
	// ErrNotFound for a token never issued.
	AnswerToken(ctx context.Context, token string) (AnswerToken, error)

	// DueDeliveries lists up to limit pending deliveries whose next
	// attempt is at or before now, oldest first, ties by id. It only
	// reads; ClaimDelivery takes one.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// Delivery reads one outbox row, or ErrNotFound.
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// Deliveries lists a session's outbox rows (all sessions when id is
	// 0) in the order they were enqueued.
	Deliveries(ctx context.Context, sessionID int64) ([]Delivery, error)
	// AnnouncementState is the state of a session's announcement
	// delivery (kind "announce"), or "" when none was planned. A series
	// has one announcement, planned on one of its occurrences: the state
	// of an occurrence is that of its series' announcement.
	AnnouncementState(ctx context.Context, sessionID int64) (string, error)
	// SendingDeliveries lists rows in sending claimed before claimedBefore.
	SendingDeliveries(ctx context.Context, claimedBefore time.Time) ([]Delivery, error)
	// Agenda reads, at once, up to limit due rows (as DueDeliveries), when
	// the earliest pending row not yet due becomes due, and up to limit
	// claimed rows, oldest claim first: all the delivery engine needs to
	// know to sleep until the next thing to do, with the rate pauses
	// running at now.
	Agenda(ctx context.Context, now time.Time, limit int) (Agenda, error)
	// SetRatePause records that calls under key must wait until until (a
	// service's Retry-After), for every process sharing the data. A later
	// end already recorded under key stays; until is kept rounded up to
	// the second, so a pause never ends early. Pauses ended by now are
	// dropped.
	SetRatePause(ctx context.Context, key string, until, now time.Time) error
	// RatePauses returns the pauses still running at now, by key.
	RatePauses(ctx context.Context, now time.Time) (map[string]time.Time, error)
	// OnEnqueue registers fn, called after every commit that added outbox
	// rows or put rows back in the queue (Tx.Enqueue, RetryFailed,
	// MarkFailed's notices), so the delivery engine wakes without its
	// callers having to remember. fn must return at once. A backend shared
	// by several processes may also call it for other processes' commits.
	OnEnqueue(fn func())
	// RetryFailed puts failed deliveries back in the queue, due now (the
	// one with id, or every failed one when id is 0), keeping their
	// channel and attempts, and returns them with the error that had
	// failed each.
	RetryFailed(ctx context.Context, id int64, now time.Time) ([]Delivery, error)

	// ClaimDelivery moves a pending delivery to sending and counts the
	// attempt. It returns ErrNotFound when someone else changed it first,
	// so two workers never send the same row. The returned Delivery is the
	// claim: its Attempts fences the changes below.
	ClaimDelivery(ctx context.Context, id int64, now time.Time) (Delivery, error)

	// The changes below apply only while the caller still holds the claim
	// d (same row, still sending, same attempt); otherwise they change
	// nothing and return ErrNotFound.

	// SetDeliveryChannel records where a claimed delivery is about to be
	// posted, so recovery knows where to look.
	SetDeliveryChannel(ctx context.Context, d Delivery, channel string) error
	// MarkPosted records a claimed delivery as sent at channel/ts.
	MarkPosted(ctx context.Context, d Delivery, channel, ts string, now time.Time) error
	// MarkRetry puts a claimed delivery back to pending for another
	// attempt at next and forgets its channel: Slack certainly did not
	// take it.
	MarkRetry(ctx context.Context, d Delivery, next time.Time, reason string, now time.Time) error
	// MarkUncertain puts a claimed delivery back to pending for another
	// attempt at next, keeping its channel: Slack may have taken it.
	MarkUncertain(ctx context.Context, d Delivery, next time.Time, reason string, now time.Time) error
	// MarkDone ends a delivery in a final state (skipped, dropped, failed) with a reason.
	MarkDone(ctx context.Context, d Delivery, state, reason string, now time.Time) error
	// MarkAnnounced records an announcement delivery as sent and, in the
	// same transaction, where the session's announcement now lives.
	MarkAnnounced(ctx context.Context, d Delivery, channel, ts string, now time.Time) error
	// MarkFailed ends a claimed delivery as failed and, in the same
	// transaction, enqueues the notices owed about it.
	MarkFailed(ctx context.Context, d Delivery, reason string, now time.Time, notices ...Delivery) error
}

// Tx is one write transaction; see Store.Update. It is valid only inside
// the function Update runs.
type Tx interface {
	// Session reads a session inside the transaction, or ErrNotFound.
	Session(ctx context.Context, id int64) (*Session, error)
	// CreateSession stores a new session with its partners and speakers
	// and sets s.ID (and s.Status to StatusConfirmed when empty). Created
	// and Updated must be set by the caller's clock. A SeriesID links it
	// to a series made by CreateSeries.
	CreateSession(ctx context.Context, s *Session) error
	// CreateSeries stores a new series (without occurrences, which are
	// created with CreateSession) and sets sr.ID.
	CreateSeries(ctx context.Context, sr *Series) error
	// Series reads a series with its occurrences inside the transaction,
	// or ErrNotFound.
	Series(ctx context.Context, id int64) (*Series, error)
	// Reschedule moves a session and raises its sequence.
	Reschedule(ctx context.Context, id int64, start time.Time, d time.Duration, now time.Time) error
	// Cancel marks a session cancelled and raises its sequence.
	Cancel(ctx context.Context, id int64, reason string, now time.Time) error
	// Touch raises a session's sequence after a change to its details
	// (speakers), so calendar clients take the new version.
	Touch(ctx context.Context, id int64, now time.Time) error
	// SetDetails sets what an edit changes (title, kind, link,
	// description, language) and raises the session's sequence.
	SetDetails(ctx context.Context, id int64, d Details, now time.Time) error
	// SetAnnouncement records where the session's announcement was
	// posted; for an occurrence of a series, on every occurrence, as the
	// series has one announcement.
	SetAnnouncement(ctx context.Context, id int64, channel, ts string) error
	// AddSpeakers adds speakers to a session, creating speaker records as
	// needed (a Slack user by UserID, an external one by email, case
	// ignored), and returns those that were not already speaking.
	AddSpeakers(ctx context.Context, sessionID int64, speakers []Speaker) ([]Speaker, error)
	// RemoveSpeakers removes speakers from a session and returns those
	// that were speaking.
	RemoveSpeakers(ctx context.Context, sessionID int64, speakers []Speaker) ([]Speaker, error)
	// Join records an RSVP; it reports false when the user had already joined.
	Join(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error)
	// Leave removes an RSVP; it reports false when the user had not joined.
	Leave(ctx context.Context, sessionID int64, userID string) (bool, error)

	// RotateFeedToken gives the user a new random feed token, revoking
	// any previous one. Only a hash is kept, so the token is returned once.
	RotateFeedToken(ctx context.Context, userID string, now time.Time) (string, error)

	// IssueAnswerToken makes a new random answer link token for the
	// speaker with email at the session. Only a hash is kept, so the
	// token is returned once; earlier tokens stay valid.
	IssueAnswerToken(ctx context.Context, sessionID int64, email string, now time.Time) (string, error)

	// Enqueue adds a delivery. A row with the same Dedupe key is left
	// alone when it is live or done, and revived (keeping its attempts and
	// channel) when it had been dropped.
	Enqueue(ctx context.Context, d Delivery, now time.Time) error
	// DropPending withdraws a session's pending deliveries of the given
	// kinds (all kinds when none are given) whose recipient matches
	// recipient, or any recipient when it is empty, and returns how many
	// were dropped. A row being sent is not touched.
	DropPending(ctx context.Context, sessionID int64, recipient string, kinds ...string) (int64, error)
	// ExpediteDelivery makes the pending delivery with the dedupe key due
	// now if it was due later, and reports whether a row moved.
	ExpediteDelivery(ctx context.Context, dedupe string, now time.Time) (bool, error)

	// RecordPrompt notes that userID was asked about the session in
	// dmChannel and starts the DM walk-through. Recording it again keeps
	// how far the person already got.
	RecordPrompt(ctx context.Context, sessionID int64, userID, dmChannel string, now time.Time) (Prompt, error)
	// ActivePrompt returns the prompt a reply from userID in dmChannel
	// answers: the latest one still answering, or ErrNotFound.
	ActivePrompt(ctx context.Context, dmChannel, userID string) (Prompt, error)
	// Prompts lists everyone asked about the session.
	Prompts(ctx context.Context, sessionID int64) ([]Prompt, error)
	// AdvancePrompt moves a prompt to question next in state, creating it
	// when the person answers without having been prompted.
	AdvancePrompt(ctx context.Context, sessionID int64, userID string, next int, state string, now time.Time) error
	// StopPrompt ends the DM walk-through, keeping the answers given; it
	// returns ErrNotFound when there is no such prompt.
	StopPrompt(ctx context.Context, sessionID int64, userID string, now time.Time) error
	// SaveAnswer stores l's answer, replacing an earlier answer to the
	// same question. Saving the same text again changes nothing, so a
	// redelivered message is harmless. It reports whether anything changed.
	SaveAnswer(ctx context.Context, l Lesson, now time.Time) (bool, error)
	// Answered counts each person's answers to the session.
	Answered(ctx context.Context, sessionID int64) (map[string]int, error)
	// AppendAnswer adds l's answer after the answer already given to the
	// same question, a blank line between, or stores it as the answer when
	// there is none; the question's text becomes l's. It reads and writes
	// in one statement, so two appends at once both land.
	AppendAnswer(ctx context.Context, l Lesson, now time.Time) error

	// CreateRequest stores a new request with its partners and sets r.ID
	// (and r.Status to RequestOpen when empty). Created and Updated must be
	// set by the caller's clock.
	CreateRequest(ctx context.Context, r *Request) error
	// Request reads a request inside the transaction, or ErrNotFound.
	Request(ctx context.Context, id int64) (Request, error)
	// Requests lists requests inside the transaction; see Store.Requests.
	Requests(ctx context.Context, f RequestFilter) ([]Request, error)
	// DecideRequest sets a request's status and what goes with it, or
	// returns ErrNotFound.
	DecideRequest(ctx context.Context, id int64, c RequestChange, now time.Time) error

	// AskEvaluation records that userID is asked to evaluate the session,
	// at now; it reports false, changing nothing, when they already were.
	AskEvaluation(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error)
	// Evaluation reads an evaluation inside the transaction, or ErrNotFound.
	Evaluation(ctx context.Context, sessionID int64, userID string) (Evaluation, error)
	// ChangeEvaluation sets the fields of c on an evaluation, stamping the
	// answers it sets with now, or returns ErrNotFound.
	ChangeEvaluation(ctx context.Context, sessionID int64, userID string, c EvaluationChange, now time.Time) error
	// ActiveEvaluation returns the evaluation a reply from userID in
	// dmChannel answers: of those awaiting words there, the one asked
	// last, or ErrNotFound.
	ActiveEvaluation(ctx context.Context, dmChannel, userID string) (Evaluation, error)
	// OptOut records, for good, that userID is never to be asked to
	// evaluate again, and stops every evaluation of theirs awaiting words.
	OptOut(ctx context.Context, userID string, now time.Time) error
	// OptedOut reports whether userID opted out.
	OptedOut(ctx context.Context, userID string) (bool, error)
}
