package pareto

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"

	"github.com/parleyhq/parley"
)

// DefaultMaxPoints is the budget Frontier uses when Options.MaxPoints is 0.
const DefaultMaxPoints = 20_000_000

// Options tune Frontier.
type Options struct {
	// MaxPoints bounds the size of every intermediate frontier and, for
	// three or more parties, the candidates one issue may produce (its
	// intermediate frontier times the distinct option vectors of the
	// issue) at 16 times MaxPoints. 0 means DefaultMaxPoints; values above
	// 2^31-1 count as 2^31-1. Exceeding it makes Frontier fail with a
	// *parley.Error of code parley.ELIMIT; results are never truncated.
	// Candidates are merged lazily, never stored, so memory follows the
	// frontiers: it peaks at roughly 150 bytes per point of the largest
	// intermediate frontier for two parties, and at roughly 40·n bytes per
	// point of the two largest consecutive frontiers for n ≥ 3 parties
	// (the points, the dominance index), plus 8 bytes per intermediate
	// point and issue for the back-pointers.
	MaxPoints int
	// Stop, when set, is polled before each issue is merged; when it
	// returns true Frontier returns ErrStopped. Callers use it to cancel
	// (analysis passes its context's state).
	Stop func() bool
	// Parallel, when set, runs the functions it is given, possibly at the
	// same time, and returns when all have returned. Frontier then splits
	// its larger steps in two halves for it (the result is the same); it
	// starts no goroutines itself.
	Parallel func(fs ...func())
}

// ErrStopped is returned by Frontier when Options.Stop asked it to stop.
var ErrStopped = errors.New("pareto: stopped")

// Result is an exact Pareto frontier.
type Result struct {
	// Points holds one point per distinct non-dominated utility vector,
	// sorted by U[0] descending, then U[1] descending, and so on. Each
	// point's Outcome is the lexicographically smallest outcome (by issue
	// order, then option index) attaining its vector, and Count the exact
	// number of outcomes attaining it.
	Points []parley.FrontierPoint
	// Method names the algorithm, e.g. "issue-merge (2 parties)".
	Method string
	// MaxIntermediate is the size of the largest intermediate frontier.
	MaxIntermediate int
	// Candidates is the number of candidate points the merge examined:
	// the sum over issues of the front before the issue times the
	// issue's distinct non-dominated option vectors. The merge order
	// changes it, not the result.
	Candidates int64
}

// Frontier returns the exact Pareto frontier of the parties' utilities
// (m.Parties[i].Utility, in party order) over all outcomes of an additive
// model, computed issue by issue without enumerating the outcome space.
//
// It fails with a *parley.Error of code parley.EINVALID when m is nil, not
// additive (m.Additive() is false), malformed (utility tables that do not
// match m.Sizes) or has utilities whose sums could overflow int64, and with
// code parley.ELIMIT when an intermediate result exceeds opt.MaxPoints. A
// model with an issue without options has no outcomes and an empty frontier.
func Frontier(m *parley.Model, opt Options) (*Result, error) {
	if err := check(m); err != nil {
		return nil, err
	}
	n := len(m.Parties)
	limit := opt.MaxPoints
	if limit <= 0 {
		limit = DefaultMaxPoints
	}
	limit = min(limit, math.MaxInt32) // points are indexed by int32
	method := fmt.Sprintf("issue-merge (%d parties)", n)
	if n == 1 {
		method = "issue-merge (1 party)"
	}
	res := &Result{Method: method}
	if slices.Contains(m.Sizes, 0) {
		return res, nil
	}
	s := &solver{m: m, n: n, limit: limit, parallel: opt.Parallel}
	s.plan()
	f := &front{u: make([]int64, n), c: []uint64{1}, rank: []int32{0}}
	res.MaxIntermediate = 1
	trail := make([]links, len(m.Sizes))
	s.trail = trail
	for t := range s.order {
		if opt.Stop != nil && opt.Stop() {
			return nil, ErrStopped
		}
		g := s.gs[s.order[t]]
		res.Candidates += int64(len(f.c)) * int64(g.len())
		var err error
		if n == 2 {
			f, trail[t], err = s.step2(f, g, t)
		} else {
			f, trail[t], err = s.stepN(f, g, t)
		}
		if err != nil {
			return nil, err
		}
		s.gs[s.order[t]] = nil
		size := len(trail[t].par)
		if size > limit {
			return nil, parley.Errorf(parley.ELIMIT,
				"pareto: intermediate frontier after %d of %d issues has %d points, over the budget of %d",
				t+1, len(m.Sizes), size, limit)
		}
		res.MaxIntermediate = max(res.MaxIntermediate, size)
	}
	res.Points = s.points(f, trail)
	return res, nil
}

// check validates m for Frontier.
func check(m *parley.Model) error {
	if m == nil {
		return parley.Errorf(parley.EINVALID, "pareto: nil model")
	}
	if !m.Additive() {
		return parley.Errorf(parley.EINVALID, "pareto: the model is not additive (it has hyper-rectangle constraints); the issue-by-issue frontier needs additive utilities")
	}
	for i, k := range m.Sizes {
		if k < 0 {
			return parley.Errorf(parley.EINVALID, "pareto: issue %d has a negative number of options (%d)", i, k)
		}
	}
	for p := range m.Parties {
		vs := m.Parties[p].Utility.Values
		name := m.Parties[p].Name
		if len(vs) > len(m.Sizes) {
			return parley.Errorf(parley.EINVALID, "pareto: party %q has values for %d issues, the model has %d", name, len(vs), len(m.Sizes))
		}
		var bound uint64 // Σ_i max_o |v|, saturating
		for i, row := range vs {
			if len(row) != m.Sizes[i] {
				return parley.Errorf(parley.EINVALID, "pareto: party %q has %d values for issue %d, which has %d options", name, len(row), i, m.Sizes[i])
			}
			var mx uint64
			for _, v := range row {
				a := uint64(v)
				if v < 0 {
					a = -a
				}
				mx = max(mx, a)
			}
			s, carry := bits.Add64(bound, mx, 0)
			if carry != 0 {
				s = math.MaxUint64
			}
			bound = s
		}
		if bound > math.MaxInt64 {
			return parley.Errorf(parley.EINVALID, "pareto: party %q has utilities whose sum could overflow int64", name)
		}
	}
	return nil
}

// A front is an intermediate frontier: distinct non-dominated vectors
// sorted lexicographically descending.
type front struct {
	u    []int64  // row i is u[i*n : i*n+n]
	c    []uint64 // counts, see tally
	rank []int32  // rank of each point's representative among the front's, in lexicographic order
}

// links are one issue's back-pointers: point i of the front after the issue
// is point par[i] of the front before it plus option opt[i].
type links struct {
	par []int32
	opt []int32
}

// groups are the distinct non-dominated option vectors of one issue,
// sorted lexicographically descending.
type groups struct {
	x   []int64  // row g is x[g*n : g*n+n]
	c   []uint64 // number of options with the vector
	opt []int32  // smallest such option
}

func (g *groups) len() int { return len(g.c) }

type solver struct {
	m     *parley.Model
	n     int
	limit int
	tally tally

	// The issues are merged in the order order. Unless free, each step
	// adds the issue just before (prepend) or just after the ones merged
	// so far, so that the merged issues are always a contiguous range and
	// a point's representative outcome can be ranked from its parent's
	// rank and the new option (see key). Otherwise (three or more
	// parties, see planFree) the order is any (anyOrder), and representatives are
	// compared by walking their back-pointers (repLess).
	order    []int
	prepend  []bool
	anyOrder bool
	trail    []links   // the links of the steps done so far, by step
	gs       []*groups // by issue

	pool [][]pt2 // free buffers of step2

	// The candidates of stepN's last step and the points it kept (expect).
	lastCands, lastKept int

	// Buffers stepN reuses from step to step.
	free     *front // a front no longer in use
	bits     *bitIndex
	bits2    *bitIndex // the lower half's index of a split step
	parallel func(fs ...func())
	by       []int64
	hasBy    []bool
	sample   []int64
	par, opt []int32
	keys     []uint64
}

// plan computes every issue's groups and the merge order. A step costs
// about |front|·k for an issue of k groups, and fronts grow as issues are
// added, so issues with many groups go first: the order starts at the
// issue with the most groups and grows the merged range towards the
// neighbour with more groups.
func (s *solver) plan() {
	m := len(s.m.Sizes)
	s.gs = make([]*groups, m)
	for i := range s.gs {
		s.gs[i] = s.groups(i)
	}
	if m == 0 {
		return
	}
	if s.n >= 3 && freeOrder && s.planFree() {
		return
	}
	lo := 0
	for i, g := range s.gs {
		if g.len() > s.gs[lo].len() {
			lo = i
		}
	}
	hi := lo
	s.order = append(s.order[:0], lo)
	s.prepend = append(s.prepend[:0], false)
	for len(s.order) < m {
		if hi+1 < m && (lo == 0 || s.gs[hi+1].len() >= s.gs[lo-1].len()) {
			hi++
			s.order = append(s.order, hi)
			s.prepend = append(s.prepend, false)
		} else {
			lo--
			s.order = append(s.order, lo)
			s.prepend = append(s.prepend, true)
		}
	}
}

// key orders the representatives of candidates at step t: the point of
// rank r (among the previous front's size points) extended by option opt.
// Merged issues form a range, so the new issue is the most significant
// (prepend) or the least significant one of the new range.
func (s *solver) key(t int, r int32, size int, opt int32) uint64 {
	if s.prepend[t] {
		return uint64(opt)*uint64(size) + uint64(r)
	}
	return uint64(r)*uint64(s.m.Sizes[s.order[t]]) + uint64(opt)
}

// groups returns issue t's distinct non-dominated option vectors.
func (s *solver) groups(t int) *groups {
	n, k := s.n, s.m.Sizes[t]
	x := make([]int64, k*n)
	for p := range s.m.Parties {
		vs := s.m.Parties[p].Utility.Values
		if t < len(vs) {
			for o, v := range vs[t] {
				x[o*n+p] = v
			}
		}
	}
	ord := make([]int32, k)
	for o := range ord {
		ord[o] = int32(o)
	}
	slices.SortStableFunc(ord, func(a, b int32) int { return lexCmp(x, n, a, b) })
	var d []int64
	var dc []uint64
	var dopt []int32
	for j := 0; j < k; {
		o := ord[j]
		c := uint64(0)
		for ; j < k && lexCmp(x, n, o, ord[j]) == 0; j++ {
			c++
		}
		d = append(d, x[int(o)*n:int(o)*n+n]...)
		dc = append(dc, c)
		dopt = append(dopt, o) // stable sort: the smallest option comes first
	}
	keep := nondominated(d, n, len(dc))
	g := &groups{x: make([]int64, 0, len(keep)*n), c: make([]uint64, 0, len(keep)), opt: make([]int32, 0, len(keep))}
	for _, i := range keep {
		g.x = append(g.x, d[int(i)*n:int(i)*n+n]...)
		g.c = append(g.c, dc[i])
		g.opt = append(g.opt, dopt[i])
	}
	return g
}

// lexCmp orders rows a and b of u (stride n) lexicographically descending:
// it returns -1 when a comes first.
func lexCmp(u []int64, n int, a, b int32) int {
	ra, rb := u[int(a)*n:int(a)*n+n], u[int(b)*n:int(b)*n+n]
	for d := range ra {
		if ra[d] != rb[d] {
			if ra[d] > rb[d] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ranks returns the dense ranks of distinct keys below bound, in dst's
// memory when it is large enough.
func ranks(dst []int32, keys []uint64, bound uint64) []int32 {
	r := slices.Grow(dst[:0], len(keys))[:len(keys)]
	words := bound/64 + 1
	if words <= uint64(4*len(keys)+1024) {
		bm := make([]uint64, words)
		for _, k := range keys {
			bm[k/64] |= 1 << (k % 64)
		}
		pre := make([]int32, words)
		var s int32
		for w, b := range bm {
			pre[w] = s
			s += int32(bits.OnesCount64(b))
		}
		for i, k := range keys {
			r[i] = pre[k/64] + int32(bits.OnesCount64(bm[k/64]&(1<<(k%64)-1)))
		}
		return r
	}
	idx := make([]int32, len(keys))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if keys[a] < keys[b] {
			return -1
		}
		if keys[a] > keys[b] {
			return 1
		}
		return 0
	})
	for j, i := range idx {
		r[i] = int32(j)
	}
	return r
}

// finish compacts the big counts and computes the ranks of a new front
// from its links.
func (s *solver) finish(prev, f *front, l links, t int) {
	s.tally.compact(f.c)
	if t == len(s.m.Sizes)-1 || s.anyOrder {
		return // the last front's ranks are never used, nor any in any order
	}
	k := uint64(s.m.Sizes[s.order[t]])
	keys := slices.Grow(s.keys[:0], len(l.par))[:len(l.par)]
	for i, p := range l.par {
		keys[i] = s.key(t, prev.rank[p], len(prev.rank), l.opt[i])
	}
	s.keys = keys
	f.rank = ranks(f.rank, keys, uint64(len(prev.rank))*k)
}

// parallelPoints is the frontier size from which points splits its work
// in two halves for Options.Parallel. A variable for tests.
var parallelPoints = 4096

// points turns the final front into frontier points, following the links
// back to each point's outcome.
func (s *solver) points(f *front, trail []links) []parley.FrontierPoint {
	size := len(f.c)
	n, m := s.n, len(trail)
	pts := make([]parley.FrontierPoint, size)
	us := f.u // the last front is the result's: its rows become the points' U
	os := make([]int, size*m)
	// One allocation for all counts: small ones use a word of ws as their
	// backing array (capacity 1, so growing a count never touches another).
	bs := make([]big.Int, size)
	ws := make([]big.Word, size)
	fill := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := parley.Outcome(os[i*m : i*m+m : i*m+m])
			j := int32(i)
			for t := m - 1; t >= 0; t-- {
				o[s.order[t]] = int(trail[t].opt[j])
				j = trail[t].par[j]
			}
			switch c := f.c[i]; {
			case c&bigBit != 0:
				bs[i].Set(s.tally.val(c))
			case bits.UintSize == 64:
				ws[i] = big.Word(c)
				bs[i].SetBits(ws[i : i+1 : i+1])
			default:
				bs[i].SetUint64(c)
			}
			pts[i] = parley.FrontierPoint{U: us[i*n : i*n+n : i*n+n], Outcome: o, Count: &bs[i]}
		}
	}
	if s.parallel == nil || size < parallelPoints {
		fill(0, size)
		return pts
	}
	s.parallel(func() { fill(0, size/2) }, func() { fill(size/2, size) })
	return pts
}
