package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

const evaluationColumns = `e.session_id, e.user_id, e.dm_channel, e.awaiting, e.awaiting_at, e.asked_at, e.rating, e.rated_at,
	e.plan, e.plan_at, e.followed_up_at, e.applied, e.applied_at, e.changed, e.changed_at`

func scanEvaluation(sc scanner, extra ...any) (store.Evaluation, error) {
	var e store.Evaluation
	var st assemble.EvaluationStamps
	dest := append([]any{&e.SessionID, &e.UserID, &e.DMChannel, &e.Awaiting, &st.AwaitingSince, &st.Asked, &e.Rating, &st.Rated,
		&e.Plan, &st.Plan, &st.FollowedUp, &e.Applied, &st.Applied, &e.Changed, &st.Changed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return store.Evaluation{}, err
	}
	st.Set(&e)
	return e, nil
}

// Evaluation returns userID's evaluation of the session.
func (s *Store) Evaluation(ctx context.Context, sessionID int64, userID string) (store.Evaluation, error) {
	return evaluation(ctx, s.db, sessionID, userID)
}

// Evaluation reads an evaluation inside the transaction.
func (t *Tx) Evaluation(ctx context.Context, sessionID int64, userID string) (store.Evaluation, error) {
	return evaluation(ctx, t.tx, sessionID, userID)
}

func evaluation(ctx context.Context, q querier, sessionID int64, userID string) (store.Evaluation, error) {
	e, err := scanEvaluation(q.QueryRowContext(ctx, "SELECT "+evaluationColumns+" FROM evaluations e WHERE e.session_id = ? AND e.user_id = ?",
		sessionID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Evaluation{}, fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, store.ErrNotFound)
	}
	if err != nil {
		return store.Evaluation{}, fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, err)
	}
	return e, nil
}

// ActiveEvaluation reads the evaluation a DM reply would answer.
func (s *Store) ActiveEvaluation(ctx context.Context, dmChannel, userID string) (store.Evaluation, error) {
	return activeEvaluation(ctx, s.db, dmChannel, userID)
}

// ActiveEvaluation returns the evaluation a reply from userID in
// dmChannel answers: of those awaiting words, the one asked last.
func (t *Tx) ActiveEvaluation(ctx context.Context, dmChannel, userID string) (store.Evaluation, error) {
	return activeEvaluation(ctx, t.tx, dmChannel, userID)
}

func activeEvaluation(ctx context.Context, q querier, dmChannel, userID string) (store.Evaluation, error) {
	e, err := scanEvaluation(q.QueryRowContext(ctx, "SELECT "+evaluationColumns+` FROM evaluations e
		WHERE e.dm_channel = ? AND e.user_id = ? AND e.awaiting <> '' ORDER BY e.awaiting_at DESC, e.session_id DESC LIMIT 1`,
		dmChannel, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Evaluation{}, fmt.Errorf("store: active evaluation %s in %s: %w", userID, dmChannel, store.ErrNotFound)
	}
	if err != nil {
		return store.Evaluation{}, fmt.Errorf("store: active evaluation %s in %s: %w", userID, dmChannel, err)
	}
	return e, nil
}

// Evaluations lists evaluations with their sessions' details. Partners
// are read once per session, not per evaluation, and shared by its
// evaluations.
func (s *Store) Evaluations(ctx context.Context, f store.EvaluationFilter) ([]store.Evaluation, error) {
	args := filter.NewArgs("?")
	cond := filter.Evaluations(f, args)
	rows, err := s.db.QueryContext(ctx, "SELECT "+evaluationColumns+`, s.title, s.kind, s.starts_at, s.starts_at + s.duration_s
		FROM evaluations e JOIN sessions s ON s.id = e.session_id`+cond+" ORDER BY s.starts_at, s.id, e.user_id", args.List()...)
	out, err := collect(rows, err, func(sc scanner) (store.Evaluation, error) {
		var es assemble.EvaluatedSession
		e, err := scanEvaluation(sc, &es.Title, &es.Kind, &es.Start, &es.End)
		es.Set(&e)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: evaluations: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = s.db.QueryContext(ctx, `SELECT p.session_id, p.name FROM session_partners p
		WHERE p.session_id IN (SELECT DISTINCT e.session_id FROM evaluations e JOIN sessions s ON s.id = e.session_id`+cond+`)
		ORDER BY p.session_id, p.position`, args.List()...)
	partners, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return nil, fmt.Errorf("store: evaluations' partners: %w", err)
	}
	assemble.EvaluationPartners(out, partners)
	return out, nil
}

// AskEvaluation records that userID is asked to evaluate the session.
func (t *Tx) AskEvaluation(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO evaluations (session_id, user_id, asked_at) VALUES (?, ?, ?)
		ON CONFLICT (session_id, user_id) DO NOTHING`, sessionID, userID, now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: ask evaluation of %d by %s: %w", sessionID, userID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ChangeEvaluation sets the fields of c on an evaluation. One statement
// whatever c holds: a NULL parameter keeps its column.
func (t *Tx) ChangeEvaluation(ctx context.Context, sessionID int64, userID string, c store.EvaluationChange, now time.Time) error {
	str := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var rating any
	if c.Rating != nil {
		rating = *c.Rating
	}
	awaitingAt, followed := assemble.ChangeStamps(c, now)
	at := now.Unix()
	res, err := t.exec(ctx, `UPDATE evaluations SET
		dm_channel = COALESCE(?1, dm_channel),
		awaiting = COALESCE(?2, awaiting), awaiting_at = COALESCE(?3, awaiting_at),
		rating = COALESCE(?4, rating), rated_at = CASE WHEN ?4 IS NULL THEN rated_at ELSE ?9 END,
		plan = COALESCE(?5, plan), plan_at = CASE WHEN ?5 IS NULL THEN plan_at ELSE ?9 END,
		followed_up_at = COALESCE(?6, followed_up_at),
		applied = COALESCE(?7, applied), applied_at = CASE WHEN ?7 IS NULL THEN applied_at ELSE ?9 END,
		changed = COALESCE(?8, changed), changed_at = CASE WHEN ?8 IS NULL THEN changed_at ELSE ?9 END
		WHERE session_id = ?10 AND user_id = ?11`,
		str(c.DMChannel), str(c.Awaiting), awaitingAt, rating, str(c.Plan), followed, str(c.Applied), str(c.Changed), at,
		sessionID, userID)
	if err != nil {
		return fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: evaluation of %d by %s: %w", sessionID, userID, store.ErrNotFound)
	}
	return nil
}

// OptOut records that userID is never to be asked again and stops their
// evaluations from taking DM replies.
func (t *Tx) OptOut(ctx context.Context, userID string, now time.Time) error {
	if _, err := t.exec(ctx, "INSERT INTO evaluation_optouts (user_id, at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
		userID, now.Unix()); err != nil {
		return fmt.Errorf("store: opt out %s: %w", userID, err)
	}
	if _, err := t.exec(ctx, "UPDATE evaluations SET awaiting = '' WHERE user_id = ? AND awaiting <> ''", userID); err != nil {
		return fmt.Errorf("store: opt out %s: %w", userID, err)
	}
	return nil
}

// OptedOut reports whether userID opted out.
func (s *Store) OptedOut(ctx context.Context, userID string) (bool, error) {
	return optedOut(ctx, s.db, userID)
}

// OptedOut reports, inside the transaction, whether userID opted out.
func (t *Tx) OptedOut(ctx context.Context, userID string) (bool, error) {
	return optedOut(ctx, t.tx, userID)
}

func optedOut(ctx context.Context, q querier, userID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM evaluation_optouts WHERE user_id = ?", userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: opted out %s: %w", userID, err)
	}
	return true, nil
}
