package agent

import (
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/naming"
)

// Protocol sets for Info.Protocols.
var (
	offerProtocols = []parley.ProtocolName{parley.ProtocolSAO}
	textProtocols  = []parley.ProtocolName{parley.ProtocolMediated}
)

// Lookup returns the Info of the agent registered under name.
func Lookup(name string) (Info, bool) {
	registry.Lock()
	defer registry.Unlock()
	e, ok := registry.m[name]
	return e.info, ok
}

// plays reports whether the agent can play protocol ("" : any).
func (i Info) plays(protocol parley.ProtocolName) bool {
	return protocol == "" || i.Protocols == nil || slices.Contains(i.Protocols, protocol)
}

// Check checks, before anything runs, that spec names a registered agent of
// the given role (RoleNegotiator, RoleMediator or RolePrincipal) that can
// play protocol ("": any), with parameters its factory accepts. Errors have
// code parley.EINVALID and say what the agent is instead, naming the agents
// that fit: "boulware is a negotiator, not a mediator; mediators: ...".
// An exec spec ("exec:COMMAND ARGS") plays a party or the mediator in any
// protocol; Check says when its command is not found.
func Check(spec, role string, protocol parley.ProtocolName) error {
	if IsExec(spec) {
		return checkExec(spec, role)
	}
	name, _, err := ParseSpec(spec)
	if err != nil {
		return err
	}
	fit := fitting(role, protocol)
	in, ok := Lookup(name)
	if !ok {
		var all []string
		for _, in := range List() {
			all = append(all, in.Name)
		}
		hint := ""
		if c := naming.Closest(name, all); c != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", c)
		}
		return parley.Errorf(parley.EINVALID, "unknown agent %q%s; %s", name, hint, fit)
	}
	if in.Role != role {
		return parley.Errorf(parley.EINVALID, "%s is %s %s, not %s %s; %s", name, article(in.Role), in.Role, article(role), role, fit)
	}
	if !in.plays(protocol) {
		return parley.Errorf(parley.EINVALID, "%s cannot play the %s protocol (it plays %s); %s", name, protocol, in.PlaysList(), fit)
	}
	if role == RolePrincipal {
		_, err = NewPrincipal(spec)
	} else {
		_, err = New(spec)
	}
	return err
}

// fitting lists the agents of a role that play protocol, for messages.
func fitting(role string, protocol parley.ProtocolName) string {
	var names []string
	for _, in := range List() {
		if in.Role == role && in.plays(protocol) {
			names = append(names, in.Name)
		}
	}
	what := role + "s"
	if protocol != "" {
		what += " for " + string(protocol)
	}
	if len(names) == 0 {
		return "there are no " + what
	}
	return what + ": " + strings.Join(names, ", ")
}

func article(role string) string {
	if role == "" {
		return "a"
	}
	switch role[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an"
	}
	return "a"
}

// PlaysList names the protocols the agent plays, comma-separated.
func (i Info) PlaysList() string {
	s := make([]string, len(i.Protocols))
	for k, p := range i.Protocols {
		s[k] = string(p)
	}
	return strings.Join(s, ", ")
}
