package agentwire

import "syscall"

// setDeathSignal has Linux kill the agent if the engine dies first.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
