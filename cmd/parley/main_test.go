package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/scenario"
)

var update = flag.Bool("update", false, "rewrite golden files")

// run executes the CLI in-process and returns stdout, stderr and the exit
// code main would use.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb}
	err := m.Run(context.Background(), args)
	code := 0
	if err != nil {
		code = exitCode(err)
		if msg := errorText(err); msg != "" {
			errb.WriteString(msg + "\n")
		}
	}
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run 'go test ./cmd/parley -update' to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update and review the diff):\n%s", path, got)
	}
}

// istanbulVariants returns "" (the base) and every variant of the
// built-in scenario.
func istanbulVariants(t *testing.T) []string {
	t.Helper()
	f, err := scenario.Builtin(DefaultScenario)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{""}
	for _, v := range f.Variants() {
		names = append(names, v.Name)
	}
	return names
}

// goldenName is the golden file of a command's output for a variant of
// the built-in scenario.
func goldenName(cmd, variant, ext string) string {
	if variant == "" {
		variant = "base"
	}
	return filepath.Join("istanbul", cmd+"-"+variant+"."+ext)
}

// TestAnalyzeBuiltinGolden is the golden test of 'parley analyze' on the
// built-in scenario: the base (with the variants compared) and every
// variant, in text and in JSON.
func TestAnalyzeBuiltinGolden(t *testing.T) {
	for _, v := range istanbulVariants(t) {
		for _, format := range []string{"txt", "json"} {
			args := []string{"analyze"}
			if v != "" {
				args = append(args, "--variant", v)
			}
			if format == "json" {
				args = append(args, "--json")
			}
			out, errs, code := run(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			golden(t, goldenName("analyze", v, format), out)
		}
	}
	out, _, _ := run(t, "analyze")
	for _, want := range []string{"Zone of agreement: 536", "Variants compared", "s0s1-factions", "before-recess", "us-guarantor-precondition"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// report mirrors the documented JSON fields the tests rely on.
type jsonReport struct {
	Outcomes json.Number `json:"outcomes"`
	Pareto   []struct {
		Utilities []float64      `json:"utilities"`
		Outcome   map[string]any `json:"outcome"`
	} `json:"pareto"`
	Nash             *solution `json:"nash"`
	KalaiSmorodinsky *solution `json:"kalai_smorodinsky"`
	MaxWelfare       *solution `json:"max_welfare"`
	Egalitarian      *solution `json:"egalitarian"`
	Zone             struct {
		Empty bool        `json:"empty"`
		Size  json.Number `json:"size"`
	} `json:"zone"`
	Blocking []struct {
		Kind      string `json:"kind"`
		OpensZone bool   `json:"opens_zone"`
	} `json:"blocking"`
}

type solution struct {
	Utilities []float64      `json:"utilities"`
	Outcome   map[string]any `json:"outcome"`
}

func decode(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, s)
	}
	return r
}

func TestAnalyzeJSON(t *testing.T) {
	out, errs, code := run(t, "analyze", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r := decode(t, out)
	if r.Outcomes.String() != "1944" {
		t.Errorf("outcomes = %s, want 1944 (4·3·3·3·3·2·3)", r.Outcomes)
	}
	if r.Zone.Empty || r.Nash == nil {
		t.Errorf("the shared base: want an open zone and a Nash point, got zone %+v nash %v", r.Zone, r.Nash)
	}
	if len(r.Pareto) == 0 || len(r.Pareto[0].Utilities) != 2 || len(r.Pareto[0].Outcome) != 7 {
		t.Errorf("pareto points need 2 utilities and 7 issues: %+v", r.Pareto[:1])
	}
	out, errs, code = run(t, "analyze", "--variant", "s0s1-factions", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r = decode(t, out)
	if !r.Zone.Empty || r.Zone.Size.String() != "0" || r.Nash != nil {
		t.Errorf("S0/S1 account: want an empty zone and no Nash point, got zone %+v nash %v", r.Zone, r.Nash)
	}
	opens := 0
	for _, b := range r.Blocking {
		if b.OpensZone {
			opens++
		}
	}
	if opens == 0 {
		t.Errorf("no blocking entry opens the zone: %+v", r.Blocking)
	}

	out, errs, code = run(t, "analyze", "--variant", "before-recess", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r = decode(t, out)
	if r.Zone.Empty || r.Nash == nil || r.KalaiSmorodinsky == nil || r.MaxWelfare == nil || r.Egalitarian == nil {
		t.Fatalf("before-recess: want an open zone and all four solutions: %+v", r)
	}
	if r.Nash.Outcome["guarantor"] == "us_guarantor" {
		t.Errorf("the US has not consented: the Nash point cannot need its signature: %v", r.Nash.Outcome)
	}
	if len(r.Blocking) != 0 {
		t.Errorf("open zone: blocking should be empty, got %d entries", len(r.Blocking))
	}
}

func TestAnalyzeGeniusAndHTML(t *testing.T) {
	dir := filepath.Join("..", "..", "genius", "testdata")
	html := filepath.Join(t.TempDir(), "r.html")
	out, errs, code := run(t, "analyze", "--genius", filepath.Join(dir, "nl-domain.xml"), filepath.Join(dir, "nl-profile-1.xml"), filepath.Join(dir, "nl-profile-2.xml"), "--json", "--html", html)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r := decode(t, out)
	if len(r.Pareto) == 0 || r.Nash == nil {
		t.Errorf("nonlinear fixture: want a frontier and a Nash point: %s", out)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("HTML report has no SVG plot")
	}
}

func TestScenariosAndValidate(t *testing.T) {
	out, _, code := run(t, "scenarios")
	if code != 0 || !strings.Contains(out, "istanbul-2025") || !strings.Contains(out, "--variant s2-account") {
		t.Errorf("scenarios: exit %d, output:\n%s", code, out)
	}
	out, errs, code := run(t, "validate", filepath.Join("..", "..", "scenario", "builtin", "istanbul-2025.yaml"))
	if code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("validate built-in: exit %d: %s%s", code, out, errs)
	}
}

// TestBadInput checks that mistakes get a clear message and exit status 2,
// never a panic or a silent default.
func TestBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: x\nissues:\n  - name: a\n    options: [p, q]\nparties:\n  - name: A\n    preferences: {reservation: high}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"UnknownCommand", []string{"analyse-this"}, `unknown command "analyse-this"`},
		{"NoCommand", nil, "no command given"},
		{"UnknownVariant", []string{"analyze", "--variant", "nope"}, "nope"},
		{"UnknownFlag", []string{"analyze", "--jsonn"}, "unknown flag --jsonn (did you mean --json?)"},
		{"GeniusTooFew", []string{"analyze", "--genius", "d.xml"}, "--genius needs a domain file and at least two profiles"},
		{"MissingFile", []string{"analyze", "no-such.yaml"}, "no-such.yaml"},
		{"TwoFiles", []string{"analyze", "a.yaml", "b.yaml"}, "one scenario file"},
		{"BadFile", []string{"validate", bad}, "bad.yaml:7:"},
		{"ValidateNothing", []string{"validate"}, "validate needs a scenario file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := run(t, tc.args...)
			if code != 2 && tc.name != "MissingFile" {
				t.Errorf("exit %d, want 2; stderr: %s", code, errs)
			}
			if code == 0 {
				t.Errorf("exit 0 for bad input")
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, errs)
			}
		})
	}
	if parley.ErrorCode(nil) != "" {
		t.Fatal("ErrorCode(nil) must be empty")
	}
}

// TestSimulateBuiltinGolden is the golden run of 'parley simulate' on the
// base and every variant of the built-in scenario, as a timeline and as
// JSON (without wall-clock times, which vary).
func TestSimulateBuiltinGolden(t *testing.T) {
	for _, v := range istanbulVariants(t) {
		args := []string{"simulate"}
		if v != "" {
			args = append(args, "--variant", v)
		}
		out, errs, code := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "Negotiation time:") {
				keep = append(keep, l)
			}
		}
		golden(t, goldenName("simulate", v, "txt"), strings.Join(keep, "\n"))
		out, errs, code = run(t, append(args, "--json")...)
		if code != 0 {
			t.Fatalf("%v --json: exit %d: %s", args, code, errs)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v --json: %v", args, err)
		}
		delete(m, "elapsed_s")
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, goldenName("simulate", v, "json"), string(b)+"\n")
	}
	out, _, _ := run(t, "simulate", "--variant", "s0s1-factions")
	for _, want := range []string{"Day 1", "add_precondition guarantor=us_guarantor", "agreed → reopened", "extends the deadline", "End: deadline"} {
		if !strings.Contains(out, want) {
			t.Errorf("S0/S1 timeline lacks %q", want)
		}
	}
}

func TestSimulateJSONTranscriptReplay(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "t.jsonl")
	out, errs, code := run(t, "simulate", "--variant", "us-signs", "--json", "--transcript", tr, "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		End       string         `json:"end"`
		Agreement map[string]any `json:"agreement"`
		Utilities []float64      `json:"utilities"`
		Rounds    int            `json:"rounds"`
		Offers    int            `json:"offers"`
		ElapsedS  *float64       `json:"elapsed_s"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.End != "agreement" || r.Agreement == nil || len(r.Utilities) != 2 || r.Rounds == 0 || r.Offers == 0 || r.ElapsedS == nil {
		t.Errorf("us-signs: want an agreement with all fields, got %+v", r)
	}
	out, errs, code = run(t, "replay", tr)
	if code != 0 || !strings.Contains(out, "matches the transcript") {
		t.Errorf("replay: exit %d: %s%s", code, out, errs)
	}
	// A tampered transcript (the recorded end changed) is caught.
	b, _ := os.ReadFile(tr)
	bad := filepath.Join(dir, "bad.jsonl")
	if !bytes.Contains(b, []byte(`"end":"agreement"`)) {
		t.Fatal("transcript has no agreement to tamper with")
	}
	if err := os.WriteFile(bad, bytes.Replace(b, []byte(`"end":"agreement"`), []byte(`"end":"deadline"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code = run(t, "replay", bad); code == 0 {
		t.Errorf("tampered transcript replayed cleanly: %s", errs)
	}
}

// TestReportFromTranscript renders negotiations from their transcript
// files: 'parley report FILE --html' writes byte for byte the page that
// 'parley simulate --html' wrote for the run, and prints the timeline
// simulate printed (a mediated run with factions, and alternating offers
// on a Genius domain).
func TestReportFromTranscript(t *testing.T) {
	g := filepath.Join("..", "..", "genius", "testdata")
	for name, args := range map[string][]string{
		"mediated": {"simulate", "--variant", "s0s1-factions"},
		"sao":      {"simulate", "--genius", filepath.Join(g, "car-domain.xml"), filepath.Join(g, "car-buyer.xml"), filepath.Join(g, "car-seller.xml"), "--agents", "boulware,conceder", "--rounds", "60"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tr, simHTML, repHTML := filepath.Join(dir, "t.jsonl"), filepath.Join(dir, "sim.html"), filepath.Join(dir, "rep.html")
			simOut, errs, code := run(t, append(args, "--transcript", tr, "--html", simHTML)...)
			if code != 0 {
				t.Fatalf("simulate: exit %d: %s", code, errs)
			}
			repOut, errs, code := run(t, "report", tr, "--html", repHTML)
			if code != 0 {
				t.Fatalf("report: exit %d: %s", code, errs)
			}
			a, errA := os.ReadFile(simHTML)
			b, errB := os.ReadFile(repHTML)
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("the page from the transcript differs from simulate's (%d and %d bytes)", len(b), len(a))
			}
			if !bytes.Contains(a, []byte(`aria-label="utilities over time"`)) || !bytes.Contains(a, []byte(`id="pareto"`)) {
				t.Errorf("the page lacks its charts:\n%.1500s", a)
			}
			timeline, _, _ := strings.Cut(simOut, "Negotiation time:")
			if timeline != repOut {
				t.Errorf("report's timeline differs from simulate's:\n%s\n---\n%s", repOut, timeline)
			}
		})
	}
}

func TestSimulateGeniusAgents(t *testing.T) {
	dir := filepath.Join("..", "..", "genius", "testdata")
	out, errs, code := run(t, "simulate", "--genius", filepath.Join(dir, "car-domain.xml"), filepath.Join(dir, "car-buyer.xml"), filepath.Join(dir, "car-seller.xml"), "--agents", "boulware,conceder", "--rounds", "50", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"protocol": "sao"`) || !strings.Contains(out, `"boulware"`) {
		t.Errorf("unexpected output: %s", out)
	}
	_, errs, code = run(t, "simulate", "--protocol", "sao", "--agents", "boulware,nosuchagent")
	if code != 2 || !strings.Contains(errs, "nosuchagent") {
		t.Errorf("unknown agent: exit %d, %s", code, errs)
	}
	_, errs, code = run(t, "simulate", "--agents", "boulware")
	if code != 2 || !strings.Contains(errs, "1 agents for 2 parties") {
		t.Errorf("agent count: exit %d, %s", code, errs)
	}
}

// byWorkers runs a Monte Carlo command with one and with two workers and
// returns both JSON outputs without their wall-clock fields.
func byWorkers(t *testing.T, args ...string) [2]string {
	t.Helper()
	var outs [2]string
	for i, w := range []string{"1", "2"} {
		out, errs, code := run(t, append(args, "--workers", w, "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "elapsed_s")
		delete(m, "runs_per_second")
		b, _ := json.Marshal(m)
		outs[i] = string(b)
	}
	return outs
}

func TestSimulateMonteCarloWorkers(t *testing.T) {
	if outs := byWorkers(t, "simulate", "--runs", "16", "--seed", "5"); outs[0] != outs[1] {
		t.Errorf("Monte Carlo depends on --workers:\n%s\n%s", outs[0], outs[1])
	}
	out, _, _ := run(t, "simulate", "--runs", "8", "--variant", "s0s1-factions")
	for _, want := range []string{"Agreement in", "Wilson", "Who blocked"} {
		if !strings.Contains(out, want) {
			t.Errorf("Monte Carlo report lacks %q:\n%s", want, out)
		}
	}
}

func TestAgentsAndConvert(t *testing.T) {
	out, _, code := run(t, "agents")
	for _, name := range []string{"boulware", "linear", "conceder", "titfortat", "hardliner", "random", "frequency", "hillclimb", "nash", "watchdog",
		"agentk", "hardheaded", "cuhkagent", "agentgg", "bayesian"} {
		if code != 0 || !strings.Contains(out, name) {
			t.Errorf("agents lacks %q (exit %d)", name, code)
		}
	}
	dir := t.TempDir()
	for _, to := range []string{"yaml", "genius", "geniusweb"} {
		out, errs, code := run(t, "convert", "--to", to, "--out", filepath.Join(dir, to))
		if code != 0 || !strings.Contains(out, "wrote") {
			t.Errorf("convert --to %s: exit %d: %s%s", to, code, out, errs)
		}
		if to != "yaml" && !strings.Contains(errs, "warning:") {
			t.Errorf("convert --to %s: factions and red lines cannot be expressed; want warnings, got %q", to, errs)
		}
	}
	// The YAML export reads back.
	if _, errs, code := run(t, "validate", filepath.Join(dir, "yaml", "istanbul-2025.yaml")); code != 0 {
		t.Errorf("exported YAML does not validate: %s", errs)
	}
	if _, errs, code := run(t, "convert", "--to", "pdf", "--out", dir); code != 2 || !strings.Contains(errs, "pdf") {
		t.Errorf("bad --to: exit %d %s", code, errs)
	}
}

// TestTournamentShardsMerge runs a small tournament whole and in two
// shards, merges the shards and compares the rows (without the wall-clock
// time column).
func TestTournamentShardsMerge(t *testing.T) {
	dir := t.TempDir()
	args := []string{"tournament", "--agents", "boulware,conceder,linear", "--scenarios", "istanbul-2025", "--reps", "2", "--rounds", "40"}
	if _, errs, code := run(t, append(args, "--out", filepath.Join(dir, "whole"))...); code != 0 {
		t.Fatalf("whole: exit %d: %s", code, errs)
	}
	for _, sh := range []string{"0/2", "1/2"} {
		if _, errs, code := run(t, append(args, "--shard", sh, "--out", filepath.Join(dir, "s"+sh[:1]))...); code != 0 {
			t.Fatalf("shard %s: exit %d: %s", sh, code, errs)
		}
	}
	if _, errs, code := run(t, "tournament", "merge", "--out", filepath.Join(dir, "merged"), filepath.Join(dir, "s0"), filepath.Join(dir, "s1")); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	rows := func(sub string) string {
		b, err := os.ReadFile(filepath.Join(dir, sub, "results.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		col := -1
		for i, h := range strings.Split(lines[0], ",") {
			if h == "time" {
				col = i
			}
		}
		var out []string
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			f[col] = ""
			out = append(out, strings.Join(f, ","))
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	if whole, merged := rows("whole"), rows("merged"); whole != merged || whole == "" {
		t.Errorf("merged shards differ from the whole run:\n%s\n---\n%s", whole, merged)
	}
	for _, f := range []string{"results.parquet", "summary.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "merged", f)); err != nil {
			t.Errorf("merge wrote no %s: %v", f, err)
		}
	}
	if _, errs, code := run(t, append(args, "--shard", "2/2", "--out", filepath.Join(dir, "bad"))...); code == 0 || !strings.Contains(errs, "shard") {
		t.Errorf("--shard 2/2 accepted: %s", errs)
	}
}

func TestGeniusWebInput(t *testing.T) {
	dir := filepath.Join("..", "..", "geniusweb", "testdata")
	emp, er := filepath.Join(dir, "jobs-employee.json"), filepath.Join(dir, "jobs-employer.json")
	// Separate domain file, and profiles that embed their domain.
	for _, args := range [][]string{
		{"analyze", "--json", "--geniusweb", filepath.Join(dir, "jobs-domain.json"), emp, er},
		{"analyze", "--json", "--geniusweb", emp, er},
	} {
		out, errs, code := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if r := decode(t, out); r.Outcomes.String() != "50" || len(r.Pareto) == 0 {
			t.Errorf("%v: outcomes %s, %d frontier points", args, r.Outcomes, len(r.Pareto))
		}
	}
	out, errs, code := run(t, "simulate", "--geniusweb", emp, er, "--agents", "boulware,linear", "--json")
	if code != 0 || !strings.Contains(out, `"end"`) {
		t.Errorf("simulate --geniusweb: exit %d: %s%s", code, out, errs)
	}
	if _, errs, code := run(t, "analyze", "--genius", "--geniusweb", emp, er); code != 2 || !strings.Contains(errs, "exclude each other") {
		t.Errorf("--genius with --geniusweb: exit %d: %s", code, errs)
	}
}

// TestSimulateAccounts runs the Monte Carlo study over the built-in
// scenario's accounts: per-account and pooled results with intervals,
// failures split by where they came from, the same JSON with one worker
// and with two, and clear errors for what does not go together.
func TestSimulateAccounts(t *testing.T) {
	outs := byWorkers(t, "simulate", "--runs", "24", "--accounts", "--seed", "9")
	if outs[0] != outs[1] {
		t.Errorf("the accounts study depends on --workers:\n%s\n%s", outs[0], outs[1])
	}
	var r struct {
		Pooled struct {
			Runs     int            `json:"runs"`
			CI95     []float64      `json:"ci95"`
			Failures map[string]int `json:"failures"`
		} `json:"pooled"`
		Accounts []struct {
			Name    string  `json:"name"`
			Prior   float64 `json:"prior"`
			Account struct {
				Variant  string `json:"variant"`
				Families int    `json:"families"`
			} `json:"account"`
			Blocked []struct {
				What string `json:"what"`
			} `json:"blocked"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(outs[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Pooled.Runs != 24 || len(r.Pooled.CI95) != 2 || len(r.Accounts) != 4 {
		t.Fatalf("want 24 pooled runs with an interval over 4 accounts: %s", outs[0])
	}
	for _, a := range r.Accounts {
		if a.Account.Variant != a.Name || a.Account.Families != 1 {
			t.Errorf("account %s: provenance %+v", a.Name, a.Account)
		}
	}
	out, errs, code := run(t, "simulate", "--runs", "12", "--accounts")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Monte Carlo over accounts", "s0s1-factions", "s2-account", "s3-account", "s4-account", "pooled", "95% interval", "agents%", "Reported end (S3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("accounts report lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--accounts"}, "give --runs N"},
		{[]string{"simulate", "--runs", "3", "--accounts", filepath.Join("..", "..", "scenario", "testdata", "harbour.yaml")}, "defines no accounts"},
		{[]string{"simulate", "--runs", "3", "--accounts", "--variant", "s2-account"}, "does not go with --variant"},
		{[]string{"simulate", "--runs", "3", "--accounts", "--genius", filepath.Join("..", "..", "genius", "testdata", "car-domain.xml"), filepath.Join("..", "..", "genius", "testdata", "car-buyer.xml"), filepath.Join("..", "..", "genius", "testdata", "car-seller.xml")}, "inputs have none"},
	} {
		if _, errs, code := run(t, tc.args...); code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %s", tc.args, code, errs)
		}
	}
}

// TestAnalyzeSensitivity runs 'parley analyze --sensitivity' in text, JSON
// and HTML on one account of the built-in scenario.
func TestAnalyzeSensitivity(t *testing.T) {
	html := filepath.Join(t.TempDir(), "s.html")
	out, errs, code := run(t, "analyze", "--variant", "s4-account", "--sensitivity", "--sensitivity-pairs", "2", "--html", html)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Sensitivity: which estimates matter", "Pakistan: reservation", "opens the zone", "Change nothing across their range", "in pairs"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`class="tornado"`)) {
		t.Errorf("HTML report has no tornado chart")
	}
	out, errs, code = run(t, "analyze", "--variant", "s4-account", "--sensitivity", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Zone        struct{ Empty bool } `json:"zone"`
		Sensitivity struct {
			Rows []struct {
				Path          string `json:"path"`
				OpensOrCloses bool   `json:"opens_or_closes"`
			} `json:"rows"`
			NoEffect []struct{ Path string } `json:"no_effect"`
			Pairs    []struct{ A, B string } `json:"pairs"`
		} `json:"sensitivity"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Zone.Empty || len(r.Sensitivity.Rows) == 0 || !r.Sensitivity.Rows[0].OpensOrCloses || len(r.Sensitivity.Pairs) != 10 {
		t.Errorf("S4: want an empty zone that the top estimate opens and 10 pairs of the top 5: %+v", r.Sensitivity)
	}
	for _, args := range [][]string{{"analyze", "--sensitivity", "--sensitivity-step", "0"}, {"analyze", "--sensitivity", "--sensitivity-pairs", "-1"}} {
		if _, errs, code := run(t, args...); code != 2 || !strings.Contains(errs, "--sensitivity") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}
