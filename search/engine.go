package search

import (
	"fmt"
	"math/big"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// DefaultMaxNodes is the node budget used when Options.MaxNodes is 0.
const DefaultMaxNodes = 200_000_000

// Options tune a search.
type Options struct {
	// MaxNodes is the node budget: the number of subtree bound evaluations
	// (or, in Frontier's bounded-mode polishing, outcome evaluations) the
	// search may perform. 0 means DefaultMaxNodes. Frontier keeps a tenth
	// of it in reserve for bounded mode, so its exact search stops at nine
	// tenths; for two parties over all outcomes its exact search stops at
	// an eighth and the corner method spends the rest in units of about a
	// node's cost (an MPLP sweep over a few dozen rects, twenty local
	// search evaluations).
	MaxNodes int64
	// Seed seeds the sampling-based estimates made when the budget runs out.
	Seed uint64
	// Stop, when set, is polled every few thousand nodes; when it returns
	// true the search stops as if its budget had run out. Callers use it
	// to cancel (analysis passes its context's state); the result is then
	// not exact, and the caller discards it.
	Stop func() bool
}

func (o Options) budget() int64 {
	if o.MaxNodes <= 0 {
		return DefaultMaxNodes
	}
	return o.MaxNodes
}

// class is a group of options of one issue that behave identically for every
// tracked utility and region (an elementary interval for numeric issues).
type class struct {
	rep  int // smallest option index in the class
	size int // number of options
}

// fnData is a utility function laid out by search depth.
type fnData struct {
	vals   [][]int64 // [depth][class]
	sufMax []int64   // [depth] Σ_{e>=depth} max_c vals[e][c]
	sufMin []int64
	maxV   []int64 // [depth] max_c vals[depth][c]
	minV   []int64
	konst  int64 // rects with an empty region (always earned)
}

// cond is one issue condition of a region, by depth; in is indexed by class.
type cond struct {
	depth int
	in    []bool
}

// region is a rect (util != 0 contributes to fn owner) or a red line (of
// principal owner).
type region struct {
	owner int
	util  int64
	red   bool
	conds []cond // sorted by depth, at most one per depth
}

type princ struct {
	fn  int
	res int64
}

type partyInfo struct {
	pm    *parley.PartyModel
	first int // index of its first principal in engine.princs
	n     int
}

// eval holds the bounds of one subtree.
type eval struct {
	lo, hi []int64 // per fn
	zone   int8    // +1 every party surely accepts, -1 some party surely rejects, 0 undecided
	nacc   int     // number of surely accepting principals
	// pending is the number of undecided rects and red lines; hit marks
	// the principals with a red line surely hit (set when zone is tracked).
	pending int
	hit     []bool
}

type touched struct {
	f, e int
	neg  bool
}

// engine is the shared branch-and-bound machinery: issues are assigned in
// e.order, one class at a time.
type engine struct {
	m       *parley.Model
	n       int
	order   []int // depth -> issue
	cls     [][]class
	fns     []fnData
	regs    []region
	touch   [][]int // depth -> regions with a condition at that depth
	princs  []princ
	parties []partyInfo
	zone    bool // compute zone status
	stop    func() bool

	asg   []int
	fixed []int64
	dead  []int32
	sat   []int32

	pos, neg [][][]int64 // [fn][depth][class] scratch buckets
	posT     [][]bool
	negT     [][]bool
	tl       []touched
	hit, und []bool
	acc      []bool
	accU     []bool

	fits    bool
	pathMul []uint64 // [depth] Π class sizes of assigned issues
	sufProd []uint64
	sufBig  []*big.Int

	evs  [][]eval // [depth][class] children evaluations
	ords [][]int  // [depth] children order
	keys [][]int64

	nodes, max int64
	aborted    bool
}

// validate checks that the model's shape is consistent.
func validate(m *parley.Model) error {
	if m == nil {
		return parley.Errorf(parley.EINVALID, "search: nil model")
	}
	n := len(m.Sizes)
	if n == 0 {
		return parley.Errorf(parley.EINVALID, "search: model has no issues")
	}
	for i, s := range m.Sizes {
		if s <= 0 {
			return parley.Errorf(parley.EINVALID, "search: issue %d has no options", i)
		}
	}
	for p := range m.Parties {
		pm := &m.Parties[p]
		if err := checkFn(m, "party "+strconv.Quote(pm.Name)+" utility", &pm.Utility); err != nil {
			return err
		}
		if len(pm.Principals) == 0 {
			return parley.Errorf(parley.EINVALID, "search: party %q has no principals", pm.Name)
		}
		if pm.Delegation && (len(pm.Weights) != len(pm.Principals) || len(pm.Names) != len(pm.Principals)) {
			return parley.Errorf(parley.EINVALID, "search: delegation %q needs one weight and name per principal", pm.Name)
		}
		for j := range pm.Principals {
			pr := &pm.Principals[j]
			if err := checkFn(m, "principal "+strconv.Quote(pr.Name)+" utility", &pr.Utility); err != nil {
				return err
			}
			for k, r := range pr.RedLines {
				if err := checkRegion(m, r); err != nil {
					return parley.Errorf(parley.EINVALID, "search: principal %q red line %d: %v", pr.Name, k, err)
				}
			}
		}
	}
	return nil
}

// checkFn checks a utility function's shape against the model.
func checkFn(m *parley.Model, what string, u *parley.UtilityFn) error {
	n := len(m.Sizes)
	if len(u.Values) > n {
		return parley.Errorf(parley.EINVALID, "search: %s has values for %d issues, model has %d", what, len(u.Values), n)
	}
	for i, v := range u.Values {
		if len(v) != 0 && len(v) != m.Sizes[i] {
			return parley.Errorf(parley.EINVALID, "search: %s has %d values on issue %d, which has %d options", what, len(v), i, m.Sizes[i])
		}
	}
	for k, r := range u.Rects {
		if err := checkRegion(m, r.Region); err != nil {
			return parley.Errorf(parley.EINVALID, "search: %s rect %d: %v", what, k, err)
		}
	}
	return nil
}

func checkRegion(m *parley.Model, r parley.Region) error {
	for _, s := range r {
		if s.Issue < 0 || s.Issue >= len(m.Sizes) {
			return fmt.Errorf("issue index %d out of range", s.Issue)
		}
		if len(s.In) != m.Sizes[s.Issue] {
			return fmt.Errorf("issue %d: option set of length %d, want %d", s.Issue, len(s.In), m.Sizes[s.Issue])
		}
	}
	return nil
}

func sameFn(a, b *parley.UtilityFn) bool {
	if len(a.Values) != len(b.Values) || len(a.Rects) != len(b.Rects) {
		return false
	}
	if len(a.Values) > 0 && &a.Values[0] != &b.Values[0] {
		return false
	}
	if len(a.Rects) > 0 && &a.Rects[0] != &b.Rects[0] {
		return false
	}
	return true
}

type rawRegion struct {
	owner int
	util  int64
	red   bool
	reg   parley.Region
}

// newEngine prepares a search over m for the target utility functions
// (returned as fn indices) and, when zone is set, the principals' utilities
// and red lines. The steps: gather the distinct functions and the regions
// (rects and red lines), order the issues by influence, merge each region's
// conditions per issue, group each issue's options into classes, lay the
// functions and regions out by depth, then allocate the search state.
func newEngine(m *parley.Model, targets []*parley.UtilityFn, zone bool, opt Options) (*engine, []int, error) {
	if err := validate(m); err != nil {
		return nil, nil, err
	}
	n := len(m.Sizes)
	e := &engine{m: m, n: n, zone: zone, max: opt.budget(), stop: opt.Stop}
	ufs, tix, raws := e.gather(targets)
	e.order = influenceOrder(n, ufs, raws)
	depthOf := make([]int, n)
	for d, i := range e.order {
		depthOf[i] = d
	}
	merged := mergeConds(raws)
	e.classify(ufs, merged)
	e.layoutFns(ufs)
	e.layoutRegions(raws, merged, depthOf)
	e.allocState()
	e.sizeProducts()
	e.allocEvals()
	return e, tix, nil
}

// gather lists the distinct utility functions the search tracks (the
// targets, then, when e.zone is set, the principals'), returns the fn index
// of each target, and collects the regions: the principals' red lines (zone
// only) and every function's rects of nonzero utility. It fills e.parties
// and e.princs.
func (e *engine) gather(targets []*parley.UtilityFn) (ufs []*parley.UtilityFn, tix []int, raws []rawRegion) {
	idx := func(u *parley.UtilityFn) int {
		for i, v := range ufs {
			if sameFn(v, u) {
				return i
			}
		}
		ufs = append(ufs, u)
		return len(ufs) - 1
	}
	tix = make([]int, len(targets))
	for i, u := range targets {
		tix[i] = idx(u)
	}
	if e.zone {
		for p := range e.m.Parties {
			pm := &e.m.Parties[p]
			e.parties = append(e.parties, partyInfo{pm: pm, first: len(e.princs), n: len(pm.Principals)})
			for j := range pm.Principals {
				pr := &pm.Principals[j]
				e.princs = append(e.princs, princ{fn: idx(&pr.Utility), res: pr.Reservation})
				for _, r := range pr.RedLines {
					raws = append(raws, rawRegion{owner: len(e.princs) - 1, red: true, reg: r})
				}
			}
		}
	}
	for f, u := range ufs {
		for _, r := range u.Rects {
			if r.Utility != 0 {
				raws = append(raws, rawRegion{owner: f, util: r.Utility, reg: r.Region})
			}
		}
	}
	return ufs, tix, raws
}

// influenceOrder returns the issues most influential first: each function
// scores an issue by its share of the function's spread (value range plus
// rect utilities spread over the rects' issues), and each red line adds one,
// spread over its issues. Ties keep index order.
func influenceOrder(n int, ufs []*parley.UtilityFn, raws []rawRegion) []int {
	score := make([]float64, n)
	for f, u := range ufs {
		var mass float64
		spread := make([]float64, n)
		for i, v := range u.Values {
			if len(v) == 0 {
				continue
			}
			lo, hi := v[0], v[0]
			for _, x := range v {
				lo, hi = min(lo, x), max(hi, x)
			}
			spread[i] = float64(hi - lo)
			mass += spread[i]
		}
		contrib := make([]float64, n)
		copy(contrib, spread)
		for _, r := range raws {
			if r.red || r.owner != f || len(r.reg) == 0 {
				continue
			}
			a := float64(r.util)
			if a < 0 {
				a = -a
			}
			mass += a
			for _, s := range r.reg {
				contrib[s.Issue] += a / float64(len(r.reg))
			}
		}
		if mass > 0 {
			for i := range score {
				score[i] += contrib[i] / mass
			}
		}
	}
	for _, r := range raws {
		if r.red {
			for _, s := range r.reg {
				score[s.Issue] += 1 / float64(len(r.reg))
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] > score[order[b]] })
	return order
}

// mergeConds returns, per region, its conditions merged per issue (the
// intersection of the option sets that name the same issue).
func mergeConds(raws []rawRegion) []map[int][]bool {
	merged := make([]map[int][]bool, len(raws))
	for k, r := range raws {
		mm := map[int][]bool{}
		for _, s := range r.reg {
			if cur, ok := mm[s.Issue]; ok {
				nw := make([]bool, len(cur))
				for o := range cur {
					nw[o] = cur[o] && s.In[o]
				}
				mm[s.Issue] = nw
			} else {
				mm[s.Issue] = s.In
			}
		}
		merged[k] = mm
	}
	return merged
}

// classify fills e.cls: at each depth, the options of its issue that have
// the same value under every function and the same membership in every
// region's condition form one class, represented by its smallest option.
func (e *engine) classify(ufs []*parley.UtilityFn, merged []map[int][]bool) {
	e.cls = make([][]class, e.n)
	var sb strings.Builder
	for d, i := range e.order {
		sz := e.m.Sizes[i]
		var touching [][]bool
		for k := range merged {
			if in, ok := merged[k][i]; ok {
				touching = append(touching, in)
			}
		}
		seen := map[string]int{}
		for o := 0; o < sz; o++ {
			sb.Reset()
			for _, u := range ufs {
				if i < len(u.Values) && len(u.Values[i]) > 0 {
					sb.WriteString(strconv.FormatInt(u.Values[i][o], 36))
				}
				sb.WriteByte(',')
			}
			for _, in := range touching {
				if in[o] {
					sb.WriteByte('1')
				} else {
					sb.WriteByte('0')
				}
			}
			key := sb.String()
			c, ok := seen[key]
			if !ok {
				c = len(e.cls[d])
				seen[key] = c
				e.cls[d] = append(e.cls[d], class{rep: o})
			}
			e.cls[d][c].size++
		}
	}
}

// layoutFns fills e.fns: each function's values per depth and class, with
// the per-depth extremes and their suffix sums.
func (e *engine) layoutFns(ufs []*parley.UtilityFn) {
	n := e.n
	e.fns = make([]fnData, len(ufs))
	for f, u := range ufs {
		fd := &e.fns[f]
		fd.vals = make([][]int64, n)
		fd.maxV = make([]int64, n)
		fd.minV = make([]int64, n)
		fd.sufMax = make([]int64, n+1)
		fd.sufMin = make([]int64, n+1)
		for d, i := range e.order {
			fd.vals[d] = make([]int64, len(e.cls[d]))
			if i < len(u.Values) && len(u.Values[i]) > 0 {
				for c, cl := range e.cls[d] {
					fd.vals[d][c] = u.Values[i][cl.rep]
				}
			}
			fd.maxV[d], fd.minV[d] = fd.vals[d][0], fd.vals[d][0]
			for _, x := range fd.vals[d] {
				fd.maxV[d], fd.minV[d] = max(fd.maxV[d], x), min(fd.minV[d], x)
			}
		}
		for d := n - 1; d >= 0; d-- {
			fd.sufMax[d] = fd.sufMax[d+1] + fd.maxV[d]
			fd.sufMin[d] = fd.sufMin[d+1] + fd.minV[d]
		}
	}
}

// layoutRegions fills e.regs and e.touch: each region's conditions by depth
// and class, sorted by depth. A rect without conditions is always earned and
// goes into its function's konst instead.
func (e *engine) layoutRegions(raws []rawRegion, merged []map[int][]bool, depthOf []int) {
	e.touch = make([][]int, e.n)
	for k, r := range raws {
		if len(merged[k]) == 0 {
			if !r.red {
				e.fns[r.owner].konst += r.util
				continue
			}
		}
		g := region{owner: r.owner, util: r.util, red: r.red}
		for i, in := range merged[k] {
			d := depthOf[i]
			cin := make([]bool, len(e.cls[d]))
			for c, cl := range e.cls[d] {
				cin[c] = in[cl.rep]
			}
			g.conds = append(g.conds, cond{depth: d, in: cin})
		}
		sort.Slice(g.conds, func(a, b int) bool { return g.conds[a].depth < g.conds[b].depth })
		ri := len(e.regs)
		e.regs = append(e.regs, g)
		for _, c := range g.conds {
			e.touch[c.depth] = append(e.touch[c.depth], ri)
		}
	}
}

// allocState allocates the assignment state and the evaluation scratch.
func (e *engine) allocState() {
	n, F := e.n, len(e.fns)
	e.asg = make([]int, n)
	e.fixed = make([]int64, F)
	e.dead = make([]int32, len(e.regs))
	for r := range e.dead {
		e.dead[r] = -1
	}
	e.sat = make([]int32, len(e.regs))
	e.pos = make([][][]int64, F)
	e.neg = make([][][]int64, F)
	e.posT = make([][]bool, F)
	e.negT = make([][]bool, F)
	for f := 0; f < F; f++ {
		e.pos[f] = make([][]int64, n)
		e.neg[f] = make([][]int64, n)
		e.posT[f] = make([]bool, n)
		e.negT[f] = make([]bool, n)
		for d := 0; d < n; d++ {
			e.pos[f][d] = make([]int64, len(e.cls[d]))
			e.neg[f][d] = make([]int64, len(e.cls[d]))
		}
	}
	e.hit = make([]bool, len(e.princs))
	e.und = make([]bool, len(e.princs))
	e.acc = make([]bool, len(e.princs))
	e.accU = make([]bool, len(e.princs))
}

// sizeProducts fills the outcome-count products: e.pathMul's base, the
// suffix products of issue sizes in uint64 and big.Int, and e.fits, which
// says whether the uint64 products did not overflow.
func (e *engine) sizeProducts() {
	n := e.n
	e.pathMul = make([]uint64, n+1)
	e.pathMul[0] = 1
	e.sufProd = make([]uint64, n+1)
	e.sufBig = make([]*big.Int, n+1)
	e.sufProd[n] = 1
	e.sufBig[n] = big.NewInt(1)
	e.fits = true
	for d := n - 1; d >= 0; d-- {
		sz := uint64(e.m.Sizes[e.order[d]])
		hi, lo := bits.Mul64(e.sufProd[d+1], sz)
		if hi != 0 {
			e.fits = false
		}
		e.sufProd[d] = lo
		e.sufBig[d] = new(big.Int).Mul(e.sufBig[d+1], new(big.Int).SetUint64(sz))
	}
}

// allocEvals allocates the per-depth children evaluations, orders and keys
// (one child at depth n, the leaf).
func (e *engine) allocEvals() {
	n := e.n
	e.evs = make([][]eval, n+1)
	e.ords = make([][]int, n+1)
	e.keys = make([][]int64, n+1)
	for d := 0; d <= n; d++ {
		k := 1
		if d < n {
			k = len(e.cls[d])
		}
		e.evs[d] = make([]eval, k)
		for c := range e.evs[d] {
			e.evs[d][c] = *e.newEval()
		}
		e.ords[d] = make([]int, k)
		e.keys[d] = make([]int64, k)
	}
}

func (e *engine) newEval() *eval {
	return &eval{lo: make([]int64, len(e.fns)), hi: make([]int64, len(e.fns)), hit: make([]bool, len(e.princs))}
}

// assign fixes the issue at depth d to class c.
func (e *engine) assign(d, c int) {
	e.asg[d] = c
	for f := range e.fns {
		e.fixed[f] += e.fns[f].vals[d][c]
	}
	for _, r := range e.touch[d] {
		if e.dead[r] >= 0 {
			continue
		}
		if e.regs[r].conds[e.sat[r]].in[c] {
			e.sat[r]++
		} else {
			e.dead[r] = int32(d)
		}
	}
	e.pathMul[d+1] = e.pathMul[d] * uint64(e.cls[d][c].size)
}

// unassign undoes assign(d, c).
func (e *engine) unassign(d, c int) {
	for f := range e.fns {
		e.fixed[f] -= e.fns[f].vals[d][c]
	}
	for _, r := range e.touch[d] {
		switch {
		case e.dead[r] == int32(d):
			e.dead[r] = -1
		case e.dead[r] < 0:
			e.sat[r]--
		}
	}
}

// evaluate bounds the subtree where depths < d are assigned. It counts one
// node and reports false when the budget is exhausted. The steps: each
// function's bounds from the assigned values and the unassigned extremes,
// the regions' contributions (settled ones exactly, undecided rects through
// per-depth buckets), then, when zone is set, the parties' verdict.
func (e *engine) evaluate(d int, ev *eval) bool {
	if e.nodes >= e.max || e.nodes&4095 == 0 && e.stopped() {
		e.aborted = true
		return false
	}
	e.nodes++
	for f := range e.fns {
		fd := &e.fns[f]
		ev.lo[f] = e.fixed[f] + fd.konst + fd.sufMin[d]
		ev.hi[f] = e.fixed[f] + fd.konst + fd.sufMax[d]
	}
	e.scanRegions(ev)
	e.settleBuckets(ev)
	ev.zone, ev.nacc = 1, 0
	if e.zone {
		e.judgeZone(ev)
	}
	return true
}

// scanRegions adds the utility of each satisfied rect to ev's bounds, marks
// the principals whose red line is surely hit (e.hit) or undecided (e.und),
// counts the undecided regions in ev.pending, and adds each undecided rect's
// utility to the bucket of its next condition's depth (e.pos or e.neg by
// sign), listing the touched buckets in e.tl.
func (e *engine) scanRegions(ev *eval) {
	for j := range e.princs {
		e.hit[j], e.und[j] = false, false
	}
	e.tl = e.tl[:0]
	ev.pending = 0
	for r := range e.regs {
		if e.dead[r] >= 0 {
			continue
		}
		g := &e.regs[r]
		s := int(e.sat[r])
		if s == len(g.conds) {
			if g.red {
				e.hit[g.owner] = true
			} else {
				ev.lo[g.owner] += g.util
				ev.hi[g.owner] += g.util
			}
			continue
		}
		ev.pending++
		if g.red {
			e.und[g.owner] = true
			continue
		}
		cd := &g.conds[s]
		f := g.owner
		var row []int64
		if g.util > 0 {
			row = e.pos[f][cd.depth]
			if !e.posT[f][cd.depth] {
				e.posT[f][cd.depth] = true
				e.tl = append(e.tl, touched{f, cd.depth, false})
			}
		} else {
			row = e.neg[f][cd.depth]
			if !e.negT[f][cd.depth] {
				e.negT[f][cd.depth] = true
				e.tl = append(e.tl, touched{f, cd.depth, true})
			}
		}
		for c, in := range cd.in {
			if in {
				row[c] += g.util
			}
		}
	}
}

// settleBuckets tightens ev's bounds with the buckets scanRegions touched:
// a positive bucket raises the depth's best value (hi), a negative one
// lowers its worst (lo). It clears the buckets for the next evaluation.
func (e *engine) settleBuckets(ev *eval) {
	for _, t := range e.tl {
		vals := e.fns[t.f].vals[t.e]
		if !t.neg {
			row := e.pos[t.f][t.e]
			best := vals[0] + row[0]
			for c := range row {
				best = max(best, vals[c]+row[c])
				row[c] = 0
			}
			ev.hi[t.f] += best - e.fns[t.f].maxV[t.e]
			e.posT[t.f][t.e] = false
		} else {
			row := e.neg[t.f][t.e]
			worst := vals[0] + row[0]
			for c := range row {
				worst = min(worst, vals[c]+row[c])
				row[c] = 0
			}
			ev.lo[t.f] += worst - e.fns[t.f].minV[t.e]
			e.negT[t.f][t.e] = false
		}
	}
}

// judgeZone sets ev.hit, ev.nacc and ev.zone from ev's bounds and the red
// lines scanRegions marked: +1 when every party surely ratifies, -1 when
// some party surely does not, 0 otherwise.
func (e *engine) judgeZone(ev *eval) {
	copy(ev.hit, e.hit)
	for j, p := range e.princs {
		switch {
		case e.hit[j] || ev.hi[p.fn] <= p.res:
			e.acc[j], e.accU[j] = false, false
		case ev.lo[p.fn] > p.res && !e.und[j]:
			e.acc[j], e.accU[j] = true, true
			ev.nacc++
		default:
			e.acc[j], e.accU[j] = false, true
		}
	}
	for _, pt := range e.parties {
		a := e.acc[pt.first : pt.first+pt.n]
		if pt.pm.Ratifies(a) {
			continue
		}
		if !pt.pm.Ratifies(e.accU[pt.first : pt.first+pt.n]) {
			ev.zone = -1
			return
		}
		ev.zone = 0
	}
}

// outcome writes into o a representative of the subtree at depth d: the
// smallest option of each assigned class and option 0 elsewhere. It is the
// lexicographically smallest outcome of the subtree.
func (e *engine) outcome(d int, o parley.Outcome) {
	for i := range o {
		o[i] = 0
	}
	for k := 0; k < d; k++ {
		o[e.order[k]] = e.cls[k][e.asg[k]].rep
	}
}

// counter accumulates outcome counts, in uint64 when the model's size fits.
type counter struct {
	u uint64
	b *big.Int
}

// add adds the number of outcomes of the subtree at depth d.
func (e *engine) add(c *counter, d int) {
	if e.fits {
		c.u += e.pathMul[d] * e.sufProd[d]
		return
	}
	w := new(big.Int).Set(e.sufBig[d])
	for k := 0; k < d; k++ {
		w.Mul(w, big.NewInt(int64(e.cls[k][e.asg[k]].size)))
	}
	if c.b == nil {
		c.b = new(big.Int)
	}
	c.b.Add(c.b, w)
}

func (c *counter) big() *big.Int {
	r := new(big.Int).SetUint64(c.u)
	if c.b != nil {
		r.Add(r, c.b)
	}
	return r
}

// children evaluates every child of the node at depth d into e.evs[d] and
// returns their classes ordered by key descending (ties by class index). It
// reports false when the budget ran out.
func (e *engine) children(d int, key func(c int, ev *eval) int64) ([]int, bool) {
	ch := e.evs[d]
	ord := e.ords[d]
	keys := e.keys[d]
	for c := range e.cls[d] {
		e.assign(d, c)
		ok := e.evaluate(d+1, &ch[c])
		e.unassign(d, c)
		if !ok {
			return nil, false
		}
		keys[c] = key(c, &ch[c])
		ord[c] = c
	}
	// insertion sort, stable
	for a := 1; a < len(ord); a++ {
		x := ord[a]
		b := a
		for b > 0 && keys[ord[b-1]] < keys[x] {
			ord[b] = ord[b-1]
			b--
		}
		ord[b] = x
	}
	return ord, true
}

func lexLess(a, b parley.Outcome) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// stopped polls Options.Stop; once it said stop, the budget is spent.
func (e *engine) stopped() bool {
	if e.stop == nil || !e.stop() {
		return false
	}
	e.max = e.nodes
	return true
}

func (e *engine) budgetNote() string {
	return fmt.Sprintf("node budget of %d exhausted", e.max)
}
