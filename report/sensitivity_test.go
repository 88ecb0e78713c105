package report

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
)

// TestSensitivityReports renders the sensitivity analysis of two accounts
// of the built-in scenario (one with an open zone, one with an empty one)
// in text and HTML: the ranked table, the estimates without effect, the
// pairs, and a well-formed tornado chart with one bar per top estimate.
func TestSensitivityReports(t *testing.T) {
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "s4-account"} {
		s, err := f.Scenario(v)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		rep, err := analysis.Analyze(context.Background(), m, analysis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sens, err := analysis.Sensitize(context.Background(), s, analysis.SensitivityOptions{Pairs: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(sens.Rows) == 0 {
			t.Fatalf("%q: no estimate changes anything", v)
		}
		var b bytes.Buffer
		if err := SensitivityText(&b, sens, 5); err != nil {
			t.Fatal(err)
		}
		txt := b.String()
		mustContain(t, txt, "Sensitivity: which estimates matter", "rank", "Change nothing across their range", "in pairs", "more (--sensitivity-rows")
		if strings.Count(txt, "\n     ") < 5 {
			t.Errorf("%q: want 5 ranked rows:\n%s", v, txt)
		}
		doc := renderAnalysis(t, rep, m, HTMLOptions{Seed: 1, Sensitivity: sens})
		counts := wellFormed(t, doc)
		mustContain(t, doc, `class="tornado"`, "Sensitivity: which estimates matter", "Estimates that change nothing")
		bars := min(len(sens.Rows), MaxTornadoBars)
		if got := strings.Count(doc, `class="tbar-low"`); got != bars {
			t.Errorf("%q: %d tornado bars, want %d", v, got, bars)
		}
		if counts["svg"] < 2 {
			t.Errorf("%q: want the outcome plot and the tornado chart, got %d svg elements", v, counts["svg"])
		}
	}
}
