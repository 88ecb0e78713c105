package pareto

import (
	"slices"
	"sort"
)

// splitMin is the number of candidates from which stepN splits its sweep
// in two when Options.Parallel is set.
var splitMin = 8192 // a variable for tests

// split does sweep w in two halves that can run at the same time (through
// s.parallel): the candidates at or above a pivot value of the first
// coordinate, and those below it. Equal vectors share their first
// coordinate, so they meet in one half. The upper half is swept as usual
// into w; the lower half is swept on its own, with its own index, counts
// and buffers, and its survivors are then checked against the upper
// half's index (no point of the upper half dominates them: a candidate
// dominated by any candidate is dominated by a kept one), in two parts at
// the same time, and appended to w. The result is the serial sweep's.
// expect is the expected size of the new front.
func (s *solver) split(w *sweep, upper *bitIndex, expect int) error {
	f, g, n := w.f, w.g, s.n
	size, k := len(f.c), g.len()
	d := n - 1
	pivot := s.pivot(f, g)
	lo, mid, hi := make([]int32, k), make([]int32, k), make([]int32, k)
	for r := range k {
		x0 := g.x[r*n]
		// The front is sorted by its first coordinate, descending.
		mid[r] = int32(sort.Search(size, func(i int) bool { return f.u[i*n]+x0 < pivot }))
		hi[r] = int32(size)
	}
	w.mg = newMerge(f, g, n, lo, mid)
	if s.bits2 == nil {
		s.bits2 = &bitIndex{}
	}
	// Room for the lower half's survivors, about half the expected new
	// front (its sweep also keeps points the upper half will drop).
	room := expect*5/8 + 64
	s.bits2.resetLike(upper, room)
	low := &sweep{
		f: f, g: g, t: w.t, mg: newMerge(f, g, n, mid, hi), x: s.bits2,
		// The front's big counts, to read; new ones go to a copy of the
		// table (the upper half appends to the original meanwhile).
		tally: &tally{bigs: slices.Clip(s.tally.bigs)},
		nf:    &front{u: make([]int64, 0, room*n), c: make([]uint64, 0, room)},
		l:     links{par: make([]int32, 0, room), opt: make([]int32, 0, room)},
		by:    make([]int64, size*d),
		hasBy: make([]bool, size),
	}
	s.parallel(func() { s.run(w) }, func() { s.run(low) })
	if w.err != nil {
		return w.err
	}
	if low.err != nil {
		return low.err
	}
	// Check the lower half's survivors against the upper half.
	m := len(low.nf.c)
	keep := make([]bool, m)
	check := func(a, b int) {
		lv := make([]int, d)
		for i := a; i < b; i++ {
			keep[i] = upper.search(low.nf.u[i*n+1:i*n+n], lv) < 0
		}
	}
	s.parallel(func() { check(0, m/2) }, func() { check(m/2, m) })
	for i := range m {
		if !keep[i] {
			continue
		}
		if len(w.nf.c) >= s.limit {
			return s.overLimit(w.t)
		}
		c := low.nf.c[i]
		if c&bigBit != 0 {
			c = s.tally.mk(low.tally.val(c))
		}
		w.nf.u = append(w.nf.u, low.nf.u[i*n:i*n+n]...)
		w.nf.c = append(w.nf.c, c)
		w.l.par = append(w.l.par, low.l.par[i])
		w.l.opt = append(w.l.opt, low.l.opt[i])
	}
	return nil
}

// pivotRank is the share of the candidates below the pivot: the lower
// half's sweep keeps more points (their dominators in the upper half are
// out of its sight) and costs more per candidate, so it gets fewer.
const pivotRank = 0.43

// pivot returns the first coordinate below which a sample of the
// candidates of front f and groups g has a share pivotRank.
func (s *solver) pivot(f *front, g *groups) int64 {
	n, size, k := s.n, len(f.c), g.len()
	step := max(size*k/sampleSize, 1)
	var vs []int64
	for i := 0; i < size; i += step {
		for r := range k {
			vs = append(vs, f.u[i*n]+g.x[r*n])
		}
	}
	slices.Sort(vs)
	return vs[int(float64(len(vs))*pivotRank)]
}
