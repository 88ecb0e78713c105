package agent

import (
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// stParams reads the params of one of the single-text agents (mediators,
// delegates, principals). It remembers the first malformed value and, in
// done, reports keys the agent does not know, so that a typo in a spec
// ("extned=2") is an error rather than a silent default.
type stParams struct {
	agent string
	m     map[string]string
	used  map[string]bool
	err   error
}

func newSTParams(agent string, m map[string]string) *stParams {
	return &stParams{agent: agent, m: m, used: map[string]bool{}}
}

func (p *stParams) fail(key, v, want string) {
	if p.err == nil {
		p.err = parley.Errorf(parley.EINVALID, "%s: parameter %s=%q must be %s", p.agent, key, v, want)
	}
}

// raw returns the value of key and whether it was given.
func (p *stParams) raw(key string) (string, bool) {
	p.used[key] = true
	v, ok := p.m[key]
	return strings.TrimSpace(v), ok
}

// int reads an integer of at least lo.
func (p *stParams) int(key string, def, lo int) int {
	v, ok := p.raw(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo {
		p.fail(key, v, "an integer ≥ "+strconv.Itoa(lo))
		return def
	}
	return n
}

// float reads a finite number within [lo, hi].
func (p *stParams) float(key string, def, lo, hi float64) float64 {
	v, ok := p.raw(key)
	if !ok {
		return def
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x != x || x < lo || x > hi {
		p.fail(key, v, "a number in ["+strconv.FormatFloat(lo, 'g', -1, 64)+", "+strconv.FormatFloat(hi, 'g', -1, 64)+"]")
		return def
	}
	return x
}

// choice reads one of the allowed words; the first is the default.
func (p *stParams) choice(key string, allowed ...string) string {
	v, ok := p.raw(key)
	if !ok {
		return allowed[0]
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(key, v, "one of "+strings.Join(allowed, ", "))
	return allowed[0]
}

// done returns the first error: a malformed value, or an unknown key.
func (p *stParams) done() error {
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for k := range p.m {
		if !p.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(p.used))
		for k := range p.used {
			known = append(known, k)
		}
		sort.Strings(known)
		return parley.Errorf(parley.EINVALID, "%s: unknown parameter %s (known: %s)", p.agent, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}
