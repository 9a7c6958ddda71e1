package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

func evaluating(p *exchange.Policy) {
	p.Evaluation = exchange.Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour,
		CloseAfter: 168 * time.Hour, FollowUp: 2160 * time.Hour}
}

// outcomesFixture builds, in March 2026, four requests and two sessions
// whose participants rate them, plan, and answer the follow-up:
//
//	R1 FISDL "Youth employment": planned into S1, 2 days after it was asked
//	R2 FISDL "Rural credit": declined
//	R3 GIZ "Water boards": planned into S2 (partners GIZ and FISDL), 4 days after
//	R4 no partner: still open
//	S1 (exchange): P1 rates 5 and plans (follow-up: yes), P2 rates 3, P3 silent
//	S2 (workshop): P4 rates 2 and plans (partly), P5 rates 5 and plans (not yet)
//
// Speaker U2 and organiser U1 are asked for lessons, not ratings.
func outcomesFixture(t *testing.T, tw *testWeb) {
	t.Helper()
	ctx := context.Background()
	staff := exchange.Actor{UserID: "U1"}
	ask := func(topic string, partners ...string) int64 {
		r, err := tw.svc.Request(ctx, exchange.Actor{UserID: "A1"}, exchange.Ask{Topic: topic, Partners: partners})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	r1, r2, r3 := ask("Youth employment", "FISDL"), ask("Rural credit", "FISDL"), ask("Water boards", "GIZ")
	ask("Street markets")
	if _, err := tw.svc.Decline(ctx, staff, r2, "Covered last month"); err != nil {
		t.Fatal(err)
	}
	held := func(req int64, kind string, after time.Duration, partners []string, joiners ...string) *store.Session {
		s, err := tw.svc.Schedule(ctx, staff, exchange.Draft{Title: "Session", Start: t0.Add(after), Kind: kind,
			Partners: partners, Request: req, Speakers: []store.Speaker{{UserID: "U2"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range append(joiners, "U1", "U2") {
			if _, _, err := tw.svc.Join(ctx, u, s.ID); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	s1 := held(r1, "exchange", 48*time.Hour, []string{"FISDL"}, "P1", "P2", "P3")
	s2 := held(r3, "workshop", 96*time.Hour, []string{"GIZ", "FISDL"}, "P4", "P5")
	tw.clock.t = s2.End().Add(time.Hour)
	for _, s := range []*store.Session{s1, s2} {
		rows, err := tw.st.Deliveries(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := tw.st.Session(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rows {
			if d.Kind == exchange.KindEvaluate {
				if _, err := tw.svc.OweEvaluations(ctx, d, sess); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, a := range []struct {
		who    string
		s      *store.Session
		rating int
		plan   string
	}{{"P1", s1, 5, "A checklist"}, {"P2", s1, 3, ""}, {"P4", s2, 2, "Shared minutes"}, {"P5", s2, 5, "A pilot"}} {
		if _, err := tw.svc.Rate(ctx, a.who, a.s.ID, a.rating); err != nil {
			t.Fatal(err)
		}
		if a.plan != "" {
			if _, err := tw.svc.SavePlan(ctx, a.who, a.s.ID, a.plan, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	tw.clock.t = s2.End().Add(2160*time.Hour + time.Hour)
	for _, a := range []struct {
		who     string
		s       *store.Session
		applied string
	}{{"P1", s1, store.AppliedYes}, {"P4", s2, store.AppliedPartly}, {"P5", s2, store.AppliedNotYet}} {
		if _, ok, err := tw.svc.EvaluationDM(ctx, exchange.KindFollowUp, a.s, a.who, "D"+a.who); err != nil || !ok {
			t.Fatalf("follow-up to %s: %v %v", a.who, ok, err)
		}
		if _, err := tw.svc.Apply(ctx, a.who, a.s.ID, a.applied); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	numberRe = regexp.MustCompile(`<li><span class="n">([^<]*)</span> <span>([^<]*)</span></li>`)
	rowRe    = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)*)</tr>`)
	cellRe   = regexp.MustCompile(`<td>([^<]*)</td>`)
)

// numbers reads the headline figures, by their label.
func numbers(body string) map[string]string {
	out := map[string]string{}
	for _, m := range numberRe.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// section is the part of the page with id, and its table's rows as
// "label|cell|cell".
func section(t *testing.T, body, id string) (string, []string) {
	t.Helper()
	s := regexp.MustCompile(`(?s)<section class="[a-z-]+" id="` + id + `">.*?</section>`).FindString(body)
	if s == "" {
		t.Fatalf("no section %s", id)
	}
	var rows []string
	for _, m := range rowRe.FindAllStringSubmatch(s, -1) {
		row := []string{m[1]}
		for _, c := range cellRe.FindAllStringSubmatch(m[2], -1) {
			row = append(row, c[1])
		}
		rows = append(rows, strings.Join(row, "|"))
	}
	return s, rows
}

// csvFigures reads the report's CSV as "figure|label" → value.
func csvFigures(t *testing.T, tw *testWeb, c *http.Client, path string) map[string]string {
	t.Helper()
	status, body, _ := tw.get(c, path)
	if status != http.StatusOK {
		t.Fatalf("%s = %d", path, status)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range records {
		out[r[0]+"|"+r[1]] = r[2]
	}
	return out
}

// TestReportOutcomes shows demand and what participants said on the
// dashboard and in its CSV, in English and Spanish, equal to a hand count
// of outcomesFixture.
func TestReportOutcomes(t *testing.T) {
	tw := newTestWebPolicy(t, evaluating)
	outcomesFixture(t, tw)
	c := tw.browser()
	tw.signIn(c, ana)
	const period = "?from=2026-03-01&to=2026-03-31"

	for _, tc := range []struct {
		lang                  i18n.Lang
		median, mean          string
		exchange, workshop    string
		meanExchange, meanGIZ string
	}{
		{lang: i18n.English, median: "3.0", mean: "3.8", exchange: "Peer exchange", workshop: "Workshop",
			meanExchange: "4.0", meanGIZ: "3.5"},
		{lang: i18n.Spanish, median: "3,0", mean: "3,8", exchange: "Intercambio entre pares", workshop: "Taller",
			meanExchange: "4,0", meanGIZ: "3,5"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			status, body, _ := tw.get(c, "/report"+period+"&lang="+string(tc.lang))
			if status != http.StatusOK {
				t.Fatalf("/report = %d", status)
			}
			got := numbers(body)
			label := func(id string) string { return i18n.T(tc.lang, id, nil) }
			pc := func(n string) string { // 80% in English, 80 % in Spanish
				if tc.lang == i18n.Spanish {
					return n + " %"
				}
				return n + "%"
			}
			for id, want := range map[string]string{
				"web.report.received":        "4",
				"web.report.planned":         "2",
				"web.report.declined":        "1",
				"web.report.median_wait":     tc.median, // (2 + 4) / 2 days
				"web.report.response_rate":   pc("80"),  // 4 of 5 asked
				"web.report.mean_usefulness": tc.mean,   // (5 + 3 + 2 + 5) / 4 = 3.75
				"web.report.plan_share":      pc("75"),  // 3 of the 4 who answered
				"web.report.uptake":          pc("67"),  // yes + partly: 2 of 3 followed up
			} {
				if got[label(id)] != want {
					t.Errorf("%s = %q, want %q", id, got[label(id)], want)
				}
			}
			chart, rows := section(t, body, "usefulness")
			if want := "1|0 2|1 3|1 4|0 5|2"; strings.Join(rows, " ") != want {
				t.Errorf("usefulness table = %v, want %s", rows, want)
			}
			if !strings.Contains(chart, `<desc id="usefulness-d">`+label("web.report.usefulness_desc")+`</desc>`) ||
				strings.Count(chart, `<g class="bar">`) != 5 {
				t.Errorf("usefulness chart:\n%s", chart)
			}
			if _, rows = section(t, body, "demand-by-partner"); strings.Join(rows, " ") != "FISDL|2|1|1 GIZ|1|1|0" {
				t.Errorf("requests by partner = %v", rows)
			}
			// Label, asked, answered, mean usefulness, with a plan, applied.
			_, rows = section(t, body, "outcomes-by-kind")
			want := []string{tc.exchange + "|3|" + pc("67") + "|" + tc.meanExchange + "|" + pc("50") + "|" + pc("100"),
				tc.workshop + "|2|" + pc("100") + "|" + tc.meanGIZ + "|" + pc("100") + "|" + pc("50")}
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Errorf("by kind = %q, want %q", rows, want)
			}
			_, rows = section(t, body, "outcomes-by-partner")
			want = []string{"FISDL|5|" + pc("80") + "|" + tc.mean + "|" + pc("75") + "|" + pc("67"),
				"GIZ|2|" + pc("100") + "|" + tc.meanGIZ + "|" + pc("100") + "|" + pc("50")}
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Errorf("by partner = %q, want %q", rows, want)
			}
			if len(body) > 100<<10 {
				t.Errorf("the page is %d bytes", len(body))
			}
		})
	}

	got := csvFigures(t, tw, c, "/report.csv"+period)
	for k, want := range map[string]string{
		"requests_received|": "4", "requests_planned|": "2", "requests_declined|": "1", "requests_merged|": "0", "requests_open|": "1",
		"median_days_request_to_session|":    "3.000",
		"requests_received_by_partner|FISDL": "2", "requests_planned_by_partner|FISDL": "1", "requests_declined_by_partner|FISDL": "1",
		"requests_received_by_partner|GIZ": "1", "requests_planned_by_partner|GIZ": "1", "requests_declined_by_partner|GIZ": "0",
		"evaluations_asked|": "5", "evaluations_responded|": "4", "response_rate|": "0.800",
		"usefulness_rated|": "4", "usefulness_mean|": "3.750",
		"usefulness_rated_1|": "0", "usefulness_rated_2|": "1", "usefulness_rated_3|": "1", "usefulness_rated_4|": "0", "usefulness_rated_5|": "2",
		"with_plan|": "3", "plan_share|": "0.750", "followed_up|": "3",
		"applied_yes|": "1", "applied_partly|": "1", "applied_not_yet|": "1", "uptake|": "0.667",
		"evaluations_asked_by_kind|exchange": "3", "response_rate_by_kind|exchange": "0.667", "usefulness_mean_by_kind|exchange": "4.000",
		"usefulness_rated_5_by_kind|exchange": "1", "plan_share_by_kind|exchange": "0.500", "uptake_by_kind|exchange": "1.000",
		"evaluations_asked_by_kind|workshop": "2", "usefulness_mean_by_kind|workshop": "3.500", "applied_partly_by_kind|workshop": "1",
		"uptake_by_kind|workshop":            "0.500",
		"evaluations_asked_by_partner|FISDL": "5", "usefulness_rated_5_by_partner|FISDL": "2", "uptake_by_partner|FISDL": "0.667",
		"evaluations_asked_by_partner|GIZ": "2", "with_plan_by_partner|GIZ": "2", "plan_share_by_partner|GIZ": "1.000",
	} {
		if got[k] != want {
			t.Errorf("CSV %s = %q, want %q", k, got[k], want)
		}
	}
}

// TestReportOutcomesEmpty shows a period with no requests and nobody
// asked: counts of 0, dashes for shares and means, no error.
func TestReportOutcomesEmpty(t *testing.T) {
	tw := newTestWebPolicy(t, evaluating)
	outcomesFixture(t, tw)
	c := tw.browser()
	tw.signIn(c, ana)
	const period = "?from=2025-01-01&to=2025-01-31"
	for _, lang := range []i18n.Lang{i18n.English, i18n.Spanish} {
		status, body, _ := tw.get(c, "/report"+period+"&lang="+string(lang))
		if status != http.StatusOK {
			t.Fatalf("/report = %d", status)
		}
		got := numbers(body)
		for id, want := range map[string]string{
			"web.report.received": "0", "web.report.planned": "0", "web.report.declined": "0",
			"web.report.median_wait": "–", "web.report.response_rate": "–", "web.report.mean_usefulness": "–",
			"web.report.plan_share": "–", "web.report.uptake": "–",
		} {
			if l := i18n.T(lang, id, nil); got[l] != want {
				t.Errorf("%s %s = %q, want %q", lang, id, got[l], want)
			}
		}
		for _, id := range []string{"usefulness", "demand-by-partner", "outcomes-by-kind", "outcomes-by-partner"} {
			if s, rows := section(t, body, id); len(rows) != 0 || !strings.Contains(s, i18n.T(lang, "web.report.nothing", nil)) {
				t.Errorf("%s %s:\n%s", lang, id, s)
			}
		}
	}
	got := csvFigures(t, tw, c, "/report.csv"+period)
	for k, want := range map[string]string{
		"requests_received|": "0", "median_days_request_to_session|": "", "evaluations_asked|": "0",
		"response_rate|": "", "usefulness_mean|": "", "usefulness_rated_3|": "0", "uptake|": "",
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("CSV %s = %q (present %v), want %q", k, v, ok, want)
		}
	}
}
