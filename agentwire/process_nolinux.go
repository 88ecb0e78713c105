//go:build unix && !linux

package agentwire

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}
