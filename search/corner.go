package search

import (
	"math"
	"slices"
	"sort"

	"github.com/parleyhq/parley"
)

// The corner method computes the Pareto frontier of two utilities over all
// outcomes (frontier2) for nonlinear models whose outcome space is far too
// large for the branch and bound of frontierSearch to finish (the ANAC
// 2014 domains of 30 and 50 issues have 10^30 and more outcomes).
//
// It keeps an archive of non-dominated vectors, sorted by u0 descending
// (so u1 ascending). Any vector the archive misses lies beyond one of its
// corners: (p1.u0, −∞), (p_{k+1}.u0, p_k.u1) between neighbours, and
// (−∞, pn.u1). Searching a corner c means maximising w·u over the outcomes
// with u > c (both coordinates strictly), where w is the normal of the
// segment between the corner's two points: an optimum is Pareto-optimal
// (anything dominating it is also beyond c and better for w), so it joins
// the archive and splits the corner in two; when there is none the corner
// is closed. The archive is the exact frontier once every corner is
// closed.
//
// The exact search of a corner is a depth-first branch and bound over the
// issues whose node bound is the dual relaxation of w·u (relax), helped by
// the relaxations of u0 and u1 alone and a simple per-utility bound for
// the corner's two coordinates. Points in the dents of the frontier (below
// the segment between two archive points) escape every convex relaxation
// until the search has separated them, so new points come mostly from
// local search: Pareto local search from every archive outcome (climber
// neighbourhoods), iterated local search on the Chebyshev distance past
// the corner, and large neighbourhood search that solves the corner
// exactly over the issues where the corner's two outcomes differ. A
// corner's tries double in effort each time, and the corner with the
// largest gap goes next.
//
// Every root relaxation is a cut: an upper bound L on w·u over all
// outcomes. An outcome that beats corner c by t in both coordinates has
// w·u >= w·c + t·(w0+w1), so the tightest cut bounds how far the frontier
// can lie beyond the corner: the gap. The last tenth of the budget adds
// cuts in the directions of the corners with the largest gaps.

// cornerSearch holds what the searches of one frontier2 call share.
type cornerSearch struct {
	m       *parley.Model
	fns     []*parley.UtilityFn
	simple  [2]*simpleBound
	single  [2]*relax // u0 alone and u1 alone
	climber *climber
	// singleDual[p] is the dual of single[p] over all outcomes, solved
	// once; searches start from it.
	singleDual [2]*dualState
	cuts       []cutT     // bounds from the searches' roots
	span       [2]float64 // hi − lo of each utility over all outcomes
	unit       [2]float64 // each utility's fixed-point scale
	order      []int      // branching order: issues that matter, most factors first
	n          int
	work       int64 // budget units spent
	max        int64 // the budget
	stop       int64 // the current search's limit
	aborted    bool
}

// Budget units: a bound evaluation or an MPLP sweep over a relaxation
// costs one unit per workUnit factor-issue incidences, about a
// microsecond, the price of a node of the engine.
const workUnit = 12

// nearTie is the relative tolerance of cut: a millionth of the range of
// the weighted sum.
const nearTie = 1e-6

func newCornerSearch(m *parley.Model, fns []*parley.UtilityFn, budget int64) *cornerSearch {
	cs := &cornerSearch{m: m, fns: fns, n: len(m.Sizes), max: budget, stop: math.MaxInt64}
	deg := make([]int, cs.n)
	for p, u := range fns {
		cs.simple[p] = newSimpleBound(m, u)
		w := []float64{0, 0}
		w[p] = 1
		cs.single[p] = newRelax(m, fns, w)
		for i, row := range u.Values {
			if len(row) > 0 && slices.Min(row) != slices.Max(row) {
				deg[i]++
			}
		}
		for _, r := range u.Rects {
			for _, s := range r.Region {
				deg[s.Issue] += 2
			}
		}
	}
	for i := range deg {
		if deg[i] > 0 {
			cs.order = append(cs.order, i)
		}
	}
	sort.SliceStable(cs.order, func(a, b int) bool { return deg[cs.order[a]] > deg[cs.order[b]] })
	all := make([]int, cs.n)
	for i := range all {
		all[i] = -1
	}
	for p := range 2 {
		cs.span[p] = float64(cs.simple[p].hi(all)-cs.simple[p].lo(all)) + 1
		cs.unit[p] = float64(fns[p].Unit())
	}
	for p := range 2 {
		r := cs.single[p]
		st := r.newState()
		t := newTrack(r, 1)
		for it := 0; it < 3*rootIters && cs.spend(t.cost); it++ {
			r.sweep(st, all)
		}
		cs.singleDual[p] = st
		var w [2]float64
		w[p] = 1
		cs.cuts = append(cs.cuts, cutT{w: w, L: r.bound(st, all) + r.eps})
	}
	return cs
}

func (cs *cornerSearch) spend(units int64) bool {
	if cs.aborted || cs.work+units > min(cs.max, cs.stop) {
		cs.aborted = true
		return false
	}
	cs.work += units
	return true
}

// corner is a search region: outcomes with u0 > c[0] and u1 > c[1]
// (math.MinInt64 stands for −∞), searched with weights w.
type corner struct {
	c [2]int64
	w [2]float64
}

// cornersOf returns the corners of an archive sorted by u0 descending.
func cornersOf(arch [][2]int64, span [2]float64) []corner {
	if len(arch) == 0 {
		return []corner{{c: [2]int64{math.MinInt64, math.MinInt64}, w: [2]float64{1 / span[0], 1 / span[1]}}}
	}
	// At the ends only one coordinate is bounded: maximise it. (A vector
	// tied with p1 on u0 but better on u1 lies beyond the next corner.)
	out := []corner{{c: [2]int64{arch[0][0], math.MinInt64}, w: [2]float64{1, 0}}}
	for k := 0; k+1 < len(arch); k++ {
		a, b := arch[k], arch[k+1]
		out = append(out, corner{c: [2]int64{b[0], a[1]}, w: [2]float64{float64(b[1] - a[1]), float64(a[0] - b[0])}})
	}
	last := arch[len(arch)-1]
	return append(out, corner{c: [2]int64{math.MinInt64, last[1]}, w: [2]float64{0, 1}})
}

// insertPoint adds v to the archive unless a vector there weakly
// dominates it, removing the vectors it dominates.
func insertPoint(arch [][2]int64, v [2]int64) [][2]int64 {
	for _, a := range arch {
		if a[0] >= v[0] && a[1] >= v[1] {
			return arch
		}
	}
	out := arch[:0]
	for _, a := range arch {
		if !(v[0] >= a[0] && v[1] >= a[1]) {
			out = append(out, a)
		}
	}
	out = append(out, v)
	sort.Slice(out, func(i, j int) bool { return out[i][0] > out[j][0] })
	return out
}

// A job is the searches of one corner: its relaxations and their duals
// along a search path.
type job struct {
	c    corner
	main *track    // w·u
	side [2]*track // u0 and u1, for the corner's finite coordinates
}

func (cs *cornerSearch) newJob(c corner) *job {
	depth := len(cs.order) + 1
	j := &job{c: c, main: newTrack(newRelax(cs.m, cs.fns, c.w[:]), depth)}
	for p := range 2 {
		if c.c[p] != math.MinInt64 {
			j.side[p] = newTrack(cs.single[p], depth)
		}
	}
	return j
}

// run searches job j's corner within limit units over the outcomes that
// agree with fixed outside the issues of order (all outcomes when fixed is
// nil), branching on order.
func (cs *cornerSearch) run(j *job, limit int64, fixed parley.Outcome, order []int) (best parley.Outcome, done bool, bound, slack float64) {
	cs.aborted = false
	cs.stop = cs.work + limit
	c := j.c
	b := &branch{cs: cs, c: c, main: j.main, side: j.side, order: order, global: fixed == nil,
		asg: make([]int, cs.n), o: make(parley.Outcome, cs.n),
		tol: nearTie * (math.Abs(c.w[0])*cs.span[0] + math.Abs(c.w[1])*cs.span[1])}
	for i := range b.asg {
		b.asg[i] = -1
		if fixed != nil {
			b.asg[i] = fixed[i]
		}
	}
	for _, i := range order {
		b.asg[i] = -1
	}
	// Start from the single utilities' duals: the main bound starts at
	// most at w0·L0 + w1·L1.
	b.main.r.warm(b.main.states[0], c.w[:], cs.single[:], cs.singleDual[:])
	for p, t := range b.side {
		if t != nil {
			t.states[0].copyFrom(cs.singleDual[p])
		}
	}
	// Beyond the corner w·u > w·c; an unbounded coordinate has weight 0
	// (or, for the first search, leaves no target).
	b.target = 0
	for p := range 2 {
		if c.c[p] != math.MinInt64 {
			b.target += c.w[p] * float64(c.c[p])
		} else if c.w[p] != 0 {
			b.target = math.Inf(-1)
			break
		}
	}
	b.bestVal = math.Inf(-1)
	b.open = math.Inf(-1)
	b.visit(0, rootIters)
	return b.best, !cs.aborted, max(b.open, b.bestVal), b.slack
}

// exact runs job j's exact search over all outcomes within limit units.
func (cs *cornerSearch) exact(j *job, limit int64) (parley.Outcome, bool, float64) {
	o, done, _, slack := cs.run(j, max(limit, 1), nil, cs.order)
	return o, done, slack
}

// lns searches for an outcome beyond job j's corner by large
// neighbourhood search: it keeps most issues as in one of the corner's
// two archive outcomes and solves the corner exactly over the rest (the
// issues where the two outcomes differ, topped up with random ones to
// lnsFree), within limit units in all.
func (cs *cornerSearch) lns(j *job, starts []parley.Outcome, limit int64) parley.Outcome {
	if len(starts) == 0 {
		return nil
	}
	stop := cs.work + limit
	rng := cs.climber.rng
	free := make([]bool, cs.n)
	for it := 0; cs.work < stop && cs.work < cs.max; it++ {
		base := starts[it%len(starts)]
		clear(free)
		nfree := 0
		if len(starts) > 1 {
			for i := range free {
				if starts[0][i] != starts[1][i] && nfree < lnsFree {
					free[i] = true
					nfree++
				}
			}
		}
		for _, k := range rng.Perm(len(cs.order)) {
			if nfree >= lnsFree {
				break
			}
			if i := cs.order[k]; !free[i] {
				free[i] = true
				nfree++
			}
		}
		var order []int
		for _, i := range cs.order {
			if free[i] {
				order = append(order, i)
			}
		}
		w0 := cs.work
		o, _, _, _ := cs.run(j, min(stop-cs.work, limit/lnsRuns+1), base, order)
		if o != nil {
			return o
		}
		if cs.work == w0 {
			return nil // too little budget left for a run
		}
	}
	return nil
}

// LNS neighbourhoods: issues set free per run, and runs a search may make
// at least.
const (
	lnsFree = 10
	lnsRuns = 8
)

// MPLP sweeps per node: at the root, and at a child warm-started from its
// parent's dual.
const (
	rootIters  = 100
	childIters = 20
)

// A track is a relaxation followed down a search path: its dual at every
// depth.
type track struct {
	r      *relax
	states []*dualState
	cost   int64 // budget units per bound or sweep
}

func newTrack(r *relax, depth int) *track {
	t := &track{r: r, states: make([]*dualState, depth)}
	for d := range t.states {
		t.states[d] = r.newState()
	}
	t.cost = int64(len(r.unary)+3*len(r.facs))/workUnit + 1
	return t
}

// tighten sweeps the dual at depth d until cut accepts its bound (true),
// the bound stalls or iters sweeps are done; it returns the bound.
func (b *branch) tighten(t *track, d, iters int, cut func(float64) bool) (float64, bool) {
	s := t.states[d]
	L := math.Inf(1)
	for it := 0; ; it++ {
		if !b.cs.spend(t.cost) {
			return L, false
		}
		nl := t.r.bound(s, b.asg)
		if cut(nl) {
			return nl, true
		}
		if it >= iters || L-nl <= 1e-7*math.Abs(nl)+t.r.eps {
			return nl, false
		}
		L = nl
		t.r.sweep(s, b.asg)
	}
}

// branch is one corner search.
type branch struct {
	cs      *cornerSearch
	c       corner
	order   []int     // issues to branch on
	global  bool      // over all outcomes (no issue fixed beforehand)
	main    *track    // w·u
	side    [2]*track // u0 and u1, for the corner's finite coordinates
	asg     []int
	o       parley.Outcome
	target  float64 // w·c, or −Inf
	best    parley.Outcome
	bestVal float64
	open    float64 // the largest bound of a subtree left unexplored
	tol     float64 // near ties: see cut
	slack   float64
}

// visit explores the node at depth d (issues order[:d] assigned), whose
// duals are the tracks' states at d, with up to iters MPLP sweeps each.
func (b *branch) visit(d int, iters int) {
	cs := b.cs
	for p := range 2 {
		if c := b.c.c[p]; c != math.MinInt64 && cs.simple[p].hi(b.asg) <= c {
			return
		}
	}
	L, cut := b.tighten(b.main, d, iters, b.cut)
	if d == 0 && b.global && !math.IsInf(L, 0) {
		cs.cuts = append(cs.cuts, cutT{w: b.c.w, L: L + b.main.r.eps})
	}
	if cut {
		return
	}
	if cs.aborted {
		b.open = max(b.open, L)
		return
	}
	for p, t := range b.side {
		if t == nil {
			continue
		}
		Lp, cut := b.tighten(t, d, iters, func(L float64) bool { return b.cutSide(p, L) })
		if d == 0 && b.global && !math.IsInf(Lp, 0) {
			var w [2]float64
			w[p] = 1
			cs.cuts = append(cs.cuts, cutT{w: w, L: Lp + t.r.eps})
		}
		if cut {
			return
		}
		if cs.aborted {
			b.open = max(b.open, L)
			return
		}
	}
	s := b.main.states[d]
	b.main.r.decode(s, b.asg, b.o)
	b.offer(b.o)
	if d == len(b.order) {
		return
	}
	v := b.order[d]
	opts := make([]int, cs.m.Sizes[v])
	for o := range opts {
		opts[o] = o
	}
	sort.SliceStable(opts, func(x, y int) bool { return b.main.r.belief(s, v, opts[x]) > b.main.r.belief(s, v, opts[y]) })
	for _, o := range opts {
		if cs.aborted {
			b.open = max(b.open, L)
			return
		}
		b.asg[v] = o
		b.main.states[d+1].copyFrom(s)
		for _, t := range b.side {
			if t != nil {
				t.states[d+1].copyFrom(t.states[d])
			}
		}
		b.visit(d+1, childIters)
		b.asg[v] = -1
		if b.cut(L) {
			return // the best found reaches this node's bound
		}
	}
}

// cut reports whether a node whose relaxation bound on w·u is L can be
// left: no outcome below it beats the corner or the best found. The
// relaxation approaches a tight bound from above only slowly, so a bound
// within tol of the best found also cuts (an outcome it could hide is
// beyond one of the corners the best one will make, and is searched again
// there), and a bound within tol of the corner's target cuts too,
// recorded as the corner's slack: an outcome there beats the corner by at
// most (L − w·c)/(w0·s0 + w1·s1) in both utilities (s_p: party p's
// fixed-point scale).
func (b *branch) cut(L float64) bool {
	eps := b.main.r.eps
	switch {
	case L+eps <= b.target, L+eps <= b.bestVal, L <= b.bestVal+b.tol:
		return true
	case L <= b.target+b.tol:
		b.slack = max(b.slack, (L-b.target)/b.cs.utilWeight(b.c.w))
		return true
	}
	return false
}

// cutSide reports whether a bound L on u_p shows that no outcome below the
// node gets past the corner's coordinate p (within a near tie, recorded
// as slack).
func (b *branch) cutSide(p int, L float64) bool {
	c := float64(b.c.c[p])
	switch {
	case L+b.side[p].r.eps <= c:
		return true
	case L <= c+nearTie*b.cs.span[p]:
		b.slack = max(b.slack, (L-c)/b.cs.unit[p])
		return true
	}
	return false
}

// offer records outcome o if it lies beyond the corner and beats the best.
func (b *branch) offer(o parley.Outcome) {
	u0, u1 := b.cs.fns[0].Eval(o), b.cs.fns[1].Eval(o)
	c := b.c.c
	if u0 <= c[0] || u1 <= c[1] {
		return
	}
	if val := b.c.w[0]*float64(u0) + b.c.w[1]*float64(u1); b.best == nil || val > b.bestVal {
		b.best, b.bestVal = slices.Clone(o), val
	}
}

// simpleBound bounds one utility function under a partial assignment: the
// best (worst) allowed value of every issue plus the rects that may
// (surely) hold, in exact fixed point.
type simpleBound struct {
	u     *parley.UtilityFn
	rects []simpleRect
}

type simpleRect struct {
	u     int64
	conds []parley.IssueSet
	whole []bool // the condition holds for every option of its issue
}

func newSimpleBound(m *parley.Model, u *parley.UtilityFn) *simpleBound {
	sb := &simpleBound{u: u}
	for _, r := range u.Rects {
		sr := simpleRect{u: r.Utility, conds: r.Region}
		for _, s := range r.Region {
			sr.whole = append(sr.whole, !slices.Contains(s.In, false))
		}
		sb.rects = append(sb.rects, sr)
	}
	return sb
}

// hi returns an upper bound of u over the outcomes extending asg.
func (sb *simpleBound) hi(asg []int) int64 { return sb.bound(asg, true) }

// lo returns a lower bound of u over the outcomes extending asg.
func (sb *simpleBound) lo(asg []int) int64 { return sb.bound(asg, false) }

// bound returns an upper (upper true) or lower bound of u over the
// outcomes extending asg: free issues at their best (worst) option, and a
// rect counted when it may hold and helps (hurts), or surely holds and
// hurts (helps).
func (sb *simpleBound) bound(asg []int, upper bool) int64 {
	var s int64
	for i, row := range sb.u.Values {
		switch {
		case len(row) == 0:
		case asg[i] >= 0:
			s += row[asg[i]]
		case upper:
			s += slices.Max(row)
		default:
			s += slices.Min(row)
		}
	}
	for _, r := range sb.rects {
		may, sure := true, true
		for k, c := range r.conds {
			if a := asg[c.Issue]; a >= 0 {
				if !c.In[a] {
					may, sure = false, false
					break
				}
			} else if !r.whole[k] {
				sure = false
			}
		}
		if upper && (r.u > 0 && may || r.u < 0 && sure) || !upper && (r.u > 0 && sure || r.u < 0 && may) {
			s += r.u
		}
	}
	return s
}

// frontier2Result is what frontier2 found.
type frontier2Result struct {
	arch  [][2]int64 // sorted by u0 descending
	outs  map[[2]int64]parley.Outcome
	exact bool // every corner closed: arch is the frontier's vector set
	// gaps[k] bounds, for corner k of arch (cornersOf order), how far an
	// outcome can beat the corner in both utilities (as utilities, each
	// party's on its own scale; about 0 for a closed corner, +Inf when
	// nothing bounds it).
	gaps []float64
	work int64 // budget units spent
}

// frontier2 runs the corner method from the seed outcomes within budget.
// Corners are searched in rounds with a per-corner budget that grows
// fourfold whenever every open corner has used it up, widest corner first
// (the distance from the corner to the segment between its two points),
// so that one hard corner cannot starve the others: the archive spreads
// over the whole frontier before any corner is searched to the end.
func frontier2(m *parley.Model, fns []*parley.UtilityFn, seeds []parley.Outcome, budget int64) *frontier2Result {
	cs := newCornerSearch(m, fns, budget)
	res := &frontier2Result{outs: map[[2]int64]parley.Outcome{}}
	add := func(o parley.Outcome) {
		v := [2]int64{fns[0].Eval(o), fns[1].Eval(o)}
		if prev, ok := res.outs[v]; !ok || lexLess(o, prev) {
			res.outs[v] = slices.Clone(o)
		}
		res.arch = insertPoint(res.arch, v)
	}
	for _, o := range seeds {
		add(o)
	}
	bk := &cornerBook{
		closed:   map[[2]int64]bool{},
		slack:    map[[2]int64]float64{},
		tries:    map[[2]int64]int{},
		explored: map[[2]int64]bool{},
	}
	cs.max = budget - budget/gapShare // the rest tightens the gaps
	cs.pls(res, bk.explored, budget/plsShare, add)
	cs.closeCorners(res, bk, min(budget, baseEffort), add)
	res.exact = true
	for _, c := range cornersOf(res.arch, cs.span) {
		if !bk.closed[c.c] {
			res.exact = false
		}
	}
	// The reserve tightens the cut polygon.
	cs.max, cs.stop, cs.aborted = budget, math.MaxInt64, false
	cs.tightenCuts(res, bk)
	res.work = cs.work
	cs.max = math.MaxInt64 // the gaps below are cheap
	for _, c := range cornersOf(res.arch, cs.span) {
		if bk.closed[c.c] {
			res.gaps = append(res.gaps, bk.slack[c.c])
			continue
		}
		res.gaps = append(res.gaps, cs.gap(c))
	}
	return res
}

// cornerBook is frontier2's record of the archive's corners.
type cornerBook struct {
	closed   map[[2]int64]bool
	slack    map[[2]int64]float64 // corner -> near-tie slack of its closing search (a gap, see cut)
	tries    map[[2]int64]int     // searches of each corner that neither found nor closed
	explored map[[2]int64]bool    // archive vectors whose neighbourhoods pls has seen
}

// closeCorners searches the open corners until cs.max is spent or every
// corner is closed, the one with the largest gap estimate first (ties to
// the least tried). base is the effort of a corner's first try.
func (cs *cornerSearch) closeCorners(res *frontier2Result, bk *cornerBook, base int64, add func(parley.Outcome)) {
	for cs.work < cs.max {
		var next *corner
		var best float64
		for _, c := range cornersOf(res.arch, cs.span) {
			if bk.closed[c.c] {
				continue
			}
			g := cs.gapEstimate(c, res.arch) / float64(int64(1)<<min(bk.tries[c.c], 30))
			if next == nil || g > best {
				next, best = &c, g
			}
		}
		if next == nil {
			return // every corner closed
		}
		cs.tryCorner(next, res, bk, base, add)
	}
}

// tryCorner makes one try at corner next: a short exact search (easy
// corners close here), local search, large neighbourhood search, then the
// exact search with the rest; the effort doubles with every failed try. An
// outcome found beyond the corner joins the archive; a finished search
// closes the corner.
func (cs *cornerSearch) tryCorner(next *corner, res *frontier2Result, bk *cornerBook, base int64, add func(parley.Outcome)) {
	per := min(base<<min(bk.tries[next.c], 30), cs.max-cs.work)
	w0 := cs.work
	j := cs.newJob(*next)
	o, done, sl := cs.exact(j, per/8)
	if o == nil && !done {
		if cs.climb(next, res, per*3/4, add) {
			cs.pls(res, bk.explored, min(per, cs.max-cs.work), add)
			return
		}
		if o = cs.lns(j, cornerStarts(next, res), min(per/4, cs.max-cs.work)); o == nil {
			o, done, sl = cs.exact(j, per/4)
		}
	}
	switch {
	case o != nil:
		add(o)
		cs.pls(res, bk.explored, min(per, cs.max-cs.work), add)
	case done:
		bk.closed[next.c] = true
		if sl > 0 {
			bk.slack[next.c] = sl
		}
	case cs.stop >= cs.max || cs.work == w0:
		cs.work = cs.max // the budget is spent
	default:
		bk.tries[next.c]++
	}
}

// tightenCuts tightens the cut polygon where it is loosest: a cut in the
// direction of the open corner with the largest gap, until cs.max is spent
// or no open corner is left without its cut.
func (cs *cornerSearch) tightenCuts(res *frontier2Result, bk *cornerBook) {
	cutFor := map[[2]float64]bool{}
	for !res.exact && cs.work < cs.max {
		var worst *corner
		var g float64
		for _, c := range cornersOf(res.arch, cs.span) {
			if bk.closed[c.c] || cutFor[c.w] {
				continue
			}
			if e := cs.gapEstimate(c, res.arch); worst == nil || e > g {
				worst, g = &c, e
			}
		}
		if worst == nil {
			return
		}
		cutFor[worst.w] = true
		w0 := cs.work
		cs.rootCut(worst.w, res.arch)
		if cs.work == w0 {
			return
		}
	}
}

// climb runs a local search for outcomes beyond corner c from the
// archive's outcomes around it, within limit units, adding to the archive
// every outcome it reaches that the archive does not dominate. It reports
// whether it found one beyond c.
func (cs *cornerSearch) climb(c *corner, res *frontier2Result, limit int64, add func(parley.Outcome)) bool {
	if cs.climber == nil {
		cs.climber = newClimber(cs.m, cs.fns, 1)
	}
	starts := cornerStarts(c, res)
	if len(starts) == 0 {
		starts = append(starts, make(parley.Outcome, cs.n))
	}
	var found []parley.Outcome
	beyond := false
	seen := func(o parley.Outcome, u [2]int64) {
		for _, a := range res.arch {
			if a[0] >= u[0] && a[1] >= u[1] {
				return
			}
		}
		found = append(found, slices.Clone(o))
		if u[0] > c.c[0] && u[1] > c.c[1] {
			beyond = true
		}
	}
	// A climb overshoots its limit by at most one issue's moves.
	if limit <= climbSlack {
		return false
	}
	e0 := cs.climber.evals
	cs.climber.search(chebyshev(c.c, cs.span), starts, (limit-climbSlack)*evalsPerUnit, seen)
	cs.work += (cs.climber.evals - e0 + evalsPerUnit - 1) / evalsPerUnit
	for _, o := range found {
		add(o)
	}
	return beyond
}

// pls runs Pareto local search: it explores the neighbourhood of every
// archive outcome not explored yet, adding each neighbour the archive does
// not weakly dominate, until every archive outcome has been explored or
// limit units are spent.
func (cs *cornerSearch) pls(res *frontier2Result, explored map[[2]int64]bool, limit int64, add func(parley.Outcome)) {
	if cs.climber == nil {
		cs.climber = newClimber(cs.m, cs.fns, 1)
	}
	cl := cs.climber
	if limit <= climbSlack {
		return
	}
	stop := cl.evals + (limit-climbSlack)*evalsPerUnit
	e0 := cl.evals
	defer func() { cs.work += (cl.evals - e0 + evalsPerUnit - 1) / evalsPerUnit }()
	for cl.evals < stop {
		var next [2]int64
		found := false
		for _, v := range res.arch {
			if !explored[v] {
				next, found = v, true
				break
			}
		}
		if !found {
			return
		}
		explored[next] = true
		var adds []parley.Outcome
		cl.neighbours(res.outs[next], stop, func(o parley.Outcome, u [2]int64) bool {
			for _, a := range res.arch {
				if a[0] >= u[0] && a[1] >= u[1] {
					return true
				}
			}
			for _, a := range adds {
				_ = a
			}
			adds = append(adds, slices.Clone(o))
			return true
		})
		for _, o := range adds {
			add(o)
		}
	}
}

// cornerStarts returns the outcomes of the archive points that make
// corner c.
func cornerStarts(c *corner, res *frontier2Result) []parley.Outcome {
	var starts []parley.Outcome
	for _, v := range res.arch {
		if v[0] == c.c[0] || v[1] == c.c[1] {
			starts = append(starts, res.outs[v])
		}
	}
	return starts
}

// plsShare: the first Pareto local search may use 1/plsShare of the
// budget.
const plsShare = 8

// baseEffort is the budget of a corner's first try.
const baseEffort = 4096

// gapShare: 1/gapShare of frontier2's budget tightens the reported gaps.
const gapShare = 10

// evalsPerUnit is the number of rect updates of the local search that
// cost one budget unit.
const evalsPerUnit = 20

// climbSlack bounds, in units, how far a climb can overshoot its limit.
const climbSlack = 64

// gapEstimate bounds how far an outcome can beat corner c in both
// coordinates from the cuts found so far (see gap), or, before any cut
// applies, estimates it by the corner's width.
func (cs *cornerSearch) gapEstimate(c corner, arch [][2]int64) float64 {
	g := math.Inf(1)
	for _, k := range cs.cuts {
		g = min(g, cs.cutGap(k, c))
	}
	if math.IsInf(g, 1) {
		return cornerWidth(c, arch) / cs.utilWeight(c.w)
	}
	return max(g, 0)
}

// utilWeight converts a weighted sum of fixed-point gains into utility: an
// outcome that beats a point by t in both utilities gains
// t·(w0·s0 + w1·s1) in w·u.
func (cs *cornerSearch) utilWeight(w [2]float64) float64 {
	return w[0]*cs.unit[0] + w[1]*cs.unit[1]
}

// cutGap bounds by cut k how far an outcome can beat corner c in both
// (finite) coordinates, as utilities: +Inf when k does not apply (it
// weighs an unbounded coordinate).
func (cs *cornerSearch) cutGap(k cutT, c corner) float64 {
	wc := 0.0
	for p := range 2 {
		if c.c[p] == math.MinInt64 {
			if k.w[p] != 0 {
				return math.Inf(1)
			}
			continue
		}
		wc += k.w[p] * float64(c.c[p])
	}
	return (k.L - wc) / cs.utilWeight(k.w)
}

// cornerWidth is how far corner c lies below the segment between its two
// points, along the diagonal: the most a point beyond it could gain if the
// frontier were convex there. End corners come first.
func cornerWidth(c corner, arch [][2]int64) float64 {
	if c.c[0] == math.MinInt64 || c.c[1] == math.MinInt64 {
		return math.Inf(1)
	}
	for k := 0; k+1 < len(arch); k++ {
		if arch[k+1][0] == c.c[0] && arch[k][1] == c.c[1] {
			a := arch[k]
			return (c.w[0]*float64(a[0]-c.c[0]) + c.w[1]*float64(a[1]-c.c[1])) / (c.w[0] + c.w[1])
		}
	}
	return 0
}

// A cut is an upper bound L on w·u over all outcomes: the frontier lies in
// the polygon of the cuts.
type cutT struct {
	w [2]float64
	L float64
}

// gap bounds how far an outcome can beat corner c in both (finite)
// coordinates: an outcome beating it by t in both has w·u ≥ w·c +
// t·(w0+w1) for every w ≥ 0 (zero on an unbounded coordinate), so the
// tightest cut bounds t. A corner no cut applies to gets one of its own.
func (cs *cornerSearch) gap(c corner) float64 {
	g := math.Inf(1)
	for _, k := range cs.cuts {
		g = min(g, cs.cutGap(k, c))
	}
	if math.IsInf(g, 1) {
		g = cs.cutGap(cs.rootCut(c.w, nil), c)
	}
	return max(g, 0)
}

// rootCut bounds w·u over all outcomes with the root relaxation, and
// records the cut. It stops early once the bound meets the best w·u of
// the archive (the cut is tight) or stalls.
func (cs *cornerSearch) rootCut(w [2]float64, arch [][2]int64) cutT {
	r := newRelax(cs.m, cs.fns, w[:])
	s := r.newState()
	all := make([]int, cs.n)
	for i := range all {
		all[i] = -1
	}
	r.warm(s, w[:], cs.single[:], cs.singleDual[:])
	t := newTrack(r, 1)
	best := math.Inf(-1)
	for _, v := range arch {
		best = max(best, w[0]*float64(v[0])+w[1]*float64(v[1]))
	}
	prev := math.Inf(1)
	for it := 1; it <= 3*rootIters && cs.spend(t.cost); it++ {
		r.sweep(s, all)
		if it%10 == 0 {
			L := r.bound(s, all)
			if L <= best+r.eps || prev-L <= 1e-7*math.Abs(L) {
				break
			}
			prev = L
		}
	}
	k := cutT{w: w, L: r.bound(s, all) + r.eps}
	cs.cuts = append(cs.cuts, k)
	return k
}
