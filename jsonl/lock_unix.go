//go:build unix

package jsonl

import (
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on f, failing at once if another
// process holds it.
func lock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
