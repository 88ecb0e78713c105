package pareto

import (
	"slices"

	"github.com/parleyhq/parley"
)

// candidateFactor bounds the candidates stepN examines for one issue, as a
// multiple of the point budget (Options.MaxPoints).
const candidateFactor = 16

// stepN adds the issue of step t to a front of any number of parties
// other than two. The candidates are the front shifted by each group's
// vector: k runs, each already sorted. A k-way merge yields them
// lexicographically descending without storing them, equal vectors meet
// and merge (counts summed, the smallest representative kept), and each
// distinct vector is kept unless an earlier kept one dominates it, which a
// domIndex over coordinates 1..n-1 answers.
//
// Before asking the index, a candidate is tested against the point that
// last dominated a candidate from the same front point: shifted copies of
// one point tend to fall to the same dominator. Memory is O(|front| + |new
// front| + k), never the |front|·k candidates.
func (s *solver) stepN(f *front, g *groups, t int) (*front, links, error) {
	n := s.n
	size, k := len(f.c), g.len()
	if total := uint64(size) * uint64(k); total > uint64(s.limit)*candidateFactor {
		return nil, links{}, parley.Errorf(parley.ELIMIT,
			"pareto: issue %d of %d would produce %d candidate points (%d frontier points × %d option vectors), over %d times the budget of %d",
			t+1, len(s.m.Sizes), total, size, k, candidateFactor, s.limit)
	}
	d := max(n-1, 0)
	room := s.expect(size, k)
	w := &sweep{f: f, g: g, t: t, tally: &s.tally, nf: s.spare(n, room)}
	w.l = links{par: s.par[:0], opt: s.opt[:0]}
	w.x = s.index(f, g, d, room)
	s.by = slices.Grow(s.by[:0], size*d)[:size*d]
	s.hasBy = slices.Grow(s.hasBy[:0], size)[:size]
	w.by, w.hasBy = s.by, s.hasBy
	if bi, ok := w.x.(*bitIndex); ok && s.parallel != nil && size*k >= splitMin {
		if err := s.split(w, bi, room); err != nil {
			return nil, links{}, err
		}
	} else {
		w.mg = newMerge(f, g, n, nil, nil)
		s.run(w)
	}
	if w.err != nil {
		return nil, links{}, w.err
	}
	nf, l := w.nf, w.l
	s.lastCands, s.lastKept = size*k, len(nf.c)
	// The links outlive the step: keep exact copies, reuse the buffers.
	s.par, s.opt = l.par, l.opt
	l = links{par: slices.Clone(l.par), opt: slices.Clone(l.opt)}
	s.finish(f, nf, l, t)
	s.recycle(f)
	return nf, l, nil
}

// A sweep is one pass of stepN over candidates in lexicographically
// descending order, from merge mg, filtered by the dominance index x.
type sweep struct {
	f     *front
	g     *groups
	t     int
	mg    *merge
	x     domIndex
	tally *tally
	nf    *front // the kept candidates
	l     links
	// by[i*d:i*d+d] is the last dominator of a candidate from front
	// point i, valid when hasBy[i].
	by    []int64
	hasBy []bool
	err   error
}

// run does sweep w; on failure it sets w.err.
func (s *solver) run(w *sweep) {
	n := s.n
	f, g, t, mg, x, nf := w.f, w.g, w.t, w.mg, w.x, w.nf
	size := len(f.c)
	key := func(gi, i int32) uint64 { return s.key(t, f.rank[i], size, g.opt[gi]) }
	d := max(n-1, 0)
	bi, _ := x.(*bitIndex)
	if bi != nil {
		bi.share(n, n-d) // the new front's rows hold the points
	}
	cur := make([]int64, n)
	proj := cur[n-d:] // the coordinates the index sees
	by, hasBy := w.by, w.hasBy
	clear(hasBy)
	for mg.len() > 0 {
		gi, i := mg.top()
		copy(cur, mg.head(gi))
		rep, par := gi, i
		var rk uint64
		if !s.anyOrder {
			rk = key(gi, i)
		}
		sum := w.tally.mul(f.c[i], g.c[gi])
		mg.advance()
		for mg.len() > 0 {
			gj, j := mg.top()
			if !equal(mg.head(gj), cur) {
				break
			}
			sum = w.tally.add(sum, w.tally.mul(f.c[j], g.c[gj]))
			if s.anyOrder {
				if s.repLess(w, gj, j, rep, par) {
					rep, par = gj, j
				}
			} else if kj := key(gj, j); kj < rk {
				rep, rk, par = gj, kj, j
			}
			mg.advance()
		}
		if dom := by[int(i)*d : int(i)*d+d]; hasBy[i] && geq(dom, proj) || x.cover(proj, dom) {
			hasBy[i] = true
			continue
		}
		if len(nf.c) >= s.limit {
			w.err = s.overLimit(t)
			return
		}
		nf.u = append(nf.u, cur...)
		if bi != nil {
			bi.pts = nf.u
		}
		x.add(proj)
		nf.c = append(nf.c, sum)
		w.l.par = append(w.l.par, par)
		w.l.opt = append(w.l.opt, g.opt[rep])
	}
	w.nf = nf
}

func (s *solver) overLimit(t int) error {
	return parley.Errorf(parley.ELIMIT,
		"pareto: intermediate frontier after %d of %d issues has more than %d points, the budget",
		t+1, len(s.m.Sizes), s.limit)
}

// expect estimates the size of the front a step makes from a front of
// size points and k groups, for the room of its buffers: the share of its
// candidates the previous step kept, an eighth more, at least size and at
// most all the candidates. (Growing past it costs copies; room never
// used costs memory that must be cleared and faulted in.) The first step
// guesses 2.5 times size.
func (s *solver) expect(size, k int) int {
	cands := size * k
	if s.lastCands == 0 {
		return min(cands, size*5/2+64)
	}
	e := int(float64(cands)*float64(s.lastKept)/float64(s.lastCands)*1.125) + 64
	return min(cands, max(e, size))
}

// spare returns an empty front for n parties, reusing a recycled one.
func (s *solver) spare(n, size int) *front {
	f := s.free
	s.free = nil
	if f == nil {
		f = &front{}
	}
	f.u = slices.Grow(f.u[:0], size*n)
	f.c = slices.Grow(f.c[:0], size)
	f.rank = f.rank[:0]
	return f
}

// recycle hands a front that is no longer needed to spare.
func (s *solver) recycle(f *front) {
	if s.free == nil || cap(f.u) > cap(s.free.u) {
		s.free = f
	}
}

// sampleSize is the number of candidates stepN samples to set up its
// dominance index.
const sampleSize = 512

// bitIndexMax is the largest front for whose successor stepN uses a
// bitIndex; beyond it, the cost of a query, linear in the number of
// points, loses to a tree's. (On 5 parties × 10 issues × 10 options, whose
// last front grows from 69,608 to 103,763 points, the bitsets take less
// than half the tree's CPU time.) A variable for tests.
var bitIndexMax = 1 << 18

// index returns the dominance index, with room for about room points, for
// the sweep that merges front f and groups g: for three or more dimensions and moderate fronts a bitIndex
// whose levels follow a sample of the candidates (the front shifted by
// each group), reused from step to step.
func (s *solver) index(f *front, g *groups, d, room int) domIndex {
	n, size, k := s.n, len(f.c), g.len()
	if d < 3 || size > bitIndexMax {
		return newDomIndex(d)
	}
	step := max(size*k/sampleSize, 1)
	sample := s.sample[:0]
	for i := 0; i < size; i += step {
		u := f.u[i*n+n-d : i*n+n]
		for gi := range k {
			v := g.x[gi*n+n-d : gi*n+n]
			for j := range u {
				sample = append(sample, u[j]+v[j])
			}
		}
	}
	s.sample = sample
	if s.bits == nil {
		s.bits = &bitIndex{}
	}
	s.bits.reset(d, sample, room)
	return s.bits
}

// geq reports whether a[j] >= b[j] for every j.
func geq(a, b []int64) bool {
	for j := range b {
		if a[j] < b[j] {
			return false
		}
	}
	return true
}

func equal(a, b []int64) bool {
	for j := range a {
		if a[j] != b[j] {
			return false
		}
	}
	return true
}

// merge is a k-way merge of the front shifted by each group's vector: a
// binary heap of runs ordered by their current head, lexicographically
// descending.
type merge struct {
	f     *front
	g     *groups
	n     int
	pos   []int32 // run -> index of its head in the front
	end   []int32 // run -> the end of its range
	heads []int64 // run -> its head vector (stride n)
	heap  []int32 // runs
}

// newMerge merges the runs over positions [lo[r], hi[r]) of the front,
// all of it when lo and hi are nil.
func newMerge(f *front, g *groups, n int, lo, hi []int32) *merge {
	k := g.len()
	mg := &merge{f: f, g: g, n: n, pos: make([]int32, k), end: make([]int32, k), heads: make([]int64, k*n), heap: make([]int32, 0, k)}
	for r := 0; r < k; r++ {
		mg.pos[r], mg.end[r] = 0, int32(len(f.c))
		if lo != nil {
			mg.pos[r], mg.end[r] = lo[r], hi[r]
		}
		if mg.pos[r] < mg.end[r] {
			mg.load(int32(r))
			mg.heap = append(mg.heap, int32(r))
		}
	}
	for i := len(mg.heap)/2 - 1; i >= 0; i-- {
		mg.down(i)
	}
	return mg
}

func (mg *merge) len() int { return len(mg.heap) }

// top returns the run with the largest head and the head's front index.
func (mg *merge) top() (run, i int32) {
	r := mg.heap[0]
	return r, mg.pos[r]
}

func (mg *merge) head(r int32) []int64 { return mg.heads[int(r)*mg.n : int(r)*mg.n+mg.n] }

// load computes run r's head from its position.
func (mg *merge) load(r int32) {
	n := mg.n
	h := mg.heads[int(r)*n : int(r)*n+n]
	u := mg.f.u[int(mg.pos[r])*n : int(mg.pos[r])*n+n]
	x := mg.g.x[int(r)*n : int(r)*n+n]
	for j := range h {
		h[j] = u[j] + x[j]
	}
}

// advance moves the top run to its next point, or drops it when it is
// exhausted.
func (mg *merge) advance() {
	r := mg.heap[0]
	mg.pos[r]++
	if mg.pos[r] < mg.end[r] {
		mg.load(r)
	} else {
		last := len(mg.heap) - 1
		mg.heap[0] = mg.heap[last]
		mg.heap = mg.heap[:last]
	}
	mg.down(0)
}

// before reports whether run a's head comes before run b's.
func (mg *merge) before(a, b int32) bool {
	n := mg.n
	ha, hb := mg.heads[int(a)*n:int(a)*n+n], mg.heads[int(b)*n:int(b)*n+n]
	for j := range ha {
		if ha[j] != hb[j] {
			return ha[j] > hb[j]
		}
	}
	return false
}

func (mg *merge) down(i int) {
	h := mg.heap
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && mg.before(h[c+1], h[c]) {
			c++
		}
		if !mg.before(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
