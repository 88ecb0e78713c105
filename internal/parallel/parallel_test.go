package parallel

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
)

func TestWorkersCap(t *testing.T) {
	t.Parallel()
	cores := runtime.GOMAXPROCS(0)
	for _, c := range []struct {
		n, want int
		capped  bool
	}{
		{0, cores, false}, {-3, cores, false}, {1, 1, false},
		{PerCore * cores, PerCore * cores, false}, {PerCore*cores + 1, PerCore * cores, true}, {1_000_000, PerCore * cores, true},
	} {
		if got, capped := Workers(c.n); got != c.want || capped != c.capped {
			t.Errorf("Workers(%d) = %d, %v; want %d, %v", c.n, got, capped, c.want, c.capped)
		}
	}
}

// TestForCapsAndCovers: a million workers asked for, every index run once
// on no more goroutines than the cap.
func TestForCapsAndCovers(t *testing.T) {
	t.Parallel()
	const n = 5000
	var seen [n]atomic.Int32
	var live, peak atomic.Int32
	err := For(context.Background(), n, 1_000_000, func(i int) {
		l := live.Add(1)
		for p := peak.Load(); l > p && !peak.CompareAndSwap(p, l); p = peak.Load() {
		}
		seen[i].Add(1)
		live.Add(-1)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("index %d ran %d times", i, seen[i].Load())
		}
	}
	if p := int(peak.Load()); p > MaxWorkers() {
		t.Fatalf("%d runs at once, more than the cap %d", p, MaxWorkers())
	}
}
