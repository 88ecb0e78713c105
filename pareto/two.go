package pareto

// pt2 is a candidate point of the two-party merge: front point par shifted
// by the option vector whose smallest option is opt.
type pt2 struct {
	u0, u1   int64
	c        count
	par, opt int32
}

// step2 adds issue t to a two-party front. A two-party front is a
// staircase: u0 strictly decreasing, u1 strictly increasing. Every group
// shifts it into another staircase; the shifted copies are merged in a
// balanced tree of linear merge-and-prune passes, so an issue costs
// O(|F|·k·log k) in the worst case and usually O((|F|+|F'|)·k).
func (s *solver) step2(f *front, g *groups, t int) (*front, links, error) {
	w := &merger2{s: s, f: f, g: g, rank: f.rank, k: uint64(s.m.Sizes[t])}
	out := w.run(0, g.len())
	nf := &front{u: make([]int64, 0, 2*len(out)), c: makeCounts(len(out))}
	l := links{par: make([]int32, len(out)), opt: make([]int32, len(out))}
	for i := range out {
		p := &out[i]
		nf.u = append(nf.u, p.u0, p.u1)
		nf.c.push(p.c)
		l.par[i], l.opt[i] = p.par, p.opt
	}
	s.put(out)
	s.finish(f, nf, l, t)
	return nf, l, nil
}

type merger2 struct {
	s    *solver
	f    *front
	g    *groups
	rank []int32
	k    uint64
}

// run returns the merged and pruned staircase of groups lo..hi-1.
func (w *merger2) run(lo, hi int) []pt2 {
	if hi-lo == 1 {
		return w.leaf(lo)
	}
	mid := (lo + hi) / 2
	a := w.run(lo, mid)
	b := w.run(mid, hi)
	out := w.merge(a, b, w.s.get(len(a)+len(b)))
	w.s.put(a)
	w.s.put(b)
	return out
}

// leaf returns the front shifted by group gi.
func (w *merger2) leaf(gi int) []pt2 {
	f := w.f
	size := f.c.len()
	out := w.s.get(size)
	x0, x1 := w.g.x[2*gi], w.g.x[2*gi+1]
	mult, opt := w.g.c[gi], w.g.opt[gi]
	for i := 0; i < size; i++ {
		out = append(out, pt2{
			u0:  f.u[2*i] + x0,
			u1:  f.u[2*i+1] + x1,
			c:   f.c.at(i).mul(mult),
			par: int32(i),
			opt: opt,
		})
	}
	return out
}

// less reports whether candidate a has a lexicographically smaller
// representative outcome than b.
func (w *merger2) less(a, b *pt2) bool {
	ka := uint64(w.rank[a.par])*w.k + uint64(a.opt)
	kb := uint64(w.rank[b.par])*w.k + uint64(b.opt)
	return ka < kb
}

// merge appends to out the non-dominated points of the union of staircases
// a and b, with equal vectors merged, and returns it.
func (w *merger2) merge(a, b, out []pt2) []pt2 {
	i, j := 0, 0
	var best int64
	have := false
	for i < len(a) || j < len(b) {
		var p pt2
		switch {
		case j == len(b):
			p = a[i]
			i++
		case i == len(a):
			p = b[j]
			j++
		case a[i].u0 > b[j].u0 || a[i].u0 == b[j].u0 && a[i].u1 > b[j].u1:
			p = a[i]
			i++
		case a[i].u0 < b[j].u0 || a[i].u1 < b[j].u1:
			p = b[j]
			j++
		default: // equal vectors
			p = a[i]
			if w.less(&b[j], &p) {
				p = b[j]
			}
			p.c = a[i].c.add(b[j].c)
			i++
			j++
		}
		if !have || p.u1 > best {
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
	if len(s.pool) < 16 {
		s.pool = append(s.pool, b)
	}
}
