package cputime

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
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

// TestProcStat: this process's own line of /proc gives its parent, and
// its CPU ticks add up to no more than the time it has used.
func TestProcStat(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is read on Linux")
	}
	f := ProcStat(os.Getpid())
	if len(f) < 15 {
		t.Fatalf("ProcStat(self) = %q, want at least 15 fields", f)
	}
	if f[1] != strconv.Itoa(os.Getppid()) {
		t.Errorf("ppid field %q, want %d", f[1], os.Getppid())
	}
	if got, used := Ticks(f[11:13]), Process(); got > used+10*time.Millisecond {
		t.Errorf("utime+stime %v, more than the process used (%v)", got, used)
	}
	if ProcStat(0) != nil || ProcStat(-1) != nil {
		t.Error("ProcStat of no process gave fields")
	}
	if Ticks([]string{"150", "50"}) != 2*time.Second {
		t.Errorf("Ticks(150, 50) = %v, want 2s", Ticks([]string{"150", "50"}))
	}
}
