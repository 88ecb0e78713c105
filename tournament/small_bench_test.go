package tournament

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/cputime"
	"github.com/parleyhq/parley/internal/shared"
)

// BenchmarkTournamentSmall is issue 14's small tournament (4 agents ×
// Laptop and Camera, 1,000 rounds, 2 repetitions: 48 negotiations) on one
// worker, as go run ./bench times it: scenarios loaded, negotiations run
// and the output files written, every time.
func BenchmarkTournamentSmall(b *testing.B) {
	y := filepath.Join(shared.Genius(b), "genius-templates", "anac", "y2012")
	def := Definition{
		Agents:    []string{"boulware", "linear", "conceder", "hardliner"},
		Scenarios: []string{filepath.Join(y, "Laptop", "Laptop-A-domain.xml"), filepath.Join(y, "Camera", "Camera-A-domain.xml")},
		Reps:      2, Rounds: 1000, Seed: 1,
	}
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := Run(context.Background(), def, Options{Out: b.TempDir(), Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time beside the wall clock, which a busy machine inflates.
	b.ReportMetric((cputime.Process()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/op")
}
