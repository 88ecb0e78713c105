package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := run(t, args...)
	if code != 0 {
		t.Fatalf("parley %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func contains3(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// TestMonitorWalkthrough signs the Istanbul us-signs agreement with a
// joint finding clause, imports incidents in both layouts (twice), walks
// one allegation through a joint investigation to a cast ruling, reports
// an obligation, and checks status, the JSON and HTML reports and the
// register's replay.
func TestMonitorWalkthrough(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg.jsonl")
	r := func(args ...string) []string { return append(args, "--register", reg) }

	out := mustRun(t, r("monitor", "sign", "--variant", "us-signs", "--set", "attribution=joint_finding", "--date", "2025-11-03")...)
	contains3(t, "sign", out, "Signed istanbul-2025 (us-signs) on 2025-11-03", "Ruling by every party jointly, mediators casting a split", "soil-not-used", "ceasefire-afghanistan")
	// The register is an input like any other: --max-input-size bounds it.
	for _, args := range [][]string{{"monitor", "status"}, {"monitor", "report"}, {"monitor", "act", "tick"}, {"monitor", "simulate", "--runs", "1"}, {"monitor", "sign", "--variant", "us-signs"}} {
		if _, errs, code := run(t, r(append(args, "--max-input-size", "100")...)...); code != 2 || !strings.Contains(errs, reg+": larger than the input size limit of 100 bytes") || !strings.Contains(errs, "--max-input-size") {
			t.Errorf("%s over the limit: exit %d %s", strings.Join(args, " "), code, errs)
		}
	}
	// Signing again is a no-op; another agreement is a conflict.
	mustRun(t, r("monitor", "sign", "--variant", "us-signs", "--set", "attribution=joint_finding", "--date", "2025-11-03")...)
	if _, errs, code := run(t, r("monitor", "sign", "--variant", "us-signs", "--date", "2025-11-04")...); code != 2 || !strings.Contains(errs, "already holds the agreement") {
		t.Errorf("second agreement: exit %d %s", code, errs)
	}
	if _, errs, code := run(t, "monitor", "sign", "--variant", "s0s1-factions", "--date", "2025-11-03", "--register", filepath.Join(dir, "x.jsonl")); code != 2 || !strings.Contains(errs, "ended without agreement") {
		t.Errorf("the S0/S1 account has no agreement: exit %d %s", code, errs)
	}

	acled := filepath.Join("..", "..", "incidentcsv", "testdata", "acled.csv")
	ucdp := filepath.Join("..", "..", "incidentcsv", "testdata", "ucdp.csv")
	broken := filepath.Join("..", "..", "incidentcsv", "testdata", "broken.csv")
	contains3(t, "import", mustRun(t, r("monitor", "import", acled)...), "3 row(s) in acled layout; 3 incident(s) added, 0 already")
	contains3(t, "re-import", mustRun(t, r("monitor", "import", acled)...), "0 incident(s) added, 3 already")
	contains3(t, "import", mustRun(t, r("monitor", "import", ucdp)...), "2 row(s) in ucdp layout; 2 incident(s) added")
	_, errs, code := run(t, r("monitor", "import", broken)...)
	if code != 2 {
		t.Errorf("broken import: exit %d", code)
	}
	contains3(t, "broken import", errs, "broken.csv:3:6: event_date:", "broken.csv:9:77: CSV syntax", "nothing imported")

	act := func(args ...string) string { return mustRun(t, r(append([]string{"monitor", "act"}, args...)...)...) }
	act("allege", "--as", "Pakistan", "--date", "2025-11-05", "--case", "c1", "--incident", "acled:PAK9001", "--accused", "Afghanistan", "--commitments", "soil-not-used")
	act("open", "--as", "mediators", "--date", "2025-11-06", "--case", "c1", "--body", "joint")
	act("evidence", "--as", "Afghanistan", "--date", "2025-11-07", "--case", "c1", "--confidential", "--note", "satellite images")
	act("find", "--as", "Pakistan", "--date", "2025-11-12", "--case", "c1", "--verdict", "attributed")
	act("find", "--as", "Afghanistan", "--date", "2025-11-12", "--case", "c1", "--verdict", "attributed")
	act("rule", "--as", "Pakistan", "--date", "2025-11-13", "--case", "c1", "--verdict", "attributed")
	act("rule", "--as", "Afghanistan", "--date", "2025-11-14", "--case", "c1", "--verdict", "not_attributable")
	// Afghanistan may not dissent from a joint ruling: refused and recorded.
	out, errs, code = run(t, r("monitor", "act", "dissent", "--as", "Afghanistan", "--date", "2025-11-14", "--case", "c1")...)
	if code != 2 || !strings.Contains(out, "rejected dissent c1 by Afghanistan") || !strings.Contains(errs, "refused") {
		t.Errorf("dissent: exit %d\n%s%s", code, out, errs)
	}
	contains3(t, "casting", act("rule", "--as", "mediators", "--date", "2025-11-15", "--case", "c1", "--verdict", "attributed"),
		"ruling c1 accused=Afghanistan commitments=soil-not-used body=mediators (casting) verdict=attributed", "consequence c1 commitment=soil-not-used action=response")
	act("report", "--as", "Afghanistan", "--date", "2025-11-30", "--commitment", "dismantling-report")
	act("confirm", "--as", "mediators", "--date", "2025-12-01", "--commitment", "dismantling-report")
	for _, bad := range []struct {
		args []string
		msg  string
	}{
		{[]string{"allege", "--as", "Pakistan", "--date", "2025-12-02", "--case", "c9", "--incident", "acled:NOPE", "--accused", "Afghanistan", "--commitments", "soil-not-used"}, "not in the register"},
		{[]string{"tick", "--date", "2025-11-01"}, "before the signature"},
		{[]string{"tick", "--date", "2025-11-20"}, "before the last input's day"},
		{[]string{"rule", "--as", "India", "--date", "2025-12-02", "--case", "c1", "--verdict", "attributed"}, `"India" is not a seat`},
		{[]string{"rule", "--as", "Pakistan", "--verdict", "guilty"}, `unknown verdict "guilty"`},
		{[]string{"vote", "--as", "Pakistan"}, `unknown verb "vote"`},
	} {
		if _, errs, code := run(t, r(append([]string{"monitor", "act"}, bad.args...)...)...); code != 2 || !strings.Contains(errs, bad.msg) {
			t.Errorf("act %v: exit %d %s", bad.args, code, errs)
		}
	}

	status := mustRun(t, r("monitor", "status", "--as-of", "2025-12-10")...)
	contains3(t, "status", status, "as of 2025-12-10 (day 37)", "? disputed  soil-not-used", "cast over Afghanistan",
		"✓ met       dismantling-report", "✗ missed    mechanism-seated", "Incidents: 5 in the register (0 before signature), 1 alleged", "chain head ")
	// The head status prints is the one audit verify finds in the file.
	statusHead := regexp.MustCompile(`(\d+) records, chain head ([0-9a-f]{64})`).FindStringSubmatch(status)
	verified := mustRun(t, "audit", "verify", reg)
	if statusHead == nil || !strings.Contains(verified, "register chain holds: "+statusHead[1]+" records, head "+statusHead[2]) {
		t.Errorf("monitor status says\n%s\naudit verify says\n%s", status, verified)
	}
	var rep struct {
		RegisterHead struct {
			Events int64
			Hash   string
		} `json:"register_head"`
		AsOf        string
		Counts      map[string]int
		Commitments []struct{ ID, Status string }
		Cases       []struct {
			ID, Ruling, RuledBy string
			DaysToRuling        int      `json:"days_to_ruling"`
			CastOver            []string `json:"cast_over"`
		}
		TimeToRuling struct{ N int } `json:"time_to_ruling"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, r("monitor", "report", "--as-of", "2025-12-10", "--json")...)), &rep); err != nil {
		t.Fatal(err)
	}
	if statusHead != nil && (fmt.Sprint(rep.RegisterHead.Events) != statusHead[1] || rep.RegisterHead.Hash != statusHead[2]) {
		t.Errorf("report --json: register_head %+v; status says %v", rep.RegisterHead, statusHead[1:])
	}
	if len(rep.Cases) != 1 || rep.Cases[0].Ruling != "attributed" || rep.Cases[0].DaysToRuling != 10 || rep.TimeToRuling.N != 1 || rep.Counts["disputed"] != 1 {
		t.Errorf("report JSON %+v", rep)
	}
	html := filepath.Join(dir, "page.html")
	mustRun(t, r("monitor", "report", "--as-of", "2025-12-10", "--html", html)...)
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	contains3(t, "page", string(page), "<svg", "case c1", "satellite images", "ISO week")
	for _, ext := range []string{"<script", "src=\"http", "href=\"http", "@import"} {
		if strings.Contains(string(page), ext) {
			t.Errorf("the page is not self-contained: it has %q", ext)
		}
	}
	// Pakistan's view leaves out Afghanistan's confidential evidence.
	view := mustRun(t, r("monitor", "report", "--as-of", "2025-12-10", "--seat", "Pakistan")...)
	if strings.Contains(view, "satellite images") || !strings.Contains(mustRun(t, r("monitor", "report", "--as-of", "2025-12-10", "--seat", "mediators")...), "satellite images") {
		t.Errorf("confidential evidence leaks or is missing:\n%s", view)
	}

	// A tampered log breaks the register's chain.
	data, err := os.ReadFile(reg)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(string(data), `"verdict":"not_attributable"`, `"verdict":"attributed"`, 1)
	if err := os.WriteFile(reg, []byte(tampered), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := run(t, r("monitor", "status")...); code != 2 || !strings.Contains(errs, "chain breaks at record") {
		t.Errorf("tampered register: exit %d %s", code, errs)
	}
	// audit verify names the first broken record and its line: the
	// tampered ruling.
	lines, orig := strings.Split(tampered, "\n"), strings.Split(string(data), "\n")
	bad := 0 // the index of the edited line: record bad−1 (line 0 is the header)
	for bad < len(lines) && lines[bad] == orig[bad] {
		bad++
	}
	out, _, code = run(t, "audit", "verify", reg)
	if want := fmt.Sprintf("%s:%d: register chain breaks at record %d:", reg, bad+1, bad-1); code != 2 || !strings.Contains(out, want) {
		t.Errorf("audit verify of the tampered register: exit %d\n%s\nwant %q", code, out, want)
	}
	var vs []struct {
		Register bool
		Break    *int64
		Line     int
	}
	// A register from before the chain has nothing to verify; an empty
	// file is no register.
	v1 := filepath.Join(dir, "v1.jsonl")
	if err := os.WriteFile(v1, []byte(`{"schema":"parley.monitor/1"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := run(t, "audit", "verify", v1); code != 2 || !strings.Contains(errs, "there is no chain to verify") {
		t.Errorf("audit verify of a version 1 register: exit %d %s", code, errs)
	}
	jsonOut, _, _ := run(t, "audit", "verify", "--json", reg)
	if err := json.Unmarshal([]byte(jsonOut), &vs); err != nil || len(vs) != 1 || !vs[0].Register || vs[0].Break == nil || *vs[0].Break != int64(bad-1) || vs[0].Line != bad+1 {
		t.Errorf("audit verify --json of the tampered register: %v %s", err, jsonOut)
	}
}

// TestMonitorSeatView: when Pakistan investigates and rules alone, its
// finding is its own; Afghanistan's view shows the ruling but not the
// finding.
func TestMonitorSeatView(t *testing.T) {
	reg := filepath.Join(t.TempDir(), "reg.jsonl")
	r := func(args ...string) []string { return append(args, "--register", reg) }
	mustRun(t, r("monitor", "sign", "--variant", "us-signs", "--set", "monitoring=none,attribution=pakistan_decides", "--date", "2025-11-03")...)
	act := func(args ...string) { mustRun(t, r(append([]string{"monitor", "act"}, args...)...)...) }
	act("allege", "--as", "Pakistan", "--date", "2025-11-04", "--case", "u1", "--accused", "Afghanistan", "--commitments", "soil-not-used")
	act("open", "--as", "Pakistan", "--date", "2025-11-04", "--case", "u1", "--body", "Pakistan")
	act("find", "--as", "Pakistan", "--date", "2025-11-05", "--case", "u1", "--verdict", "attributed")
	out, errs, code := run(t, r("monitor", "act", "rule", "--as", "Afghanistan", "--date", "2025-11-05", "--case", "u1", "--verdict", "not_attributable")...)
	if code != 2 || !strings.Contains(out, "only Pakistan rules; Afghanistan may file a dissent") {
		t.Errorf("Afghan ruling: exit %d %s %s", code, out, errs)
	}
	act("rule", "--as", "Pakistan", "--date", "2025-11-06", "--case", "u1", "--verdict", "attributed")
	act("dissent", "--as", "Afghanistan", "--date", "2025-11-07", "--case", "u1")
	af := mustRun(t, r("monitor", "report", "--as-of", "2025-11-10", "--seat", "Afghanistan", "--json")...)
	pk := mustRun(t, r("monitor", "report", "--as-of", "2025-11-10", "--seat", "Pakistan", "--json")...)
	if !strings.Contains(af, `"finding": "(not disclosed)"`) || strings.Contains(af, `"kind": "finding"`) || !strings.Contains(af, `"kind": "ruling"`) {
		t.Errorf("Afghanistan's view:\n%s", af)
	}
	if !strings.Contains(pk, `"finding": "attributed"`) || !strings.Contains(pk, `"kind": "finding"`) {
		t.Errorf("Pakistan's view:\n%s", pk)
	}
	if _, errs, code := run(t, r("monitor", "report", "--seat", "Kabul")...); code != 2 || !strings.Contains(errs, "not a seat") {
		t.Errorf("unknown seat: exit %d %s", code, errs)
	}
}

// TestMonitorSimulate compares the two mechanisms the issue names and
// checks the output does not depend on the worker count.
func TestMonitorSimulate(t *testing.T) {
	args := []string{"monitor", "simulate", "--variant", "us-signs", "--runs", "300", "--seed", "5",
		"--mechanism", "monitoring=bilateral_cell,attribution=pakistan_decides", "--mechanism", "monitoring=mediated_mechanism,attribution=joint_finding"}
	one := mustRun(t, append(args, "--workers", "1")...)
	three := mustRun(t, append(args, "--workers", "3")...)
	if one != three {
		t.Errorf("output depends on the workers:\n%s\n%s", one, three)
	}
	contains3(t, "simulate", one, "bilateral_cell", "joint_finding", "P(ceasefire holds)", "false attributions", "disputed rulings", "(S2)")
	var res []struct {
		Name              string
		PHolds            float64 `json:"p_ceasefire_holds"`
		FalseAttributions float64 `json:"false_attributions"`
		Disputed          float64 `json:"disputed_rulings"`
		Assumptions       []struct{ What string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, append(args, "--json")...)), &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].FalseAttributions <= res[1].FalseAttributions || res[0].Disputed <= res[1].Disputed || len(res[0].Assumptions) < 4 {
		t.Errorf("results %+v", res)
	}
	for _, bad := range []struct {
		args []string
		msg  string
	}{
		{[]string{"monitor", "simulate", "--variant", "us-signs", "--mechanism", "monitoring=drones"}, `issue monitoring has no option "drones"`},
		{[]string{"monitor", "simulate", "--variant", "us-signs", "--runs", "0"}, "--runs 0: must be at least 1"},
		{[]string{"monitor", "simulate", "--register", "x.jsonl", "--mechanism", "attribution=joint_finding"}, "takes no scenario"},
		{[]string{"monitor", "frobnicate"}, `unknown subcommand "frobnicate"`},
	} {
		if _, errs, code := run(t, bad.args...); code != 2 || !strings.Contains(errs, bad.msg) {
			t.Errorf("%v: exit %d %s", bad.args, code, errs)
		}
	}
}

// TestMonitorFromTranscript signs the agreement a simulate transcript
// records, and simulates the signed accord from the register.
func TestMonitorFromTranscript(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "run.jsonl")
	reg := filepath.Join(dir, "reg.jsonl")
	mustRun(t, "simulate", "--variant", "us-signs", "--transcript", tr)
	out := mustRun(t, "monitor", "sign", "--transcript", tr, "--date", "2025-11-03", "--register", reg)
	contains3(t, "sign from transcript", out, "Signed istanbul-2025 (us-signs) on 2025-11-03", "(transcript "+tr+")", "monitoring=mediated_mechanism", "soil-not-used")
	sim := mustRun(t, "monitor", "simulate", "--register", reg, "--runs", "200")
	contains3(t, "simulate the register", sim, "mediated_mechanism", "not_addressed", "P(ceasefire holds)")
	if _, errs, code := run(t, "monitor", "sign", "--transcript", tr, "--variant", "us-signs", "--register", reg); code != 2 || !strings.Contains(errs, "brings its own scenario") {
		t.Errorf("transcript and variant: exit %d %s", code, errs)
	}
	if _, errs, code := run(t, "monitor", "status", "--register", filepath.Join(dir, "none.jsonl")); code != 2 || !strings.Contains(errs, "no register") {
		t.Errorf("missing register: exit %d %s", code, errs)
	}
}

// TestMonitorToday: without --date and --as-of the commands use today.
func TestMonitorToday(t *testing.T) {
	reg := filepath.Join(t.TempDir(), "reg.jsonl")
	today := func(d string) func() time.Time {
		return func() time.Time { t, _ := time.Parse(parley.DateLayout, d); return t }
	}
	runAt := func(date string, args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		c := &MonitorCommand{Main: &Main{Stdout: &out, Stderr: &errb}, Today: today(date)}
		err := c.Run(context.Background(), append(args, "--register", reg))
		code := 0
		if err != nil {
			code = exitCode(err)
			errb.WriteString(err.Error())
		}
		return out.String(), errb.String(), code
	}
	if out, errs, code := runAt("2025-11-03", "sign", "--variant", "us-signs"); code != 0 || !strings.Contains(out, "on 2025-11-03") {
		t.Fatalf("sign: %d %s %s", code, out, errs)
	}
	if out, errs, code := runAt("2025-11-05", "act", "allege", "--as", "Pakistan", "--case", "c1", "--accused", "Afghanistan", "--commitments", "soil-not-used"); code != 0 || !strings.Contains(out, "#0 d2 allege") {
		t.Fatalf("allege: %d %s %s", code, out, errs)
	}
	if out, _, _ := runAt("2025-12-20", "status"); !strings.Contains(out, "as of 2025-12-20 (day 47)") {
		t.Errorf("status today:\n%s", out)
	}
	// A register whose last record is later than today reports as of that day.
	if out, _, _ := runAt("2025-11-04", "status"); !strings.Contains(out, "as of 2025-11-05 (day 2)") {
		t.Errorf("status before the last record:\n%s", out)
	}
}
