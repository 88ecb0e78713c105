package search

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/parleyhq/parley"
)

// climber is a local search over outcomes for two utility functions with
// incremental evaluation: it keeps, for the current outcome, every rect's
// number of satisfied conditions, so the change of both utilities under a
// move is computed from the rects that touch the moved issues only.
//
// Moves change one issue, or set the failing issues of a rect that does
// not hold into its region (the nearest allowed option of each), the move
// a rect worth having needs when it spans several issues. The search
// climbs a scalarising score to a local optimum, then perturbs it and
// climbs again (iterated local search), keeping the best outcome.
type climber struct {
	m     *parley.Model
	fns   []*parley.UtilityFn
	rects []lrect   // rects of both functions (conditions merged per issue)
	touch [][]int32 // issue -> rects with a condition on it
	cond  [][]int8  // issue -> per touching rect, index of the condition
	o     parley.Outcome
	sat   []int32 // satisfied conditions per rect
	u     [2]int64
	evals int64
	rng   *rand.Rand
	buf   []int32
}

type lrect struct {
	fn    int
	u     int64
	issue []int32
	in    [][]bool
}

func newClimber(m *parley.Model, fns []*parley.UtilityFn, seed uint64) *climber {
	c := &climber{m: m, fns: fns, touch: make([][]int32, len(m.Sizes)), cond: make([][]int8, len(m.Sizes)),
		o: make(parley.Outcome, len(m.Sizes)), rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	for p, u := range fns {
		for _, r := range u.Rects {
			lr := lrect{fn: p, u: r.Utility}
			for _, s := range r.Region {
				k := slices.Index(lr.issue, int32(s.Issue))
				if k < 0 {
					lr.issue = append(lr.issue, int32(s.Issue))
					lr.in = append(lr.in, slices.Clone(s.In))
					continue
				}
				for o := range lr.in[k] {
					lr.in[k][o] = lr.in[k][o] && s.In[o]
				}
			}
			ri := int32(len(c.rects))
			for k, i := range lr.issue {
				c.touch[i] = append(c.touch[i], ri)
				c.cond[i] = append(c.cond[i], int8(k))
			}
			c.rects = append(c.rects, lr)
		}
	}
	c.sat = make([]int32, len(c.rects))
	return c
}

// set makes o the current outcome.
func (c *climber) set(o parley.Outcome) {
	copy(c.o, o)
	for ri := range c.rects {
		r := &c.rects[ri]
		c.sat[ri] = 0
		for k, i := range r.issue {
			if r.in[k][o[i]] {
				c.sat[ri]++
			}
		}
	}
	c.u[0], c.u[1] = c.fns[0].Eval(o), c.fns[1].Eval(o)
}

// delta returns the change of both utilities if issue i took option b.
func (c *climber) delta(i, b int) (d [2]int64) {
	a := c.o[i]
	if a == b {
		return
	}
	for p, u := range c.fns {
		if i < len(u.Values) && len(u.Values[i]) > 0 {
			d[p] += u.Values[i][b] - u.Values[i][a]
		}
	}
	for j, ri := range c.touch[i] {
		r := &c.rects[ri]
		in := r.in[c.cond[i][j]]
		n := int32(len(r.issue))
		switch {
		case in[a] && !in[b] && c.sat[ri] == n:
			d[r.fn] -= r.u
		case !in[a] && in[b] && c.sat[ri] == n-1:
			d[r.fn] += r.u
		}
	}
	c.evals += int64(len(c.touch[i])) + 1
	return d
}

// move sets issue i to option b.
func (c *climber) move(i, b int) {
	d := c.delta(i, b)
	a := c.o[i]
	for j, ri := range c.touch[i] {
		in := c.rects[ri].in[c.cond[i][j]]
		if in[a] && !in[b] {
			c.sat[ri]--
		} else if !in[a] && in[b] {
			c.sat[ri]++
		}
	}
	c.o[i] = b
	c.u[0] += d[0]
	c.u[1] += d[1]
}

// A score scalarises the two utilities for the climb.
type score func(u [2]int64) float64

// climb improves the current outcome by best-improving moves until none
// improves score or the evaluation budget is spent; every outcome it
// reaches is passed to seen.
func (c *climber) climb(sc score, limit int64, seen func(parley.Outcome, [2]int64)) {
	cur := sc(c.u)
	for c.evals < limit {
		bi, bo, bv := -1, 0, cur
		for i, k := range c.m.Sizes {
			if len(c.touch[i]) == 0 && !c.hasValues(i) {
				continue
			}
			if c.evals >= limit {
				return
			}
			for b := 0; b < k; b++ {
				if b == c.o[i] {
					continue
				}
				d := c.delta(i, b)
				if v := sc([2]int64{c.u[0] + d[0], c.u[1] + d[1]}); v > bv {
					bi, bo, bv = i, b, v
				}
			}
		}
		if bi >= 0 {
			c.move(bi, bo)
			cur = bv
			seen(c.o, c.u)
			continue
		}
		// No single move improves: try entering each rect that does not
		// hold.
		if !c.rectMoves(sc, &cur, limit, seen) {
			return
		}
	}
}

func (c *climber) hasValues(i int) bool {
	for _, u := range c.fns {
		if i < len(u.Values) && len(u.Values[i]) > 0 {
			return true
		}
	}
	return false
}

// rectMoves applies the first rect move that improves score and reports
// whether there was one.
func (c *climber) rectMoves(sc score, cur *float64, limit int64, seen func(parley.Outcome, [2]int64)) bool {
	for ri := range c.rects {
		if c.evals >= limit {
			return false
		}
		r := &c.rects[ri]
		if c.sat[ri] == int32(len(r.issue)) || r.u <= 0 {
			continue
		}
		saved := c.buf[:0]
		for k, i := range r.issue {
			if !r.in[k][c.o[i]] {
				saved = append(saved, i, int32(c.o[i]))
				c.move(int(i), nearestIn(r.in[k], c.o[i]))
			}
		}
		c.buf = saved
		if v := sc(c.u); v > *cur {
			*cur = v
			seen(c.o, c.u)
			return true
		}
		for j := len(saved) - 2; j >= 0; j -= 2 {
			c.move(int(saved[j]), int(saved[j+1]))
		}
	}
	return false
}

// nearestIn returns the option of in closest to a.
func nearestIn(in []bool, a int) int {
	for d := 1; d < len(in); d++ {
		if a-d >= 0 && in[a-d] {
			return a - d
		}
		if a+d < len(in) && in[a+d] {
			return a + d
		}
	}
	return a
}

// perturb applies k random moves: mostly random rect entries, some random
// issue changes.
func (c *climber) perturb(k int) {
	for range k {
		if len(c.rects) > 0 && c.rng.IntN(3) > 0 {
			r := &c.rects[c.rng.IntN(len(c.rects))]
			for j, i := range r.issue {
				if !r.in[j][c.o[i]] {
					c.move(int(i), nearestIn(r.in[j], c.o[i]))
				}
			}
			continue
		}
		i := c.rng.IntN(len(c.m.Sizes))
		c.move(i, c.rng.IntN(c.m.Sizes[i]))
	}
}

// relink walks from outcome a to outcome b (path relinking): each step
// sets one issue where they still differ to b's option, the one that
// scores best, and reports the outcome to seen. It returns the best
// outcome strictly between a and b (nil when they differ in one issue or
// less).
func (c *climber) relink(a, b parley.Outcome, sc score, seen func(parley.Outcome, [2]int64)) parley.Outcome {
	c.set(a)
	var best parley.Outcome
	bv := math.Inf(-1)
	for {
		bi, bs := -1, math.Inf(-1)
		for i := range c.o {
			if c.o[i] == b[i] {
				continue
			}
			d := c.delta(i, b[i])
			if v := sc([2]int64{c.u[0] + d[0], c.u[1] + d[1]}); bi < 0 || v > bs {
				bi, bs = i, v
			}
		}
		if bi < 0 {
			return best
		}
		c.move(bi, b[bi])
		if slices.Equal(c.o, b) {
			return best
		}
		seen(c.o, c.u)
		if bs > bv {
			best, bv = slices.Clone(c.o), bs
		}
	}
}

// search runs iterated local search for sc from each start within limit
// evaluations, reporting every outcome reached to seen. Two starts are
// first relinked both ways, and the best outcomes between them join the
// starts: the dents of a frontier often mix its neighbours.
func (c *climber) search(sc score, starts []parley.Outcome, limit int64, seen func(parley.Outcome, [2]int64)) {
	stop := c.evals + limit
	if len(starts) == 2 {
		a, b := starts[0], starts[1]
		for _, m := range []parley.Outcome{c.relink(a, b, sc, seen), c.relink(b, a, sc, seen)} {
			if m != nil {
				starts = append(starts, m)
			}
		}
	}
	best := make(parley.Outcome, len(c.o))
	for si, st := range starts {
		end := c.evals + (stop-c.evals)/int64(len(starts)-si)
		c.set(st)
		seen(c.o, c.u)
		c.climb(sc, end, seen)
		copy(best, c.o)
		bv := sc(c.u)
		for c.evals < end {
			c.perturb(1 + c.rng.IntN(3))
			c.climb(sc, end, seen)
			if v := sc(c.u); v > bv {
				copy(best, c.o)
				bv = v
			} else {
				c.set(best)
			}
		}
	}
}

// neighbours calls f with every outcome one move (a single issue, or a
// rect entered) away from o, and its utilities, until f returns false or
// limit evaluations are spent. The outcome passed is only valid during the
// call.
func (c *climber) neighbours(o parley.Outcome, limit int64, f func(parley.Outcome, [2]int64) bool) {
	c.set(o)
	for i, k := range c.m.Sizes {
		if len(c.touch[i]) == 0 && !c.hasValues(i) {
			continue
		}
		if c.evals >= limit {
			return
		}
		a := c.o[i]
		for b := 0; b < k; b++ {
			if b == a {
				continue
			}
			d := c.delta(i, b)
			u := [2]int64{c.u[0] + d[0], c.u[1] + d[1]}
			c.o[i] = b
			ok := f(c.o, u)
			c.o[i] = a
			if !ok {
				return
			}
		}
	}
	saved := c.buf[:0]
	for ri := range c.rects {
		r := &c.rects[ri]
		if c.sat[ri] == int32(len(r.issue)) || r.u <= 0 {
			continue
		}
		if c.evals >= limit {
			break
		}
		saved = saved[:0]
		for k, i := range r.issue {
			if !r.in[k][c.o[i]] {
				saved = append(saved, i, int32(c.o[i]))
				c.move(int(i), nearestIn(r.in[k], c.o[i]))
			}
		}
		ok := f(c.o, c.u)
		for j := len(saved) - 2; j >= 0; j -= 2 {
			c.move(int(saved[j]), int(saved[j+1]))
		}
		if !ok {
			break
		}
	}
	c.buf = saved
}

// chebyshev is the score of how far u gets past corner c in both
// coordinates, each scaled by span, with a small weight on the sum so
// that ties go to the better vector. An unbounded corner coordinate counts
// only in that small weight.
func chebyshev(c [2]int64, span [2]float64) score {
	return func(u [2]int64) float64 {
		m, s := math.Inf(1), 0.0
		for p := range 2 {
			x := float64(u[p]) / span[p]
			if c[p] != math.MinInt64 {
				x = float64(u[p]-c[p]) / span[p]
				m = min(m, x)
			}
			s += x
		}
		if math.IsInf(m, 1) {
			m = 0
		}
		return m + 1e-3*s
	}
}
