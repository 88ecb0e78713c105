//go:build !linux

package main

import (
	"os/exec"
	"time"
)

// selfCPU is not measured here (0).
func selfCPU() time.Duration { return 0 }

// dieWithParent does nothing here: stop the servers yourself if the load
// test is killed.
func dieWithParent(*exec.Cmd) {}
