//go:build !linux

package agentwire

import "os"

// unread is not known here: out-of-turn lines are caught by turn numbers.
func unread(*os.File) int { return 0 }
