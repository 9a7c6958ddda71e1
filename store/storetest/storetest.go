// Package storetest is the contract every store.Store backend passes:
// Run it from the backend's tests with a function that opens an empty
// store. It speaks only through the store interfaces, never raw SQL, so
// the same suite holds SQLite and any later backend to the same
// behaviour.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Run runs the contract as subtests of t. open returns a new, empty store
// and registers its Close with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionChanges", testSessionChanges},
		{"SessionDetails", testSessionDetails},
		{"SessionsFilter", testSessionsFilter},
		{"Speakers", testSpeakers},
		{"JoinLeave", testJoinLeave},
		{"FeedVersionMovesWithFeedChanges", testFeedVersion},
		{"FailedUpdateChangesNothing", testFailedUpdateChangesNothing},
		{"ConcurrentUpdatesAllCommit", testConcurrentUpdates},
		{"FeedTokens", testFeedTokens},
		{"FeedTokenCreated", testFeedTokenCreated},
		{"ServerKey", testServerKey},
		{"CheckWrite", testCheckWrite},
		{"ProcessedKeysActOnce", testProcessedKeysActOnce},
		{"PruneProcessed", testPruneProcessed},
		{"RequestKeyDedupesUpdates", testRequestKey},
		{"OutboxClaimIsExclusive", testOutboxClaimIsExclusive},
		{"OutboxEnqueueDedupe", testOutboxEnqueueDedupe},
		{"OutboxDropPending", testOutboxDropPending},
		{"OutboxDueOrderAndLimit", testOutboxDueOrderAndLimit},
		{"OutboxClaimFencesLateWorkers", testOutboxClaimFencesLateWorkers},
		{"OutboxAnnouncedSetsSession", testOutboxAnnouncedSetsSession},
		{"OutboxSendingClaimedBefore", testOutboxSendingClaimedBefore},
		{"OutboxRowsAndStates", testOutboxRowsAndStates},
		{"ExpediteDelivery", testExpediteDelivery},
		{"OutboxAgenda", testOutboxAgenda},
		{"RatePauses", testRatePauses},
		{"OutboxMarkFailedOwesNotices", testOutboxMarkFailedOwesNotices},
		{"OutboxRetryFailed", testOutboxRetryFailed},
		{"OutboxOnEnqueue", testOutboxOnEnqueue},
		{"OutboxReplyRows", testOutboxReplyRows},
		{"SaveAnswerIsIdempotent", testSaveAnswerIsIdempotent},
		{"AppendAnswerConcurrent", testAppendAnswer},
		{"PromptLifecycle", testPromptLifecycle},
		{"LessonsGroupedBySpeaker", testLessonsGroupedBySpeaker},
		{"Search", testSearch},
		{"ReportHandCounted", testReportHandCounted},
		{"Series", testSeries},
		{"SeriesAnnouncement", testSeriesAnnouncement},
		{"ReportSeries", testReportSeries},
		{"Requests", testRequests},
		{"Evaluations", testEvaluations},
		{"ReportMonthsWithoutSessions", testReportMonthsGap},
		{"ReportMonthsInZone", testReportMonthsZone},
		{"AnswerTokens", testAnswerTokens},
		{"LibraryFilters", testLibraryFilters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// update runs fn in one Update and fails the test on an error.
func update(t testing.TB, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// createSample stores a webinar three days after 2026-11-28 12:00 UTC with
// a partner, a Slack speaker and an external one.
func createSample(t testing.TB, s store.Store) *store.Session {
	t.Helper()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	sess := &store.Session{
		Title: "Youth employment", Kind: "webinar", Start: now.Add(72 * time.Hour), Duration: 90 * time.Minute,
		TZ: "America/Santiago", Channel: "C1", Creator: "U1", Created: now, Updated: now,
		Partners: []string{"FISDL El Salvador"},
		Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}, {Name: "Jane Doe", Email: "jane@example.org"}},
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateSession(context.Background(), sess) }); err != nil {
		t.Fatal(err)
	}
	return sess
}

// addSession stores a confirmed session starting at start.
func addSession(t testing.TB, s store.Store, title, kind string, start time.Time, d time.Duration, partners []string, speakers ...store.Speaker) *store.Session {
	t.Helper()
	sess := &store.Session{
		Title: title, Kind: kind, Start: start, Duration: d, TZ: "UTC", Channel: "C1", Creator: "UC",
		Created: start.Add(-240 * time.Hour), Updated: start.Add(-240 * time.Hour), Partners: partners, Speakers: speakers,
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateSession(context.Background(), sess) }); err != nil {
		t.Fatal(err)
	}
	return sess
}

func saveAnswer(t testing.TB, s store.Store, sessionID int64, user string, idx int, answer string, at time.Time) bool {
	t.Helper()
	var changed bool
	err := s.Update(context.Background(), func(tx store.Tx) (err error) {
		changed, err = tx.SaveAnswer(context.Background(), store.Lesson{
			SessionID: sessionID, UserID: user, QuestionIdx: idx, Question: fmt.Sprintf("Question %d?", idx+1), Answer: answer,
		}, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return changed
}
