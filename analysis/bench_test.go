package analysis_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/cputime"
	"github.com/parleyhq/parley/internal/sharedgenius"
	"github.com/parleyhq/parley/pareto"
)

// loadGenius loads a Genius domain and its profiles from the shared data
// (genius-templates/DIR), or skips.
func loadGenius(tb testing.TB, dir, domain string, profiles ...string) *parley.Model {
	tb.Helper()
	return sharedgenius.Model(tb, filepath.Join("genius-templates", dir), domain, profiles...)
}

func killerRobot(tb testing.TB) *parley.Model {
	return loadGenius(tb, "ANAC2015/group9-killer_robot", "KillerRobot.xml", "KillerRobot_util1.xml",
		"KillerRobot_util2.xml", "KillerRobot_util3.xml", "KillerRobot_util4.xml", "KillerRobot_util5.xml")
}

// BenchmarkAnalyzeKillerRobot: the full analysis of ANAC 2015's KillerRobot
// (5 parties, 240,000 outcomes), as `parley analyze --genius` runs it.
func BenchmarkAnalyzeKillerRobot(b *testing.B) {
	m := killerRobot(b)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := analysis.Analyze(context.Background(), m, analysis.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkFrontierKillerRobot: KillerRobot's exact Pareto frontier alone.
func BenchmarkFrontierKillerRobot(b *testing.B) {
	m := killerRobot(b)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := pareto.Frontier(m, pareto.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU reports the process's CPU time per run since cpu0 (all
// goroutines, the garbage collector's too): on a busy machine a steadier
// figure than the wall-clock ns/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cputime.Process()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
}
