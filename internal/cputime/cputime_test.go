package cputime

import (
	"runtime"
	"testing"
)

// TestProcessGrows: burning CPU shows in the reading (on unix, where it
// is measured).
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("CPU time is not read on", runtime.GOOS)
	}
	start := Process()
	x := 0
	for i := 0; i < 50_000_000; i++ { // some tens of milliseconds of CPU
		x += i ^ (x >> 3)
	}
	if Process() <= start {
		t.Fatalf("CPU time did not grow (%d)", x)
	}
}
