//go:build !unix

package jsonl

import "os"

// lock is a no-op where flock is not available: one writer at a time is
// then the user's to ensure.
func lock(f *os.File) error { return nil }
