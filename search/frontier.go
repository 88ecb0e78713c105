package search

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/parleyhq/parley"
)

// FrontierResult is the outcome of Frontier.
type FrontierResult struct {
	// Points are the frontier's points, one per distinct utility vector,
	// sorted by U[0] descending, then U[1] descending, and so on. Each
	// carries the lexicographically smallest outcome attaining its vector
	// and the number of outcomes (of the searched set) attaining it.
	Points []parley.FrontierPoint
	// Exact reports whether the search finished within its budget. When it
	// did not, Points are the non-dominated vectors found so far (every one
	// is attained by its Outcome, but the true frontier may hold vectors
	// that dominate them or are missing) and Counts are lower bounds.
	Exact bool
	// Nodes is the number of search nodes evaluated.
	Nodes int64
	// Note says how the result was obtained, and why it is not exact.
	Note string
	// Gap bounds, when Exact is false, how far the true frontier can lie
	// beyond Points, as a utility: every outcome o has a point p with
	// u_i(o) <= u_i(p) + Gap for every party i (utilities read through
	// each party's scale, parley.UtilityFn.F), so the points are an
	// additive Gap-approximation of the frontier. It is 0 when Exact, and −1 when no
	// bound is known (bounded mode for three or more parties, over the
	// zone of agreement, or when nothing was found).
	Gap float64
	// Gaps refines Gap for two parties, segment by segment: Gaps[0] bounds
	// how far an outcome's first utility can exceed Points[0]'s; Gaps[k],
	// 0 < k < len(Points), how far an outcome can get past the corner
	// (Points[k].U[0], Points[k-1].U[1]) in both utilities; the last how far
	// the second utility can exceed the last point's. Nil when Gap is not
	// known; all 0 when Exact.
	Gaps []float64
}

type fpoint struct {
	u   []int64
	out parley.Outcome
	cnt counter
}

type frontierSearch struct {
	e        *engine
	pf       []int // fn index per party
	zoneOnly bool
	arch     []*fpoint
	hiv, lov []int64
	rep      parley.Outcome
}

// Frontier returns the Pareto frontier of the parties' utilities
// (m.Parties[i].Utility) over all outcomes (zoneOnly false) or over the zone
// of agreement only (zoneOnly true: outcomes every party accepts, see
// parley.Model.InZone).
//
// It returns one point per distinct non-dominated utility vector with the
// lexicographically smallest outcome attaining it and the exact number of
// outcomes of the set attaining it, sorted by U[0] descending, then U[1]
// descending, and so on. When the node budget runs out the result is the
// archive found so far, with Exact false and a Note saying so.
func Frontier(m *parley.Model, zoneOnly bool, opt Options) (*FrontierResult, error) {
	if err := validate(m); err != nil {
		return nil, err
	}
	if zoneOnly {
		var err error
		if m, err = fold(m); err != nil {
			return nil, err
		}
	}
	targets := make([]*parley.UtilityFn, len(m.Parties))
	for p := range m.Parties {
		targets[p] = &m.Parties[p].Utility
	}
	e, pf, err := newEngine(m, targets, zoneOnly, opt)
	if err != nil {
		return nil, err
	}
	fs := &frontierSearch{e: e, pf: pf, zoneOnly: zoneOnly,
		hiv: make([]int64, len(pf)), lov: make([]int64, len(pf)), rep: make(parley.Outcome, e.n)}
	total := e.max
	corners := len(m.Parties) == 2 && !zoneOnly && !m.Additive()
	if corners {
		// Two parties over all outcomes: when the exact search runs out,
		// the corner method takes over with the rest of the budget.
		e.max = total / cornerShare
	} else {
		e.max = total - total/10 // a tenth is reserved for polishing in bounded mode
	}
	fs.seed()
	root := e.newEval()
	if !e.aborted && e.evaluate(0, root) {
		fs.visit(0, root)
	}
	if e.aborted && corners {
		return fs.corners(total - e.nodes), nil
	}
	if e.aborted {
		e.max = total
		fs.polish()
	}
	res := &FrontierResult{Exact: !e.aborted, Nodes: e.nodes, Gap: -1}
	if res.Exact {
		res.Gap = 0
	}
	for _, a := range fs.arch {
		c := a.cnt.big()
		if c.Sign() == 0 {
			// A seed the search never reached (bounded mode only): its own
			// outcome attains it.
			c = big.NewInt(1)
		}
		res.Points = append(res.Points, parley.FrontierPoint{U: a.u, Outcome: a.out, Count: c})
	}
	sortPoints(res.Points)
	if res.Exact && len(m.Parties) == 2 {
		res.Gaps = make([]float64, len(res.Points)+1)
	}
	set := "all outcomes"
	if zoneOnly {
		set = "the zone of agreement"
	}
	if res.Exact {
		res.Note = fmt.Sprintf("exact Pareto frontier over %s: %d points, %d nodes", set, len(res.Points), e.nodes)
	} else {
		res.Note = fmt.Sprintf("not exact: %s; bounded mode: the %d points are the non-dominated utility vectors found so far over %s "+
			"(each attained by its outcome; counts are lower bounds; the true frontier may contain other or dominating points); "+
			"the last tenth of the budget went to weighted-sum hill climbing from the archive",
			fmt.Sprintf("node budget of %d exhausted", total), len(res.Points), set)
	}
	return res, nil
}

// cornerShare: the exact search of a two-party frontier over all outcomes
// gets 1/cornerShare of the budget before the corner method takes over.
const cornerShare = 8

// corners finishes a two-party frontier over all outcomes whose exact
// search ran out of budget with the corner method (frontier2), seeded with
// the search's archive, and reports its gaps.
func (fs *frontierSearch) corners(budget int64) *FrontierResult {
	m := fs.e.m
	fns := []*parley.UtilityFn{&m.Parties[0].Utility, &m.Parties[1].Utility}
	var seeds []parley.Outcome
	for _, a := range fs.arch {
		seeds = append(seeds, a.out)
	}
	f2 := frontier2(m, fns, seeds, budget)
	res := &FrontierResult{Nodes: fs.e.nodes + f2.work, Gaps: f2.gaps}
	for _, v := range f2.arch {
		res.Points = append(res.Points, parley.FrontierPoint{U: []int64{v[0], v[1]}, Outcome: f2.outs[v], Count: big.NewInt(1)})
	}
	sortPoints(res.Points)
	for _, g := range res.Gaps {
		res.Gap = max(res.Gap, g)
	}
	if len(res.Points) == 0 || math.IsInf(res.Gap, 1) {
		res.Gap = -1 // nothing found to measure from
	}
	closed := "every corner closed, within the near-tie tolerance"
	if !f2.exact {
		closed = "some corners still open"
	}
	res.Note = fmt.Sprintf("not exact: the exact search ran out of its %d nodes; the corner method (dual bounds and local search) found %d points "+
		"(%s; each attained by its outcome; counts are lower bounds); no outcome beats them by more than %.3g in both utilities (Gap); %d budget units in all",
		fs.e.max, len(res.Points), closed, res.Gap, res.Nodes)
	return res
}

func sortPoints(pts []parley.FrontierPoint) {
	slices.SortFunc(pts, func(a, b parley.FrontierPoint) int {
		for i := range a.U {
			if a.U[i] != b.U[i] {
				if a.U[i] > b.U[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
}

func (fs *frontierSearch) vectors(ev *eval) (allConst bool) {
	allConst = true
	for p, f := range fs.pf {
		fs.hiv[p], fs.lov[p] = ev.hi[f], ev.lo[f]
		if ev.hi[f] != ev.lo[f] {
			allConst = false
		}
	}
	return allConst
}

func (fs *frontierSearch) dominated(v []int64) bool {
	for _, a := range fs.arch {
		if parley.Dominates(a.u, v) {
			return true
		}
	}
	return false
}

// insert adds a leaf: vector v attained by the whole subtree at depth d.
// With d < 0 it adds a seed (count 0) attained by outcome o.
func (fs *frontierSearch) insert(v []int64, d int, o parley.Outcome) {
	e := fs.e
	if d >= 0 {
		e.outcome(d, fs.rep)
		o = fs.rep
	}
	for _, a := range fs.arch {
		if slices.Equal(a.u, v) {
			if d >= 0 {
				e.add(&a.cnt, d)
			}
			if lexLess(o, a.out) {
				copy(a.out, o)
			}
			return
		}
		if parley.Dominates(a.u, v) {
			return
		}
	}
	k := 0
	for _, a := range fs.arch {
		if !parley.Dominates(v, a.u) {
			fs.arch[k] = a
			k++
		}
	}
	clear(fs.arch[k:])
	fs.arch = fs.arch[:k]
	pt := &fpoint{u: slices.Clone(v), out: slices.Clone(o)}
	if d >= 0 {
		e.add(&pt.cnt, d)
	}
	fs.arch = append(fs.arch, pt)
}

// prunable reports whether the subtree evaluated as ev can hold no frontier
// outcome; leaf reports whether it is a single utility vector to record.
func (fs *frontierSearch) classify(ev *eval) (prune, leaf bool) {
	if fs.zoneOnly && ev.zone < 0 {
		return true, false
	}
	allConst := fs.vectors(ev)
	if fs.dominated(fs.hiv) {
		return true, false
	}
	return false, allConst && (!fs.zoneOnly || ev.zone > 0)
}

func (fs *frontierSearch) visit(d int, ev *eval) {
	e := fs.e
	prune, leaf := fs.classify(ev)
	if prune {
		return
	}
	if leaf {
		fs.insert(fs.lov, d, nil)
		return
	}
	if d == e.n {
		return // unreachable: a full outcome is constant and decided
	}
	np := len(fs.pf)
	ord, ok := e.children(d, func(c int, ev *eval) int64 {
		if np == 0 {
			return 0
		}
		return ev.hi[fs.pf[d%np]]
	})
	if !ok {
		return
	}
	ch := e.evs[d]
	for _, c := range ord {
		e.assign(d, c)
		fs.visit(d+1, &ch[c])
		e.unassign(d, c)
		if e.aborted {
			return
		}
	}
}

// seed fills the archive with a few greedy dives (one per party and one
// balanced), so that pruning starts early. Seeds carry no count: the exact
// search reaches their outcomes again and counts them then.
func (fs *frontierSearch) seed() {
	e := fs.e
	np := len(fs.pf)
	if np == 0 {
		return
	}
	ev := e.newEval()
	// Normalise by the root ranges for the balanced dive.
	if !e.evaluate(0, ev) {
		return
	}
	span := make([]float64, np)
	for p, f := range fs.pf {
		span[p] = float64(ev.hi[f]-ev.lo[f]) + 1
	}
	for w := 0; w <= np; w++ {
		score := func(ev *eval) float64 {
			if w < np {
				return float64(ev.hi[fs.pf[w]])*1e3 + float64(ev.lo[fs.pf[w]])*1e-3
			}
			var s float64
			for p, f := range fs.pf {
				s += float64(ev.hi[f]+ev.lo[f]) / span[p]
			}
			return s
		}
		fs.dive(score)
		if e.aborted {
			return
		}
	}
}

// dive descends greedily by score to a leaf and records it as a seed.
func (fs *frontierSearch) dive(score func(*eval) float64) {
	e := fs.e
	d := 0
	var best *eval
	for d < e.n {
		ch := e.evs[d]
		bc := -1
		var bs float64
		for c := range e.cls[d] {
			e.assign(d, c)
			ok := e.evaluate(d+1, &ch[c])
			e.unassign(d, c)
			if !ok {
				fs.undive(d)
				return
			}
			if fs.zoneOnly && ch[c].zone < 0 {
				continue
			}
			if s := score(&ch[c]); bc < 0 || s > bs {
				bc, bs = c, s
			}
		}
		if bc < 0 {
			break
		}
		e.assign(d, bc)
		best = &ch[bc]
		d++
	}
	if d == e.n && best != nil && (!fs.zoneOnly || best.zone > 0) {
		fs.vectors(best)
		e.outcome(d, fs.rep)
		o := slices.Clone(fs.rep)
		fs.insert(fs.lov, -1, o)
	}
	fs.undive(d)
}

func (fs *frontierSearch) undive(d int) {
	for k := d - 1; k >= 0; k-- {
		fs.e.unassign(k, fs.e.asg[k])
	}
}

// polish spends the rest of the budget (bounded mode only) on first-improvement
// hill climbing over single-issue changes, maximising weighted sums of the
// parties' normalised utilities from the best archived outcome for each
// weight vector. Every outcome it evaluates (in the zone, for zoneOnly) is
// offered to the archive as a seed; each evaluation counts as a node.
func (fs *frontierSearch) polish() {
	e, m := fs.e, fs.e.m
	np := len(fs.pf)
	if np == 0 || len(fs.arch) == 0 {
		return
	}
	lo := slices.Clone(fs.arch[0].u)
	hi := slices.Clone(fs.arch[0].u)
	for _, a := range fs.arch {
		for p := range a.u {
			lo[p], hi[p] = min(lo[p], a.u[p]), max(hi[p], a.u[p])
		}
	}
	var dirs [][]float64
	if np == 2 {
		for k := 0; k <= 10; k++ {
			dirs = append(dirs, []float64{float64(k) / 10, 1 - float64(k)/10})
		}
	} else {
		for p := 0; p <= np; p++ {
			w := make([]float64, np)
			for q := range w {
				if p == np || q == p {
					w[q] = 1
				}
			}
			dirs = append(dirs, w)
		}
	}
	u := make([]int64, np)
	score := func(w []float64, v []int64) float64 {
		var s float64
		for p := range v {
			s += w[p] * float64(v[p]-lo[p]) / (float64(hi[p]-lo[p]) + 1)
		}
		return s
	}
	o := make(parley.Outcome, e.n)
	for _, w := range dirs {
		best := fs.arch[0]
		for _, a := range fs.arch {
			if score(w, a.u) > score(w, best.u) {
				best = a
			}
		}
		copy(o, best.out)
		cur := score(w, best.u)
		for improved := true; improved; {
			improved = false
			for _, i := range e.order {
				keep := o[i]
				for opt := 0; opt < m.Sizes[i]; opt++ {
					if opt == keep {
						continue
					}
					if e.nodes >= e.max || e.nodes&4095 == 0 && e.stopped() {
						return
					}
					e.nodes++
					o[i] = opt
					if fs.zoneOnly && !m.InZone(o) {
						continue
					}
					for p := range u {
						u[p] = m.Parties[p].Utility.Eval(o)
					}
					fs.insert(u, -1, o)
					if sc := score(w, u); sc > cur {
						cur, keep, improved = sc, opt, true
					}
				}
				o[i] = keep
			}
		}
	}
}
