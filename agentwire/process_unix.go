//go:build unix

package agentwire

import (
	"os/exec"
	"syscall"
)

// setGroup starts the agent in a process group of its own, so that
// killGroup reaches the children it starts too.
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// killGroup kills the agent's process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH: the group is gone already
	_ = cmd.Process.Kill()
}
