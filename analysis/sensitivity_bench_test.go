package analysis

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// BenchmarkSensitizeIstanbul is the sensitivity analysis of the S0/S1
// account of the built-in scenario (119 estimates, an empty zone: every
// probe runs the blockers' relaxations), one probe after another.
func BenchmarkSensitizeIstanbul(b *testing.B) {
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		b.Fatal(err)
	}
	s, err := f.Scenario("s0s1-factions")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Sensitize(context.Background(), s, SensitivityOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Probes), "analyses/op")
	}
}
