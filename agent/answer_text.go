package agent

import (
	"runtime"
	"sync"
	"weak"

	"github.com/parleyhq/parley"
)

// Helpers shared by the agents of the mediated single-text protocol: reading
// a text, completing its blanks, and pricing its clauses.

// statusQuo returns the status-quo option of issue i: its "not addressed"
// option, or option 0 when the issue has none.
func statusQuo(m *parley.Model, i int) int { return m.Scenario.Issues[i].StatusQuo() }

// clauseIndex maps each issue to the position of its clause in text, or −1
// when the text has no clause for it (or the clause is malformed).
func clauseIndex(m *parley.Model, text []parley.Clause) []int {
	idx := make([]int, len(m.Sizes))
	for i := range idx {
		idx[i] = -1
	}
	for j, c := range text {
		if c.Issue >= 0 && c.Issue < len(idx) && idx[c.Issue] < 0 {
			idx[c.Issue] = j
		}
	}
	return idx
}

// completeText returns the outcome a text would make if signed as it
// stands: every on-agenda clause with an option keeps it, blank clauses and
// issues off the agenda take their status-quo option (the agreement is
// silent on them).
func completeText(m *parley.Model, text []parley.Clause) parley.Outcome {
	o := make(parley.Outcome, len(m.Sizes))
	for i := range o {
		o[i] = statusQuo(m, i)
	}
	for _, c := range text {
		if c.Issue < 0 || c.Issue >= len(o) || !c.OnAgenda {
			continue
		}
		if c.Option >= 0 && c.Option < m.Sizes[c.Issue] {
			o[c.Issue] = c.Option
		}
	}
	return o
}

// settled reports whether a clause's option is fixed for now: agreed or final.
func settled(c parley.Clause) bool {
	return c.State == parley.ClauseAgreed || c.State == parley.ClauseFinal
}

// answerable reports whether a party may accept or reject the clause: it is
// on the agenda, written (not blank), and not settled.
func answerable(c parley.Clause) bool {
	return c.OnAgenda && c.Option >= 0 && !settled(c)
}

// clauseCost is what the clause of issue i costs the owner of u in o: how
// much u would gain if only that clause took its best option (0 when it
// already has it). It evaluates u on whole outcomes, so it holds for
// non-additive utilities too.
func clauseCost(u *parley.UtilityFn, m *parley.Model, o parley.Outcome, i int) int64 {
	base := u.Eval(o)
	keep := o[i]
	best := base
	for k := 0; k < m.Sizes[i]; k++ {
		o[i] = k
		if v := u.Eval(o); v > best {
			best = v
		}
	}
	o[i] = keep
	return best - base
}

// escapes lists the issues through which o can leave region r: the issues r
// restricts to a proper subset of their options.
func escapes(m *parley.Model, r parley.Region) []int {
	var out []int
	for _, s := range r {
		for k := 0; k < m.Sizes[s.Issue]; k++ {
			if !s.In[k] {
				out = append(out, s.Issue)
				break
			}
		}
	}
	return out
}

// needed reports, for each principal of pm, whether the party cannot ratify
// without it (its refusal alone blocks, whoever else accepts).
func needed(pm *parley.PartyModel) []bool {
	n := len(pm.Principals)
	out := make([]bool, n)
	acc := make([]bool, n)
	for f := range out {
		for g := range acc {
			acc[g] = g != f
		}
		out[f] = !pm.Ratifies(acc)
	}
	return out
}

// blocking returns the principals of pm that refuse o and whose refusal
// matters: the refusing principals the party needs, or every refusing
// principal when it needs none of them in particular (majority, quota).
// It returns nil when the party ratifies o.
func blocking(pm *parley.PartyModel, o parley.Outcome) []int {
	acc := make([]bool, len(pm.Principals))
	for f := range pm.Principals {
		acc[f] = pm.Principals[f].Accepts(o)
	}
	if pm.Ratifies(acc) {
		return nil
	}
	need := needed(pm)
	var req, all []int
	for f, a := range acc {
		if a {
			continue
		}
		all = append(all, f)
		if need[f] {
			req = append(req, f)
		}
	}
	if len(req) > 0 {
		return req
	}
	return all
}

// bestCache keeps bestUtility per model and utility function: it is pure,
// and a server starting sessions of one scenario would otherwise
// enumerate the outcome space for every delegate it seats. Its keys are
// weak, as IndexCache's: an entry goes when its utility function is
// collected, and it holds no model alive.
var bestCache = struct {
	mu sync.Mutex
	m  map[bestKey]int64
}{m: map[bestKey]int64{}}

type bestKey struct {
	m weak.Pointer[parley.Model]
	u weak.Pointer[parley.UtilityFn]
}

// cachedBest is bestUtility(m, u), computed once per m and u (neither
// may change once used, as for IndexCache).
func cachedBest(m *parley.Model, u *parley.UtilityFn) int64 {
	key := bestKey{m: weak.Make(m), u: weak.Make(u)}
	bestCache.mu.Lock()
	v, ok := bestCache.m[key]
	bestCache.mu.Unlock()
	if ok {
		return v
	}
	v = bestUtility(m, u)
	bestCache.mu.Lock()
	if _, ok := bestCache.m[key]; !ok {
		bestCache.m[key] = v
		runtime.AddCleanup(u, dropBest, key)
	}
	bestCache.mu.Unlock()
	return v
}

func dropBest(key bestKey) {
	bestCache.mu.Lock()
	delete(bestCache.m, key)
	bestCache.mu.Unlock()
}

// bestUtility returns the largest utility u reaches on a feasible outcome.
// Small models are enumerated; beyond enumLimit outcomes it returns the
// additive bound (each issue's best value plus every positive
// hyper-rectangle), which ignores feasibility.
func bestUtility(m *parley.Model, u *parley.UtilityFn) int64 {
	const enumLimit = 1 << 18
	size := m.Size()
	if size.IsInt64() && size.Int64() <= enumLimit {
		o := make(parley.Outcome, len(m.Sizes))
		best, found := int64(0), false
		for {
			if m.Feasible(o) {
				if v := u.Eval(o); !found || v > best {
					best, found = v, true
				}
			}
			i := 0
			for ; i < len(o); i++ {
				o[i]++
				if o[i] < m.Sizes[i] {
					break
				}
				o[i] = 0
			}
			if i == len(o) {
				break
			}
		}
		if found {
			return best
		}
	}
	var s int64
	for _, vs := range u.Values {
		b := vs[0]
		for _, v := range vs[1:] {
			b = max(b, v)
		}
		s += b
	}
	for _, r := range u.Rects {
		if r.Utility > 0 {
			s += r.Utility
		}
	}
	return s
}
