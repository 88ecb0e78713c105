// Package cputime reads the process's CPU time, for benchmarks that report
// CPU beside wall time (a figure a busy machine disturbs less).
package cputime

import "time"

// Process returns the process's user and system CPU time so far; 0 where
// the platform does not say (then a benchmark's CPU figure reads 0).
func Process() time.Duration { return process() }
