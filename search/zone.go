package search

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"

	"github.com/parleyhq/parley"
)

// ZoneResult is the outcome of Zone.
type ZoneResult struct {
	// Empty reports that the zone of agreement is proven empty.
	Empty bool
	// Witness is an outcome in the zone (nil when it is empty).
	Witness parley.Outcome
	// Size is the number of outcomes in the zone: exact when Exact, a lower
	// bound otherwise.
	Size *big.Int
	// Exact reports whether the count finished within the budget.
	Exact bool
	// Estimate is the zone's size as a float: Size when Exact, otherwise an
	// estimate from uniform sampling with Options.Seed (never below Size).
	Estimate float64
	// Nodes is the number of search nodes evaluated.
	Nodes int64
	// Note says how the result was obtained, and why it is not exact.
	Note string
}

// SampleCount is the number of uniform samples Zone draws to estimate the
// zone's size when the budget runs out.
const SampleCount = 20000

// Zone decides whether the zone of agreement (the outcomes every party
// accepts) is empty, finds a witness, and counts its outcomes. The count is
// exact within the budget; otherwise Exact is false, Size is a lower bound
// and Estimate a sampled estimate. If the budget runs out before a witness
// is found and none turns up in sampling, emptiness is undecided and Zone
// returns an error with code parley.ELIMIT.
func Zone(m *parley.Model, opt Options) (*ZoneResult, error) {
	if err := validate(m); err != nil {
		return nil, err
	}
	m, err := fold(m)
	if err != nil {
		return nil, err
	}
	e, _, err := newEngine(m, nil, true, opt)
	if err != nil {
		return nil, err
	}
	zs := &zoneSearch{e: e}
	total := e.max
	e.max = total - total/10 // a tenth is reserved for witness dives
	root := e.newEval()
	if e.evaluate(0, root) {
		zs.visit(0, root)
	}
	if e.aborted && zs.witness == nil {
		e.max = total
		zs.dives(root)
	}
	res := &ZoneResult{Exact: !e.aborted, Nodes: e.nodes, Size: zs.cnt.big(), Witness: zs.witness}
	if res.Exact {
		res.Empty = res.Witness == nil
		res.Estimate, _ = new(big.Float).SetInt(res.Size).Float64()
		if res.Empty {
			res.Note = fmt.Sprintf("exact: the zone of agreement is empty (%d nodes)", e.nodes)
		} else {
			res.Note = fmt.Sprintf("exact: %s outcomes in the zone of agreement (%d nodes)", res.Size, e.nodes)
		}
		return res, nil
	}
	// Budget exhausted: estimate by uniform sampling.
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	o := make(parley.Outcome, e.n)
	hits := 0
	for s := 0; s < SampleCount; s++ {
		for i, k := range m.Sizes {
			o[i] = rng.IntN(k)
		}
		if m.InZone(o) {
			hits++
			if res.Witness == nil {
				res.Witness = slices.Clone(o)
			}
		}
	}
	all, _ := new(big.Float).SetInt(m.Size()).Float64()
	lower, _ := new(big.Float).SetInt(res.Size).Float64()
	res.Estimate = max(lower, all*float64(hits)/SampleCount)
	if res.Witness == nil {
		return nil, &parley.Error{Code: parley.ELIMIT,
			Message: fmt.Sprintf("search: node budget of %d exhausted before the zone of agreement could be shown empty or non-empty (no witness from search, greedy dives or %d samples); raise MaxNodes", total, SampleCount)}
	}
	if res.Size.Sign() == 0 {
		res.Size.SetInt64(1) // the witness
		res.Estimate = max(res.Estimate, 1)
	}
	res.Note = fmt.Sprintf("not exact: node budget of %d exhausted; the zone is non-empty (witness found), Size %s is a lower bound and Estimate %.4g comes from %d uniform samples (%d in the zone, seed %d)",
		total, res.Size, res.Estimate, SampleCount, hits, opt.Seed)
	return res, nil
}

type zoneSearch struct {
	e       *engine
	cnt     counter
	witness parley.Outcome
}

func (zs *zoneSearch) visit(d int, ev *eval) {
	e := zs.e
	if ev.zone < 0 {
		return
	}
	if ev.zone > 0 {
		e.add(&zs.cnt, d)
		if zs.witness == nil {
			zs.witness = make(parley.Outcome, e.n)
			e.outcome(d, zs.witness)
		}
		return
	}
	if d == e.n {
		return // unreachable: a full outcome is decided
	}
	if d == e.n-1 && ev.pending == 0 {
		zs.lastIssue(ev)
		return
	}
	ord, ok := e.children(d, func(c int, ev *eval) int64 {
		// Surely-in subtrees first, then those with most surely accepting
		// principals, then the largest slack.
		k := int64(ev.zone)<<40 + int64(ev.nacc)<<20
		var slack int64
		for _, p := range e.princs {
			if ev.hi[p.fn] <= p.res {
				slack--
			}
		}
		return k + slack
	})
	if !ok {
		return
	}
	ch := e.evs[d]
	for _, c := range ord {
		e.assign(d, c)
		zs.visit(d+1, &ch[c])
		e.unassign(d, c)
		if e.aborted {
			return
		}
	}
}

// lastIssue counts the children of a node where only the last issue is
// free and every rect and red line is decided: each principal's utility is
// then the node's lower bound shifted by the last issue's value, so the
// children are decided in a tight loop instead of being visited.
func (zs *zoneSearch) lastIssue(ev *eval) {
	e := zs.e
	d := e.n - 1
	for c, cl := range e.cls[d] {
		for j, p := range e.princs {
			fd := &e.fns[p.fn]
			u := ev.lo[p.fn] - fd.minV[d] + fd.vals[d][c]
			e.acc[j] = !ev.hit[j] && u > p.res
		}
		in := true
		for _, pt := range e.parties {
			if !pt.pm.Ratifies(e.acc[pt.first : pt.first+pt.n]) {
				in = false
				break
			}
		}
		if !in {
			continue
		}
		e.asg[d] = c
		e.pathMul[d+1] = e.pathMul[d] * uint64(cl.size)
		e.add(&zs.cnt, d+1)
		if zs.witness == nil {
			zs.witness = make(parley.Outcome, e.n)
			e.outcome(d+1, zs.witness)
		}
	}
}

// dives looks for a witness (bounded mode only) by greedy descents that
// avoid surely rejected subtrees and prefer the largest normalised margin
// of the principals over their reservations; the k-th dive takes the k-th
// best child at the first depth to diversify.
func (zs *zoneSearch) dives(root *eval) {
	e := zs.e
	span := make([]float64, len(e.princs))
	for j, p := range e.princs {
		span[j] = float64(root.hi[p.fn]-root.lo[p.fn]) + 1
	}
	score := func(ev *eval) float64 {
		s := float64(ev.zone)*1e6 + float64(ev.nacc)*1e3
		for j, p := range e.princs {
			s += (float64(ev.lo[p.fn]+ev.hi[p.fn])/2 - float64(p.res)) / span[j]
		}
		return s
	}
	defer func() { e.aborted = true }() // bounded mode stays not exact
	for k := 0; zs.witness == nil && k < len(e.cls[0]); k++ {
		e.aborted = false
		d := 0
		var last *eval
		for d < e.n {
			ch := e.evs[d]
			bc, bs := -1, 0.0
			var cands []int
			for c := range e.cls[d] {
				e.assign(d, c)
				ok := e.evaluate(d+1, &ch[c])
				e.unassign(d, c)
				if !ok {
					break
				}
				if ch[c].zone >= 0 {
					cands = append(cands, c)
				}
			}
			if e.aborted {
				break
			}
			if d == 0 {
				slices.SortStableFunc(cands, func(a, b int) int {
					sa, sb := score(&ch[a]), score(&ch[b])
					if sa > sb {
						return -1
					} else if sa < sb {
						return 1
					}
					return 0
				})
				if k < len(cands) {
					bc = cands[k]
				}
			} else {
				for _, c := range cands {
					if s := score(&ch[c]); bc < 0 || s > bs {
						bc, bs = c, s
					}
				}
			}
			if bc < 0 {
				break
			}
			e.assign(d, bc)
			last = &ch[bc]
			d++
		}
		if d == e.n && last != nil && last.zone > 0 {
			zs.witness = make(parley.Outcome, e.n)
			e.outcome(d, zs.witness)
		}
		for j := d - 1; j >= 0; j-- {
			e.unassign(j, e.asg[j])
		}
		if e.aborted {
			return
		}
	}
}
