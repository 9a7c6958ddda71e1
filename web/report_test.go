package web

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestReportMonthsInZone shows each session in the institution's month
// (America/Santiago here), on the dashboard and in the CSV: late on the
// last evening of January and of February is already the next month in
// UTC, and just after midnight on 1 March is March in both.
func TestReportMonthsInZone(t *testing.T) {
	tw := newTestWeb(t)
	loc := tw.svc.Policy().Location
	tw.clock.t = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	tw.schedule("Last evening of January", time.Date(2026, 1, 31, 22, 0, 0, 0, loc), "", nil)
	tw.schedule("Last evening of February", time.Date(2026, 2, 28, 23, 30, 0, 0, loc), "", nil)
	tw.schedule("First night of March", time.Date(2026, 3, 1, 0, 30, 0, 0, loc), "", nil)
	tw.clock.Add(90 * 24 * time.Hour)
	c := tw.browser()
	tw.signIn(c, ana)

	status, body, _ := tw.get(c, "/report?from=2026-01-01&to=2026-03-31")
	if status != http.StatusOK {
		t.Fatalf("/report = %d", status)
	}
	chart := regexp.MustCompile(`(?s)<section class="chart-box" id="by-month">.*?</section>`).FindString(body)
	var rows []string
	for _, m := range regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>`).FindAllStringSubmatch(chart, -1) {
		rows = append(rows, m[1]+"="+m[2])
	}
	if want := "Jan 26=1 Feb 26=1 Mar 26=1"; strings.Join(rows, " ") != want {
		t.Errorf("by-month table = %v, want %s:\n%s", rows, want, chart)
	}

	status, body, _ = tw.get(c, "/report.csv?from=2026-01-01&to=2026-03-31")
	if status != http.StatusOK {
		t.Fatalf("/report.csv = %d", status)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, r := range records {
		if r[0] == "held_in_month" {
			months = append(months, r[1]+"="+r[2])
		}
	}
	if want := "2026-01=1 2026-02=1 2026-03=1"; strings.Join(months, " ") != want {
		t.Errorf("CSV held_in_month = %v, want %s", months, want)
	}
}
