package exchange

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// EvaluationFormats are the formats WriteEvaluations writes.
var EvaluationFormats = []string{"csv", "json"}

// evaluationColumns are the CSV header and the JSON keys, in one order.
var evaluationColumns = []string{"session_id", "session_title", "session_kind", "session_start", "partners", "user_id",
	"asked_at", "rating", "rated_at", "plan", "plan_at", "followed_up_at", "applied", "applied_at", "changed", "changed_at"}

// ExportedEvaluation is one participant's evaluation as the export writes
// it: times in UTC RFC 3339, "" when not yet; rating 0 when not given.
type ExportedEvaluation struct {
	SessionID    int64    `json:"session_id"`
	SessionTitle string   `json:"session_title"`
	SessionKind  string   `json:"session_kind"`
	SessionStart string   `json:"session_start"`
	Partners     []string `json:"partners"`
	UserID       string   `json:"user_id"`
	AskedAt      string   `json:"asked_at"`
	Rating       int      `json:"rating"`
	RatedAt      string   `json:"rated_at"`
	Plan         string   `json:"plan"`
	PlanAt       string   `json:"plan_at"`
	FollowedUpAt string   `json:"followed_up_at"`
	Applied      string   `json:"applied"`
	AppliedAt    string   `json:"applied_at"`
	Changed      string   `json:"changed"`
	ChangedAt    string   `json:"changed_at"`
}

// ExportEvaluation turns a stored evaluation into its exported form.
func ExportEvaluation(e store.Evaluation) ExportedEvaluation {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	partners := e.Partners
	if partners == nil {
		partners = []string{}
	}
	return ExportedEvaluation{
		SessionID: e.SessionID, SessionTitle: e.SessionTitle, SessionKind: e.SessionKind, SessionStart: stamp(e.SessionStart),
		Partners: partners, UserID: e.UserID, AskedAt: stamp(e.AskedAt), Rating: e.Rating, RatedAt: stamp(e.RatedAt),
		Plan: e.Plan, PlanAt: stamp(e.PlanAt), FollowedUpAt: stamp(e.FollowedUpAt), Applied: e.Applied, AppliedAt: stamp(e.AppliedAt),
		Changed: e.Changed, ChangedAt: stamp(e.ChangedAt),
	}
}

// CSVRecord is the evaluation's CSV row, before neutralising: partners
// joined by "; " (a partner's name never holds one: CleanLine keeps
// names on one line, and the separator is written nowhere else), an
// empty rating when none was given.
func (x ExportedEvaluation) CSVRecord() []string {
	rating := ""
	if x.Rating > 0 {
		rating = strconv.Itoa(x.Rating)
	}
	return []string{strconv.FormatInt(x.SessionID, 10), x.SessionTitle, x.SessionKind, x.SessionStart, strings.Join(x.Partners, "; "),
		x.UserID, x.AskedAt, rating, x.RatedAt, x.Plan, x.PlanAt, x.FollowedUpAt, x.Applied, x.AppliedAt, x.Changed, x.ChangedAt}
}

// WriteEvaluations writes evaluations, as store.Evaluations orders them,
// in format: "csv" (RFC 4180, a header row; a cell a spreadsheet would
// run as a formula is neutralised) or "json" (an array of objects keyed
// like the CSV header, text as typed).
func WriteEvaluations(w io.Writer, format string, evs []store.Evaluation) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(evaluationColumns); err != nil {
			return err
		}
		for _, e := range evs {
			rec := ExportEvaluation(e).CSVRecord()
			for i := range rec {
				rec[i] = CSVCell(rec[i]) // as the lessons export does
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "json":
		out := make([]ExportedEvaluation, len(evs))
		for i, e := range evs {
			out[i] = ExportEvaluation(e)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return fmt.Errorf("unknown format %q: use %s", format, strings.Join(EvaluationFormats, ", "))
}

// ExportEvaluations writes every participant's evaluation in format (one
// of EvaluationFormats), for the M&E team's own tools.
func (s *Service) ExportEvaluations(ctx context.Context, w io.Writer, format string) error {
	if !slices.Contains(EvaluationFormats, format) {
		return fail(CodeFormat, "format", format, "formats", EvaluationFormats)
	}
	evs, err := s.st.Evaluations(ctx, store.EvaluationFilter{})
	if err != nil {
		return err
	}
	return WriteEvaluations(w, format, evs)
}
