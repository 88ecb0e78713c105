package pareto

import "github.com/parleyhq/parley"

// pt2 is a candidate point of the two-party merge: front point par shifted
// by the option vector whose smallest option is opt.
type pt2 struct {
	u0, u1   int64
	c        uint64 // count, see tally
	par, opt int32
}

// step2 adds issue t to a two-party front. A two-party front is a
// staircase: u0 strictly decreasing, u1 strictly increasing. Every group
// shifts it into another staircase; the shifted copies are merged in a
// balanced tree of linear merge-and-prune passes, so an issue costs
// O(|F|·k·log k) in the worst case and usually O((|F|+|F'|)·k).
func (s *solver) step2(f *front, g *groups, t int) (*front, links, error) {
	w := &merger2{s: s, f: f, g: g, t: t}
	root, ok := w.run(0, g.len())
	if !ok {
		return nil, links{}, parley.Errorf(parley.ELIMIT,
			"pareto: a partial frontier while adding issue %d of %d has more than %d points, the budget",
			t+1, len(s.m.Sizes), s.limit)
	}
	out := root.pts
	if out == nil {
		out = w.materialize(root)
	}
	nf := &front{u: make([]int64, 0, 2*len(out)), c: make([]uint64, 0, len(out))}
	l := links{par: make([]int32, len(out)), opt: make([]int32, len(out))}
	for i := range out {
		p := &out[i]
		nf.u = append(nf.u, p.u0, p.u1)
		nf.c = append(nf.c, p.c)
		l.par[i], l.opt[i] = p.par, p.opt
	}
	s.put(out)
	s.finish(f, nf, l, t)
	return nf, l, nil
}

type merger2 struct {
	s *solver
	f *front
	g *groups
	t int
}

// A src2 is a staircase: a materialized one (pts != nil), or the front
// shifted by group gi, generated on the fly.
type src2 struct {
	pts []pt2
	gi  int
}

func (w *merger2) len(s *src2) int {
	if s.pts != nil {
		return len(s.pts)
	}
	return len(w.f.c)
}

func (w *merger2) at(s *src2, i int) pt2 {
	if s.pts != nil {
		return s.pts[i]
	}
	g, f := w.g, w.f
	return pt2{
		u0:  f.u[2*i] + g.x[2*s.gi],
		u1:  f.u[2*i+1] + g.x[2*s.gi+1],
		c:   w.s.tally.mul(f.c[i], g.c[s.gi]),
		par: int32(i),
		opt: g.opt[s.gi],
	}
}

func (w *merger2) materialize(s src2) []pt2 {
	n := w.len(&s)
	out := w.s.get(n)
	for i := 0; i < n; i++ {
		out = append(out, w.at(&s, i))
	}
	return out
}

// run returns the merged and pruned staircase of groups lo..hi-1, and false
// if a staircase exceeds the budget.
func (w *merger2) run(lo, hi int) (src2, bool) {
	if hi-lo == 1 {
		return src2{gi: lo}, true
	}
	mid := (lo + hi) / 2
	a, ok := w.run(lo, mid)
	if !ok {
		return src2{}, false
	}
	b, ok := w.run(mid, hi)
	if !ok {
		w.s.put(a.pts)
		return src2{}, false
	}
	out := w.merge(&a, &b, w.s.get(min(w.len(&a)+w.len(&b), w.s.limit+1)))
	w.s.put(a.pts)
	w.s.put(b.pts)
	if len(out) > w.s.limit {
		w.s.put(out)
		return src2{}, false
	}
	if out == nil {
		out = []pt2{} // materialized, even if empty
	}
	return src2{pts: out}, true
}

// less reports whether candidate a has a lexicographically smaller
// representative outcome than b.
func (w *merger2) less(a, b *pt2) bool {
	r, size := w.f.rank, len(w.f.rank)
	return w.s.key(w.t, r[a.par], size, a.opt) < w.s.key(w.t, r[b.par], size, b.opt)
}

// merge appends to out the non-dominated points of the union of staircases
// a and b, with equal vectors merged, and returns it. It stops early once
// out exceeds the budget.
func (w *merger2) merge(a, b *src2, out []pt2) []pt2 {
	na, nb := w.len(a), w.len(b)
	i, j := 0, 0
	var pa, pb pt2
	if na > 0 {
		pa = w.at(a, 0)
	}
	if nb > 0 {
		pb = w.at(b, 0)
	}
	var best int64
	have := false
	for i < na || j < nb {
		var p pt2
		takeA, takeB := false, false
		switch {
		case j == nb:
			takeA = true
		case i == na:
			takeB = true
		case pa.u0 > pb.u0 || pa.u0 == pb.u0 && pa.u1 > pb.u1:
			takeA = true
		case pa.u0 < pb.u0 || pa.u1 < pb.u1:
			takeB = true
		default: // equal vectors
			takeA, takeB = true, true
		}
		switch {
		case takeA && takeB:
			p = pa
			if w.less(&pb, &pa) {
				p = pb
			}
			p.c = w.s.tally.add(pa.c, pb.c)
		case takeA:
			p = pa
		default:
			p = pb
		}
		if takeA {
			if i++; i < na {
				pa = w.at(a, i)
			}
		}
		if takeB {
			if j++; j < nb {
				pb = w.at(b, j)
			}
		}
		if !have || p.u1 > best {
			if len(out) > w.s.limit {
				return out // over budget: the caller gives up
			}
			out = append(out, p)
			best, have = p.u1, true
		}
	}
	return out
}

// get returns an empty buffer with room for n points.
func (s *solver) get(n int) []pt2 {
	for i := len(s.pool) - 1; i >= 0; i-- {
		if cap(s.pool[i]) >= n {
			b := s.pool[i]
			s.pool[i] = s.pool[len(s.pool)-1]
			s.pool = s.pool[:len(s.pool)-1]
			return b[:0]
		}
	}
	return make([]pt2, 0, max(n, 64))
}

// put returns a buffer to the pool.
func (s *solver) put(b []pt2) {
	if b != nil && len(s.pool) < 8 {
		s.pool = append(s.pool, b)
	}
}
