// Package cputime reads the process's CPU time, for benchmarks that report
// CPU beside wall time (a figure a busy machine disturbs less).
package cputime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Process returns the process's user and system CPU time so far; 0 where
// the platform does not say (then a benchmark's CPU figure reads 0).
func Process() time.Duration { return process() }

// ProcStat returns the fields of /proc/PID/stat after the command's name
// (in parentheses, which may hold spaces): state (0), ppid (1), ... utime
// (11), stime (12), cutime (13), cstime (14); nil where it cannot be read
// (another process gone, or a system without /proc).
func ProcStat(pid int) []string {
	if pid <= 0 {
		return nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// Ticks adds up clock-tick counts of ProcStat's fields (USER_HZ, 100 on
// Linux) as a duration.
func Ticks(f []string) time.Duration {
	var n int64
	for _, v := range f {
		t, _ := strconv.ParseInt(v, 10, 64)
		n += t
	}
	return time.Duration(n) * time.Second / 100
}
