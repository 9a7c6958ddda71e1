package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// Knowledge demand: anyone asks for a session on a topic; staff plan it
// into a session, decline it with a reason, or merge it into another
// request on the same need. The person who asked is told each time.

// Scopes of Requests.
const (
	RequestsOpen = ""    // still waiting for a decision
	RequestsAll  = "all" // every request, latest first
)

// RequestsLimit bounds the requests Requests returns.
const RequestsLimit = 25

// Ask is a request as a person makes it.
type Ask struct {
	Topic    string
	Partners []string
	// Channel is the office or channel the session would be for; "" none.
	Channel string
}

// RequestNews is the payload of a KindRequestNews row: what became of a
// request, for the sender to word in the asker's language.
type RequestNews struct {
	Event     string `json:"event"` // NewsPlanned, NewsDeclined or NewsMerged
	Request   int64  `json:"request"`
	Topic     string `json:"topic"`
	Reason    string `json:"reason,omitempty"`     // declined: why, as given
	Into      int64  `json:"into,omitempty"`       // merged: the request it joined
	IntoTopic string `json:"into_topic,omitempty"` // merged: that request's topic
}

// RequestNews events.
const (
	NewsPlanned  = "planned"
	NewsDeclined = "declined"
	NewsMerged   = "merged"
)

// ReadRequestNews decodes a KindRequestNews payload.
func ReadRequestNews(payload string) (RequestNews, error) {
	var n RequestNews
	if err := json.Unmarshal([]byte(payload), &n); err != nil || n.Event == "" {
		return RequestNews{}, fmt.Errorf("exchange: request news %q", payload)
	}
	return n, nil
}

// CheckTopic cleans a request's topic and checks its length, which is a
// title's: a planned request's topic becomes its session's title.
func CheckTopic(topic string) (string, error) {
	t := CleanLine(topic)
	if t == "" {
		return "", fail(CodeTopicEmpty)
	}
	if n := utf8.RuneCountInString(t); n > MaxTitle {
		return "", fail(CodeTopicTooLong, "len", n, "max", MaxTitle)
	}
	return t, nil
}

// Request records by.UserID's request for a session; anyone may ask.
func (s *Service) Request(ctx context.Context, by Actor, a Ask) (store.Request, error) {
	topic, err := CheckTopic(a.Topic)
	if err != nil {
		return store.Request{}, err
	}
	now := s.now()
	r := store.Request{Topic: topic, Asker: by.UserID, Channel: a.Channel, Partners: cleanPartners(a.Partners), Created: now, Updated: now}
	err = s.update(ctx, func(tx store.Tx) (bool, error) { return false, tx.CreateRequest(ctx, &r) })
	if err != nil {
		return store.Request{}, err
	}
	return r, nil
}

// Requests lists requests for staff: the open ones, oldest first (the
// longest waiting on top), or all of them, latest first.
func (s *Service) Requests(ctx context.Context, by Actor, scope string) ([]store.Request, error) {
	if err := s.RequireStaff(ctx, by.UserID, OpRequests); err != nil {
		return nil, err
	}
	f := store.RequestFilter{Status: store.RequestOpen, Limit: RequestsLimit}
	if scope == RequestsAll {
		f = store.RequestFilter{Newest: true, Limit: RequestsLimit}
	}
	return s.st.Requests(ctx, f)
}

// openRequest reads request id inside tx and checks it still waits for
// a decision.
func openRequest(ctx context.Context, tx store.Tx, id int64) (store.Request, error) {
	r, err := tx.Request(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Request{}, fail(CodeRequestNotFound, "id", id)
	}
	if err != nil {
		return store.Request{}, err
	}
	if r.Status != store.RequestOpen {
		return store.Request{}, decided(r)
	}
	return r, nil
}

func decided(r store.Request) *Error {
	return fail(CodeRequestDecided, "id", r.ID, "status", r.Status, "session", r.SessionID, "into", r.MergedInto)
}

// PlanDraft is the start of planning request id into a session, for
// staff: the draft of a session on its topic, partners and channel,
// which Schedule links to the request.
func (s *Service) PlanDraft(ctx context.Context, by Actor, id int64) (store.Request, Draft, error) {
	if err := s.RequireStaff(ctx, by.UserID, OpSchedule); err != nil {
		return store.Request{}, Draft{}, err
	}
	r, err := s.st.Request(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Request{}, Draft{}, fail(CodeRequestNotFound, "id", id)
	}
	if err != nil {
		return store.Request{}, Draft{}, err
	}
	if r.Status != store.RequestOpen {
		return store.Request{}, Draft{}, decided(r)
	}
	return r, Draft{Title: r.Topic, Partners: r.Partners, Channel: r.Channel, Request: r.ID}, nil
}

// linkRequest marks request id planned into sess, in Schedule's
// transaction, and owes its asker, and the askers of the requests merged
// into it, the news.
func (s *Service) linkRequest(ctx context.Context, tx store.Tx, by Actor, id int64, sess *store.Session) error {
	r, err := openRequest(ctx, tx, id)
	if err != nil {
		return err
	}
	now := s.now()
	if err := tx.DecideRequest(ctx, r.ID, store.RequestChange{Status: store.RequestPlanned, SessionID: sess.ID, DecidedBy: by.UserID}, now); err != nil {
		return err
	}
	return s.tellAskers(ctx, tx, r, sess.ID, RequestNews{Event: NewsPlanned, Request: r.ID, Topic: r.Topic}, now)
}

// tellAskers owes news to r's asker and to the askers of the requests
// merged into r, once each.
func (s *Service) tellAskers(ctx context.Context, tx store.Tx, r store.Request, sessionID int64, n RequestNews, now time.Time) error {
	merged, err := tx.Requests(ctx, store.RequestFilter{MergedInto: r.ID})
	if err != nil {
		return err
	}
	told := map[string]bool{}
	for _, q := range append([]store.Request{r}, merged...) {
		if told[q.Asker] {
			continue
		}
		told[q.Asker] = true
		news := n
		if q.ID != r.ID && n.Event != NewsMerged {
			// Their own request is the one they know.
			news.Request, news.Topic = q.ID, q.Topic
		}
		if err := s.oweNews(ctx, tx, q.Asker, sessionID, news, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) oweNews(ctx context.Context, tx store.Tx, asker string, sessionID int64, n RequestNews, now time.Time) error {
	payload, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, store.Delivery{
		Kind: KindRequestNews, SessionID: sessionID, Recipient: asker, Payload: string(payload), Due: now,
		Dedupe: fmt.Sprintf("request:%d:%s:%d:%s", n.Request, n.Event, sessionID, asker),
	}, now)
}

// Decline closes request id without a session, for staff; its asker (and
// those of requests merged into it) is told, with the reason when given.
func (s *Service) Decline(ctx context.Context, by Actor, id int64, reason string) (store.Request, error) {
	if err := s.RequireStaff(ctx, by.UserID, OpRequests); err != nil {
		return store.Request{}, err
	}
	reason = CleanLine(reason)
	now := s.now()
	var r store.Request
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if r, err = openRequest(ctx, tx, id); err != nil {
			return false, err
		}
		r.Status, r.Reason, r.DecidedBy = store.RequestDeclined, reason, by.UserID
		if err := tx.DecideRequest(ctx, r.ID, store.RequestChange{Status: r.Status, Reason: reason, DecidedBy: by.UserID}, now); err != nil {
			return false, err
		}
		return true, s.tellAskers(ctx, tx, r, 0, RequestNews{Event: NewsDeclined, Request: r.ID, Topic: r.Topic, Reason: reason}, now)
	})
	if err != nil {
		return store.Request{}, err
	}
	return r, nil
}

// Merge folds request id into request into (the same need asked twice),
// for staff. id must be open; into open or planned. Requests already
// merged into id follow it. Their askers are told, and when into is
// planned already, told of its session too.
func (s *Service) Merge(ctx context.Context, by Actor, id, into int64) (from, to store.Request, err error) {
	if err := s.RequireStaff(ctx, by.UserID, OpRequests); err != nil {
		return store.Request{}, store.Request{}, err
	}
	if id == into {
		return store.Request{}, store.Request{}, fail(CodeMergeSelf, "id", id)
	}
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if from, err = openRequest(ctx, tx, id); err != nil {
			return false, err
		}
		to, err = tx.Request(ctx, into)
		if errors.Is(err, store.ErrNotFound) {
			return false, fail(CodeRequestNotFound, "id", into)
		}
		if err != nil {
			return false, err
		}
		if to.Status != store.RequestOpen && to.Status != store.RequestPlanned {
			return false, decided(to)
		}
		merged, err := tx.Requests(ctx, store.RequestFilter{MergedInto: from.ID})
		if err != nil {
			return false, err
		}
		for _, q := range append([]store.Request{from}, merged...) {
			if err := tx.DecideRequest(ctx, q.ID, store.RequestChange{Status: store.RequestMerged, MergedInto: to.ID, DecidedBy: by.UserID}, now); err != nil {
				return false, err
			}
			if err := s.oweNews(ctx, tx, q.Asker, 0, RequestNews{Event: NewsMerged, Request: q.ID, Topic: q.Topic, Into: to.ID, IntoTopic: to.Topic}, now); err != nil {
				return false, err
			}
			if to.Status == store.RequestPlanned && to.SessionID != 0 {
				if err := s.oweNews(ctx, tx, q.Asker, to.SessionID, RequestNews{Event: NewsPlanned, Request: q.ID, Topic: q.Topic}, now); err != nil {
					return false, err
				}
			}
		}
		from.Status, from.MergedInto, from.DecidedBy = store.RequestMerged, to.ID, by.UserID
		return true, nil
	})
	if err != nil {
		return store.Request{}, store.Request{}, err
	}
	return from, to, nil
}

// reopenRequests puts the requests planned into a cancelled session back
// among the open ones: the need they stated is not met.
func reopenRequests(ctx context.Context, tx store.Tx, sessionID int64, now time.Time) error {
	planned, err := tx.Requests(ctx, store.RequestFilter{SessionID: sessionID})
	if err != nil {
		return err
	}
	for _, r := range planned {
		if err := tx.DecideRequest(ctx, r.ID, store.RequestChange{Status: store.RequestOpen}, now); err != nil {
			return err
		}
	}
	return nil
}
