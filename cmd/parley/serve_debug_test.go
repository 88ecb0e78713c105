package main

import (
	"math"
	"testing"
)

// TestDebugHistogram takes the difference of two readings of a runtime
// histogram and reads its quantiles as the upper bound of their bucket.
func TestDebugHistogram(t *testing.T) {
	before := DebugHistogram{Counts: []uint64{5, 1, 0, 0}, Buckets: []float64{0, 1, 2, 3, math.MaxFloat64}}
	after := DebugHistogram{Counts: []uint64{95, 1, 9, 1}, Buckets: before.Buckets}
	d := after.since(before)
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {0.5, 1}, {0.9, 1}, {0.91, 3}, {0.99, 3}, {1, math.MaxFloat64}} {
		if got := d.quantile(tc.q); got != tc.want {
			t.Errorf("quantile(%v) of %v = %v, want %v", tc.q, d.Counts, got, tc.want)
		}
	}
	if got := (DebugHistogram{}).quantile(0.99); got != 0 {
		t.Errorf("quantile of no samples = %v, want 0", got)
	}
	if r := readDebugRuntime(); r.AllocObjects == 0 || len(r.Runnable.Counts) == 0 || len(r.Runnable.Buckets) != len(r.Runnable.Counts)+1 {
		t.Errorf("readDebugRuntime: %+v", r)
	}
}
