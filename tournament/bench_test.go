package tournament

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// BenchmarkTournamentANAC2012 runs the time-based agents (boulware,
// linear, conceder) on the 72 ANAC 2012 scenarios (24 domains, 3 variants
// each) of the shared Genius data and reports negotiations per second,
// output files included.
func BenchmarkTournamentANAC2012(b *testing.B) {
	dir := filepath.Join(shared.Genius(b), "genius-templates", "anac", "y2012")
	def := Definition{Agents: benchAgents, Scenarios: []string{dir}, Reps: 10, Rounds: 100, SelfPlay: true}
	pr, err := Prepare(def)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	b.ResetTimer()
	for b.Loop() {
		st, err := pr.Run(context.Background(), Options{Out: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		n += st.Ran
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "negotiations/s")
}

// benchAgents are the time-based agents; BENCH_AGENTS="a b c" replaces them.
var benchAgents = []string{"boulware", "linear", "conceder"}

func init() {
	if a := os.Getenv("BENCH_AGENTS"); a != "" {
		benchAgents = strings.Fields(a)
	}
}
