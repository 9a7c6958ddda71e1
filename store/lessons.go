package store

import "time"

// Prompt states. open: asked, not walking through the DM; answering: the
// DM waits for NextQuestion; stopped: said stop; done: past the last
// question or answered in the form.
const (
	PromptOpen      = "open"
	PromptAnswering = "answering"
	PromptStopped   = "stopped"
	PromptDone      = "done"
)

// Prompt is one person's lesson-capture request for one session.
type Prompt struct {
	SessionID    int64
	UserID       string
	DMChannel    string
	State        string
	NextQuestion int // 0-based
	PromptedAt   time.Time
	Updated      time.Time
}

// Finished reports whether the person is through with the prompt, by
// answering to the end, by the form, or by saying stop.
func (p Prompt) Finished() bool { return p.State == PromptDone || p.State == PromptStopped }

// AnswerJoin is what Tx.AppendAnswer puts between an answer and what is
// added to it: a blank line, so each addition reads as its own paragraph.
const AnswerJoin = "\n\n"

// Lesson is one answer to one question.
type Lesson struct {
	ID          int64
	SessionID   int64
	UserID      string
	QuestionIdx int // 0-based
	Question    string
	Answer      string
	Created     time.Time
	Updated     time.Time

	// Filled by reads across sessions (latest, search, export).
	SessionTitle string
	SessionStart time.Time
	SessionKind  string
	// Where the session's announcement is, for a link to it; empty until posted.
	AnnounceChannel, AnnounceTS string
}

// SearchResult is a lesson found by Search.
type SearchResult struct {
	Lesson
	// Snippet is an excerpt of the answer with each matched term between
	// MarkStart and MarkEnd, for the caller to render.
	Snippet string
	// Rank orders results: lower is better. Its scale is the backend's
	// (bm25 on SQLite); only the order means anything to callers.
	Rank float64
}

// Snippet markers: control characters no one types, so the caller can
// escape the text first and then turn these into its own markup.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)
