package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
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
		errb.WriteString("parley: " + err.Error() + "\n")
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

// TestAnalyzeBuiltinGolden is the golden test of 'parley analyze' on the
// built-in scenario: the whole text report, variants included.
func TestAnalyzeBuiltinGolden(t *testing.T) {
	out, errs, code := run(t, "analyze")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "analyze-istanbul.golden", out)
	for _, want := range []string{"Kandahar", "Kabul", "Khost", "Zone of agreement: EMPTY", "us-guarantor-precondition", "Variants compared", "before-recess"} {
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
	if r.Outcomes.String() != "15552" {
		t.Errorf("outcomes = %s, want 15552 (4·3·3·3·3·2·3·2·2·2)", r.Outcomes)
	}
	if !r.Zone.Empty || r.Zone.Size.String() != "0" || r.Nash != nil {
		t.Errorf("base account: want an empty zone and no Nash point, got zone %+v nash %v", r.Zone, r.Nash)
	}
	if len(r.Pareto) == 0 || len(r.Pareto[0].Utilities) != 2 || len(r.Pareto[0].Outcome) != 10 {
		t.Errorf("pareto points need 2 utilities and 10 issues: %+v", r.Pareto[:1])
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
		{"UnknownFlag", []string{"analyze", "--jsonn"}, "flag provided but not defined"},
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
