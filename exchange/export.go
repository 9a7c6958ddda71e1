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

// ExportFormats are the formats WriteLessons writes.
var ExportFormats = []string{"md", "csv", "json"}

// exportColumns are the CSV header and the JSON keys, in one order.
var exportColumns = []string{"session_id", "session_title", "session_kind", "session_start", "user_id",
	"question_number", "question", "answer", "created_at", "updated_at"}

// exportedLesson is one lesson as the JSON export writes it.
type exportedLesson struct {
	SessionID      int64  `json:"session_id"`
	SessionTitle   string `json:"session_title"`
	SessionKind    string `json:"session_kind"`
	SessionStart   string `json:"session_start"`
	UserID         string `json:"user_id"`
	QuestionNumber int    `json:"question_number"`
	Question       string `json:"question"`
	Answer         string `json:"answer"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func exported(l store.Lesson) exportedLesson {
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	return exportedLesson{
		SessionID: l.SessionID, SessionTitle: l.SessionTitle, SessionKind: l.SessionKind, SessionStart: stamp(l.SessionStart),
		UserID: l.UserID, QuestionNumber: l.QuestionIdx + 1, Question: l.Question, Answer: l.Answer,
		CreatedAt: stamp(l.Created), UpdatedAt: stamp(l.Updated),
	}
}

// WriteLessons writes lessons, as store.AllLessons orders them, in format:
// "csv" (RFC 4180, a header row, times in UTC RFC 3339, a cell that a
// spreadsheet would run as a formula prefixed with '), "json" (an array
// of objects keyed like the CSV header) or "md" (grouped by session, then
// speaker).
func WriteLessons(w io.Writer, format string, lessons []store.Lesson) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.UseCRLF = true // RFC 4180 line endings
		if err := cw.Write(exportColumns); err != nil {
			return err
		}
		for _, l := range lessons {
			e := exported(l)
			record := []string{strconv.FormatInt(e.SessionID, 10), e.SessionTitle, e.SessionKind, e.SessionStart, e.UserID,
				strconv.Itoa(e.QuestionNumber), e.Question, e.Answer, e.CreatedAt, e.UpdatedAt}
			for i := range record {
				record[i] = CSVCell(record[i])
			}
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "json":
		out := make([]exportedLesson, len(lessons))
		for i, l := range lessons {
			out[i] = exported(l)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "md":
		return writeMarkdown(w, lessons)
	}
	return fmt.Errorf("unknown format %q: use %s", format, strings.Join(ExportFormats, ", "))
}

// CSVCell neutralises a cell a spreadsheet would run as a formula: one
// beginning with = + - @, a tab or a carriage return (OWASP's list) gets a
// leading apostrophe, which spreadsheets show as text and hide. Answers
// are typed by anyone in the workspace; whoever opens the export should
// not run what they typed (=HYPERLINK(…) sending data away, =cmd|…).
// A plain signed number runs nothing and stays a number. Every CSV the
// product writes (exports, the report page's) goes through it.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

func writeMarkdown(w io.Writer, lessons []store.Lesson) error {
	var b strings.Builder
	b.WriteString("# Lessons\n")
	if len(lessons) == 0 {
		b.WriteString("\nNo lessons yet.\n")
	}
	var session int64
	var user string
	for _, l := range lessons {
		if l.SessionID != session {
			session, user = l.SessionID, ""
			fmt.Fprintf(&b, "\n## #%d %s\n\n%s, %s\n", l.SessionID, mdLine(l.SessionTitle), l.SessionKind, l.SessionStart.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if l.UserID != user {
			user = l.UserID
			fmt.Fprintf(&b, "\n### %s\n", mdLine(user))
		}
		fmt.Fprintf(&b, "\n**%s**\n\n%s\n", mdLine(l.Question), mdQuote(l.Answer))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdLine keeps a value on one line, so a title cannot end its heading early.
func mdLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mdQuote makes an answer a block quote, so its own line breaks and
// Markdown stay inside it.
func mdQuote(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// Export writes every lesson in format (one of ExportFormats), for the
// M&E team's own tools.
func (s *Service) Export(ctx context.Context, w io.Writer, format string) error {
	if !slices.Contains(ExportFormats, format) {
		return fail(CodeFormat, "format", format, "formats", ExportFormats)
	}
	lessons, err := s.st.AllLessons(ctx)
	if err != nil {
		return err
	}
	return WriteLessons(w, format, lessons)
}
