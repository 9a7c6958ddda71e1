package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

const evaluationColumns = `e.session_id, e.user_id, e.dm_channel, e.awaiting, e.awaiting_at, e.asked_at, e.rating, e.rated_at,
	e.plan, e.plan_at, e.followed_up_at, e.applied, e.applied_at, e.changed, e.changed_at`

func scanEvaluation(row pgx.Row, extra ...any) (store.Evaluation, error) {
	var e store.Evaluation
	var st assemble.EvaluationStamps
	var rating int32
	dest := append([]any{&e.SessionID, &e.UserID, &e.DMChannel, &e.Awaiting, &st.AwaitingSince, &st.Asked, &rating, &st.Rated,
		&e.Plan, &st.Plan, &st.FollowedUp, &e.Applied, &st.Applied, &e.Changed, &st.Changed}, extra...)
	if err := row.Scan(dest...); err != nil {
		return store.Evaluation{}, err
	}
	e.Rating = int(rating)
	st.Set(&e)
	return e, nil
}

// Evaluation returns userID's evaluation of the session.
func (s *Store) Evaluation(ctx context.Context, sessionID int64, userID string) (store.Evaluation, error) {
	return evaluation(ctx, s.pool, sessionID, userID)
}

// Evaluation reads an evaluation inside the transaction.
func (t *Tx) Evaluation(ctx context.Context, sessionID int64, userID string) (store.Evaluation, error) {
	return evaluation(ctx, t.q(), sessionID, userID)
}

func evaluation(ctx context.Context, q querier, sessionID int64, userID string) (store.Evaluation, error) {
	e, err := scanEvaluation(q.QueryRow(ctx, "SELECT "+evaluationColumns+" FROM evaluations e WHERE e.session_id = $1 AND e.user_id = $2",
		sessionID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Evaluation{}, fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, store.ErrNotFound)
	}
	if err != nil {
		return store.Evaluation{}, fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, err)
	}
	return e, nil
}

// ActiveEvaluation reads the evaluation a DM reply would answer.
func (s *Store) ActiveEvaluation(ctx context.Context, dmChannel, userID string) (store.Evaluation, error) {
	return activeEvaluation(ctx, s.pool, dmChannel, userID)
}

// ActiveEvaluation returns the evaluation a reply from userID in
// dmChannel answers: of those awaiting words, the one asked last.
func (t *Tx) ActiveEvaluation(ctx context.Context, dmChannel, userID string) (store.Evaluation, error) {
	return activeEvaluation(ctx, t.q(), dmChannel, userID)
}

func activeEvaluation(ctx context.Context, q querier, dmChannel, userID string) (store.Evaluation, error) {
	e, err := scanEvaluation(q.QueryRow(ctx, "SELECT "+evaluationColumns+` FROM evaluations e
		WHERE e.dm_channel = $1 AND e.user_id = $2 AND e.awaiting <> '' ORDER BY e.awaiting_at DESC, e.session_id DESC LIMIT 1`,
		dmChannel, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Evaluation{}, fmt.Errorf("store: active evaluation %s in %s: %w", userID, dmChannel, store.ErrNotFound)
	}
	if err != nil {
		return store.Evaluation{}, fmt.Errorf("store: active evaluation %s in %s: %w", userID, dmChannel, err)
	}
	return e, nil
}

// Evaluations lists evaluations with their sessions' details; partners
// are read once per session.
func (s *Store) Evaluations(ctx context.Context, f store.EvaluationFilter) ([]store.Evaluation, error) {
	args := filter.NewArgs("$")
	cond := filter.Evaluations(f, args)
	rows, err := s.pool.Query(ctx, "SELECT "+evaluationColumns+`, s.title, s.kind, s.starts_at, s.starts_at + s.duration_s
		FROM evaluations e JOIN sessions s ON s.id = e.session_id`+cond+" ORDER BY s.starts_at, s.id, e.user_id", args.List()...)
	out, err := collect(rows, err, func(row pgx.Row) (store.Evaluation, error) {
		var es assemble.EvaluatedSession
		e, err := scanEvaluation(row, &es.Title, &es.Kind, &es.Start, &es.End)
		es.Set(&e)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: evaluations: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	var ids []int64
	for _, e := range out {
		if len(ids) == 0 || ids[len(ids)-1] != e.SessionID {
			ids = append(ids, e.SessionID)
		}
	}
	rows, err = s.pool.Query(ctx, "SELECT session_id, name FROM session_partners WHERE session_id = ANY($1) ORDER BY session_id, position", ids)
	partners, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return nil, fmt.Errorf("store: evaluations' partners: %w", err)
	}
	assemble.EvaluationPartners(out, partners)
	return out, nil
}

// AskEvaluation records that userID is asked to evaluate the session.
func (t *Tx) AskEvaluation(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error) {
	n, err := t.affected(ctx, `INSERT INTO evaluations (session_id, user_id, asked_at) VALUES ($1, $2, $3)
		ON CONFLICT (session_id, user_id) DO NOTHING`, sessionID, userID, unix(now))
	if err != nil {
		return false, fmt.Errorf("store: ask evaluation of %d by %s: %w", sessionID, userID, err)
	}
	return n > 0, nil
}

// ChangeEvaluation sets the fields of c on an evaluation. One statement
// whatever c holds: a NULL parameter keeps its column.
func (t *Tx) ChangeEvaluation(ctx context.Context, sessionID int64, userID string, c store.EvaluationChange, now time.Time) error {
	var rating *int32
	if c.Rating != nil {
		r := int32(*c.Rating)
		rating = &r
	}
	awaitingAt, followed := assemble.ChangeStamps(c, now)
	at := unix(now)
	n, err := t.affected(ctx, `UPDATE evaluations SET
		dm_channel = COALESCE($1::text, dm_channel),
		awaiting = COALESCE($2::text, awaiting), awaiting_at = COALESCE($3::bigint, awaiting_at),
		rating = COALESCE($4::integer, rating), rated_at = CASE WHEN $4::integer IS NULL THEN rated_at ELSE $9 END,
		plan = COALESCE($5::text, plan), plan_at = CASE WHEN $5::text IS NULL THEN plan_at ELSE $9 END,
		followed_up_at = COALESCE($6::bigint, followed_up_at),
		applied = COALESCE($7::text, applied), applied_at = CASE WHEN $7::text IS NULL THEN applied_at ELSE $9 END,
		changed = COALESCE($8::text, changed), changed_at = CASE WHEN $8::text IS NULL THEN changed_at ELSE $9 END
		WHERE session_id = $10 AND user_id = $11`,
		c.DMChannel, c.Awaiting, awaitingAt, rating, c.Plan, followed, c.Applied, c.Changed, at, sessionID, userID)
	if err != nil {
		return fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, store.ErrNotFound)
	}
	return nil
}

// OptOut records that userID is never to be asked again and stops their
// evaluations from taking DM replies.
func (t *Tx) OptOut(ctx context.Context, userID string, now time.Time) error {
	if _, err := t.exec(ctx, "INSERT INTO evaluation_optouts (user_id, at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
		userID, unix(now)); err != nil {
		return fmt.Errorf("store: opt out %s: %w", userID, err)
	}
	if _, err := t.exec(ctx, "UPDATE evaluations SET awaiting = '' WHERE user_id = $1 AND awaiting <> ''", userID); err != nil {
		return fmt.Errorf("store: opt out %s: %w", userID, err)
	}
	return nil
}

// OptedOut reports whether userID opted out.
func (s *Store) OptedOut(ctx context.Context, userID string) (bool, error) {
	return optedOut(ctx, s.pool, userID)
}

// OptedOut reports, inside the transaction, whether userID opted out.
func (t *Tx) OptedOut(ctx context.Context, userID string) (bool, error) {
	return optedOut(ctx, t.q(), userID)
}

func optedOut(ctx context.Context, q querier, userID string) (bool, error) {
	var out bool
	if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM evaluation_optouts WHERE user_id = $1)", userID).Scan(&out); err != nil {
		return false, fmt.Errorf("store: opted out %s: %w", userID, err)
	}
	return out, nil
}
