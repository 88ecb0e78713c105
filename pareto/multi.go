package pareto

import "github.com/parleyhq/parley"

// stepN adds issue t to a front of any number of parties: it builds every
// shifted copy of the front (each already sorted), merges them in
// lexicographically descending order, merges equal vectors and keeps the
// non-dominated ones.
func (s *solver) stepN(f *front, g *groups, t int) (*front, links, error) {
	n := s.n
	size, k := len(f.c), g.len()
	total := size * k
	if total > s.limit {
		return nil, links{}, parley.Errorf(parley.ELIMIT,
			"pareto: issue %d of %d would produce %d candidate points (%d frontier points × %d option vectors), over the budget of %d",
			t+1, len(s.m.Sizes), total, size, k, s.limit)
	}
	if cap(s.cu) < total*n {
		s.cu = make([]int64, total*n)
	}
	cu := s.cu[:total*n]
	for gi := 0; gi < k; gi++ {
		x := g.x[gi*n : gi*n+n]
		base := gi * size * n
		for i := 0; i < size*n; i += n {
			for d := 0; d < n; d++ {
				cu[base+i+d] = f.u[i+d] + x[d]
			}
		}
	}
	perm := mergeRuns(cu, n, total, size)

	// Merge equal vectors: sum counts, keep the smallest representative.
	kk := uint64(s.m.Sizes[t])
	key := func(c int32) uint64 {
		gi, i := int(c)/size, int(c)%size
		return uint64(f.rank[i])*kk + uint64(g.opt[gi])
	}
	cnt := func(c int32) uint64 {
		gi, i := int(c)/size, int(c)%size
		return s.tally.mul(f.c[i], g.c[gi])
	}
	du := make([]int64, 0, total*n)
	dc := make([]uint64, 0, total)
	drep := make([]int32, 0, total)
	for j := 0; j < total; {
		c0 := perm[j]
		rep, rk, sum := c0, key(c0), cnt(c0)
		for j++; j < total && lexCmp(cu, n, c0, perm[j]) == 0; j++ {
			c := perm[j]
			sum = s.tally.add(sum, cnt(c))
			if kc := key(c); kc < rk {
				rep, rk = c, kc
			}
		}
		du = append(du, cu[int(c0)*n:int(c0)*n+n]...)
		dc = append(dc, sum)
		drep = append(drep, rep)
	}

	keep := nondominated(du, n, len(dc))
	nf := &front{u: make([]int64, 0, len(keep)*n), c: make([]uint64, 0, len(keep))}
	l := links{par: make([]int32, len(keep)), opt: make([]int32, len(keep))}
	for j, i := range keep {
		nf.u = append(nf.u, du[int(i)*n:int(i)*n+n]...)
		nf.c = append(nf.c, dc[i])
		c := drep[i]
		l.par[j] = c % int32(size)
		l.opt[j] = g.opt[int(c)/size]
	}
	s.finish(f, nf, l, t)
	return nf, l, nil
}

// mergeRuns returns the row indices of u (stride n, total rows) in
// lexicographically descending order, stable, given that consecutive runs
// of run rows are already sorted.
func mergeRuns(u []int64, n, total, run int) []int32 {
	a := make([]int32, total)
	for i := range a {
		a[i] = int32(i)
	}
	if run <= 0 || total <= run {
		return a
	}
	b := make([]int32, total)
	for w := run; w < total; w *= 2 {
		for lo := 0; lo < total; lo += 2 * w {
			mid := min(lo+w, total)
			hi := min(lo+2*w, total)
			i, j, o := lo, mid, lo
			for i < mid && j < hi {
				if lexCmp(u, n, a[j], a[i]) < 0 {
					b[o] = a[j]
					j++
				} else {
					b[o] = a[i]
					i++
				}
				o++
			}
			o += copy(b[o:], a[i:mid])
			copy(b[o:], a[j:hi])
		}
		a, b = b, a
	}
	return a
}
