package agentwire

import (
	"os"

	"golang.org/x/sys/unix"
)

// unread returns how many bytes wait in a pipe to be read (FIONREAD, which
// Linux also calls TIOCINQ).
func unread(f *os.File) int {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
	return n
}
