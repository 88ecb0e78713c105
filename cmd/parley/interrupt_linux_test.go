package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptCancels runs a long Monte Carlo simulation as a child (this
// test binary through TestMain, which runs the command line as main does)
// and interrupts it once it has run past interruptAfter: the command's
// context is cancelled and it ends with its error and exit status 1, not
// killed by the signal. A second interrupt ends the process at once.
func TestInterruptCancels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	for _, twice := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, os.Args[0], "simulate", "--runs", "100000000")
		cmd.Env = append(os.Environ(), childEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * interruptAfter)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if twice {
			time.Sleep(interruptAfter / 5)
			_ = cmd.Process.Signal(os.Interrupt)
		}
		err := cmd.Wait()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("twice=%v: the simulation did not fail after an interrupt: %v\n%s", twice, err, stderr.String())
		}
		ws := ee.Sys().(syscall.WaitStatus)
		switch {
		case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
			t.Fatalf("twice=%v: the simulation ran on after the interrupt until the test's timeout", twice)
		case !twice && (ws.Signaled() || ws.ExitStatus() != 1 || !strings.Contains(stderr.String(), "context canceled")):
			t.Errorf("one interrupt: %v, want exit status 1 and the cancellation; stderr:\n%s", ws, stderr.String())
		}
	}
}
