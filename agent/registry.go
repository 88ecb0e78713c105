package agent

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
)

// Roles an agent can play, for Info.Role.
const (
	RoleNegotiator = "negotiator" // makes and answers offers for a party
	RoleMediator   = "mediator"   // writes the single negotiating text
	RolePrincipal  = "principal"  // instructs a delegate on behalf of a faction
)

// Info describes a registered agent.
type Info struct {
	// Name is the short name used in specs ("boulware").
	Name string
	// Role is RoleNegotiator, RoleMediator or RolePrincipal.
	Role string
	// Protocols are the protocols the agent can play (parley.ProtocolSAO,
	// parley.ProtocolMediated); nil means any. An offer-based negotiator
	// walks away from a text it is asked to answer, and a text-answering
	// one cannot make offers, so Check refuses the mismatch up front.
	Protocols []parley.ProtocolName
	// Summary is one line on what the agent does.
	Summary string
	// Params lists the parameters as "key=default (meaning); key=default
	// (meaning)", "" for none; semicolons inside parentheses do not
	// separate. New rejects any key not named here, so the
	// factory may rely on receiving only these.
	Params string
}

// Keys returns the parameter names listed in Params, in order.
func (i Info) Keys() []string {
	var keys []string
	depth, start := 0, 0
	item := func(p string) {
		if k, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k != "" {
			keys = append(keys, strings.TrimSpace(k))
		}
	}
	for j, c := range i.Params {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ';':
			if depth == 0 {
				item(i.Params[start:j])
				start = j + 1
			}
		}
	}
	item(i.Params[start:])
	return keys
}

// Factory makes a fresh agent from its parameters (only keys listed in
// Info.Params; values unparsed).
type Factory func(params map[string]string) (parley.Agent, error)

// PrincipalFactory makes a fresh principal agent from its parameters.
type PrincipalFactory func(params map[string]string) (parley.PrincipalAgent, error)

type entry struct {
	info      Info
	agent     Factory
	principal PrincipalFactory
}

var registry = struct {
	sync.Mutex
	m map[string]entry
}{m: map[string]entry{}}

// Register adds an agent factory under info.Name. It is meant for init
// functions, and panics on an empty or duplicate name or a nil factory
// (programmer errors).
func Register(info Info, f Factory) {
	if f == nil {
		panic("agent: Register " + info.Name + " with a nil factory")
	}
	add(entry{info: info, agent: f})
}

// RegisterPrincipal adds a principal agent factory under info.Name (whose
// Role is normally RolePrincipal). Names are shared with Register. It panics
// like Register.
func RegisterPrincipal(info Info, f PrincipalFactory) {
	if f == nil {
		panic("agent: RegisterPrincipal " + info.Name + " with a nil factory")
	}
	add(entry{info: info, principal: f})
}

func add(e entry) {
	if e.info.Name == "" || strings.ContainsAny(e.info.Name, ":,= ") {
		panic(fmt.Sprintf("agent: bad agent name %q", e.info.Name))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[e.info.Name]; dup {
		panic("agent: agent " + e.info.Name + " registered twice")
	}
	registry.m[e.info.Name] = e
}

// List returns every registered agent, sorted by role then name.
func List() []Info {
	registry.Lock()
	out := make([]Info, 0, len(registry.m))
	for _, e := range registry.m {
		out = append(out, e.info)
	}
	registry.Unlock()
	slices.SortFunc(out, func(a, b Info) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// ParseSpec splits an agent spec, "name" or "name:key=val,key=val", into the
// name and its parameters. Errors have code parley.EINVALID.
func ParseSpec(spec string) (name string, params map[string]string, err error) {
	name, rest, hasParams := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, parley.Errorf(parley.EINVALID, "agent: empty agent spec %q", spec)
	}
	params = map[string]string{}
	if !hasParams {
		return name, params, nil
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return "", nil, parley.Errorf(parley.EINVALID, "agent: spec %q: parameter %q is not key=value", spec, kv)
		}
		if _, dup := params[k]; dup {
			return "", nil, parley.Errorf(parley.EINVALID, "agent: spec %q: parameter %q given twice", spec, k)
		}
		params[k] = v
	}
	return name, params, nil
}

// lookup parses spec and finds its entry, checking the parameter names.
func lookup(spec string, principal bool) (entry, map[string]string, error) {
	name, params, err := ParseSpec(spec)
	if err != nil {
		return entry{}, nil, err
	}
	registry.Lock()
	e, ok := registry.m[name]
	registry.Unlock()
	kind, want := "agent", func(e entry) bool { return e.agent != nil }
	if principal {
		kind, want = "principal agent", func(e entry) bool { return e.principal != nil }
	}
	if !ok || !want(e) {
		var known []string
		registry.Lock()
		for n, ke := range registry.m {
			if want(ke) {
				known = append(known, n)
			}
		}
		registry.Unlock()
		slices.Sort(known)
		return entry{}, nil, parley.Errorf(parley.EINVALID, "agent: unknown %s %q (known: %s)", kind, name, strings.Join(known, ", "))
	}
	keys := e.info.Keys()
	var bad []string
	for k := range params {
		if !slices.Contains(keys, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		known := "none"
		if len(keys) > 0 {
			known = strings.Join(keys, ", ")
		}
		return entry{}, nil, parley.Errorf(parley.EINVALID, "agent: %s: unknown parameter %s (known: %s)", name, strings.Join(bad, ", "), known)
	}
	return e, params, nil
}

// New makes a fresh agent from a spec: "name" or "name:key=val,key=val",
// for example "boulware" or "boulware:e=0.1", or a program: "exec:COMMAND
// ARGS" (NewExec). Unknown names and parameters,
// and bad values, are errors with code parley.EINVALID that list the known
// ones.
func New(spec string) (parley.Agent, error) {
	if IsExec(spec) {
		a, err := NewExec(spec)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	e, params, err := lookup(spec, false)
	if err != nil {
		return nil, err
	}
	a, err := e.agent(params)
	if err != nil {
		return nil, wrapParam(e.info.Name, err)
	}
	return a, nil
}

// NewPrincipal makes a fresh principal agent from a spec, like New.
func NewPrincipal(spec string) (parley.PrincipalAgent, error) {
	if IsExec(spec) {
		return nil, checkExec(spec, RolePrincipal)
	}
	e, params, err := lookup(spec, true)
	if err != nil {
		return nil, err
	}
	a, err := e.principal(params)
	if err != nil {
		return nil, wrapParam(e.info.Name, err)
	}
	return a, nil
}

func wrapParam(name string, err error) error {
	if parley.ErrorCode(err) == parley.EINVALID && strings.HasPrefix(parley.ErrorMessage(err), name+": ") {
		return &parley.Error{Code: parley.EINVALID, Message: "agent", Err: err} // the factory named itself
	}
	if parley.ErrorCode(err) == parley.EINVALID {
		return &parley.Error{Code: parley.EINVALID, Message: "agent: " + name, Err: err}
	}
	return fmt.Errorf("agent: %s: %w", name, err)
}

// FloatParam reads the float parameter key from params, or def when absent.
// A value that is not a finite number in [lo, hi] is an error with code
// parley.EINVALID. Factories (here and in other files) use it to parse specs.
func FloatParam(params map[string]string, key string, def, lo, hi float64) (float64, error) {
	s, ok := params[key]
	if !ok {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v < lo || v > hi {
		return 0, parley.Errorf(parley.EINVALID, "parameter %s=%q must be a number in [%g, %g]", key, s, lo, hi)
	}
	return v, nil
}

// IntParam reads the integer parameter key from params, or def when absent,
// like FloatParam.
func IntParam(params map[string]string, key string, def, lo, hi int) (int, error) {
	s, ok := params[key]
	if !ok {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, parley.Errorf(parley.EINVALID, "parameter %s=%q must be an integer in [%d, %d]", key, s, lo, hi)
	}
	return v, nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
