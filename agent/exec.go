package agent

import (
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
)

// ExecPrefix starts an agent spec that runs a program: "exec:COMMAND ARGS"
// (the rest split on spaces) starts COMMAND as a subprocess, once per
// negotiation, speaking the agent protocol of docs/agent-protocol.md
// (package agentwire) on its stdin and stdout. It plays a party (in any
// protocol) or the mediator; not a faction.
const ExecPrefix = "exec:"

// IsExec reports whether spec runs a program (ExecPrefix).
func IsExec(spec string) bool {
	return strings.HasPrefix(strings.TrimSpace(spec), ExecPrefix)
}

// ExecCommand splits an exec spec into the command line: the words after
// ExecPrefix. Errors have code parley.EINVALID.
func ExecCommand(spec string) ([]string, error) {
	argv := strings.Fields(strings.TrimPrefix(strings.TrimSpace(spec), ExecPrefix))
	if len(argv) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "agent: %q gives no command; write exec:COMMAND [ARGS...]", spec)
	}
	return argv, nil
}

// NewExec returns the agent of an exec spec: the program is started when
// the negotiation starts (Init) and always stopped and reaped at its end;
// every fault of the program ends the negotiation as an agent error (see
// agentwire.Agent). A command that is not found is an error now.
func NewExec(spec string) (*agentwire.Agent, error) {
	argv, err := ExecCommand(spec)
	if err != nil {
		return nil, err
	}
	if err := agentwire.CheckCommand(argv); err != nil {
		return nil, &parley.Error{Code: parley.EINVALID, Message: "agent: " + spec, Err: err}
	}
	return agentwire.Command(argv, agentwire.CommandOptions{}), nil
}

// checkExec checks an exec spec for a role: it runs a program that exists,
// and plays a party or the mediator.
func checkExec(spec, role string) error {
	if role == RolePrincipal {
		return parley.Errorf(parley.EINVALID, "%s: a program cannot play a faction (the agent protocol has no instructions to send yet); use a built-in principal", spec)
	}
	argv, err := ExecCommand(spec)
	if err != nil {
		return err
	}
	return agentwire.CheckCommand(argv)
}

func init() {
	Register(Info{
		Name: "exec", Role: RoleNegotiator, Protocols: []parley.ProtocolName{parley.ProtocolSAO, parley.ProtocolMediated},
		Summary: "exec:COMMAND ARGS runs a program speaking the agent protocol (docs/agent-protocol.md) on stdin/stdout; also as --mediator",
	}, func(map[string]string) (parley.Agent, error) {
		return nil, parley.Errorf(parley.EINVALID, "exec needs a command: exec:COMMAND [ARGS...]")
	})
}
