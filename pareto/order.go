package pareto

import "slices"

// pairBudget bounds the candidate sums planFree examines to measure how
// issues combine (Σ over pairs of issues of the product of their group
// counts); past it, Frontier keeps the contiguous order of plan.
const pairBudget = 1 << 15

// parallelPairs is the number of pair sums from which planFree measures
// the pairs in two halves for Options.Parallel. A variable for tests.
var parallelPairs = 1024

// freeOrder enables planFree; a variable for tests, which compare the two
// orders.
var freeOrder = true

// planFree orders the issues for three or more parties, where a step's
// cost is the size of the front before it times the groups, and
// the fronts' sizes are what the order can change: issues whose option
// vectors nearly line up with each other's (integer issues with linear
// evaluations, say) add few points when merged together, and many when
// merged apart. For every pair of issues i, j it counts the points of the
// frontier of the two alone, P(i,j) (exactly, by the sweep of
// nondominated), and takes P(i,j)/|G_j| as an estimate of how much adding
// issue i multiplies a front that holds j. It starts with the issue of
// the most groups (the costliest to add late) and then adds, greedily,
// the issue with the smallest estimate over the issues merged so far.
// On KillerRobot (groups 3, 4, 10, 5, 8, 50) this halves the candidates
// of the contiguous order (19,051 against 46,593).
//
// It reports false, leaving the order to plan, when measuring the pairs
// would cost more than pairBudget sums.
func (s *solver) planFree() bool {
	m := len(s.gs)
	var sums, most int
	for i := range m {
		for j := i + 1; j < m; j++ {
			sums += s.gs[i].len() * s.gs[j].len()
			most = max(most, s.gs[i].len()*s.gs[j].len())
		}
	}
	if sums > pairBudget {
		return false
	}
	pairs := make([]int, m*m) // P(i,j), symmetric
	n := s.n
	// measure does the pairs (i, j), i < j, whose rank in row order is
	// ≡ half (mod 2), or all of them for half < 0.
	measure := func(half int) {
		pf := &pairFront{n: n, sums: make([]int64, 0, most*n), idx: make([]int32, 0, most), kept: make([]int64, 0, most*(n-1))}
		r := 0
		for i := range m {
			for j := i + 1; j < m; j++ {
				if r++; half < 0 || r%2 == half {
					p := pf.size(s.gs[i], s.gs[j])
					pairs[i*m+j], pairs[j*m+i] = p, p
				}
			}
		}
	}
	if s.parallel != nil && sums >= parallelPairs {
		s.parallel(func() { measure(0) }, func() { measure(1) })
	} else {
		measure(-1)
	}
	first := 0
	for i, g := range s.gs {
		if g.len() > s.gs[first].len() {
			first = i
		}
	}
	in := make([]bool, m)
	in[first] = true
	s.order = append(s.order[:0], first)
	s.prepend = s.prepend[:0]
	// est[i] = min over merged j of P(i,j)/|G_j|, as a fraction a/b.
	estA, estB := make([]int, m), make([]int, m)
	for i := range m {
		estA[i], estB[i] = pairs[i*m+first], s.gs[first].len()
	}
	for len(s.order) < m {
		best := -1
		for i := range m {
			if !in[i] && (best < 0 || estA[i]*estB[best] < estA[best]*estB[i]) {
				best = i
			}
		}
		in[best] = true
		s.order = append(s.order, best)
		for i := range m {
			if a, b := pairs[i*m+best], s.gs[best].len(); !in[i] && a*estB[i] < estA[i]*b {
				estA[i], estB[i] = a, b
			}
		}
	}
	s.anyOrder = true
	return true
}

// pairFront measures the frontiers of pairs of issues, reusing its
// buffers from pair to pair.
type pairFront struct {
	n    int
	sums []int64
	idx  []int32
	kept []int64 // coordinates 1..n-1 of the kept sums
}

// size returns the number of points of the frontier of the sums of a's
// and b's vectors (distinct non-dominated sums).
func (pf *pairFront) size(a, b *groups) int {
	n := pf.n
	sums := pf.sums[:0]
	for i := range a.len() {
		for j := range b.len() {
			for p := range n {
				sums = append(sums, a.x[i*n+p]+b.x[j*n+p])
			}
		}
	}
	k := len(sums) / n
	idx := pf.idx[:0]
	for i := range k {
		idx = append(idx, int32(i))
	}
	slices.SortFunc(idx, func(x, y int32) int {
		// The first coordinates decide most comparisons.
		if a, b := sums[int(x)*n], sums[int(y)*n]; a != b {
			if a > b {
				return -1
			}
			return 1
		}
		return lexCmp(sums, n, x, y)
	})
	pf.sums, pf.idx = sums, idx
	// A sweep in lexicographically descending order, as nondominated's,
	// against the kept points in a list (pair fronts are small): a sum is
	// dominated or equal to a kept one when it is covered in coordinates
	// 1..n-1. The kept point that covered the last sum is tried first.
	kept := pf.kept[:0]
	last := -1
	for _, i := range idx {
		q := sums[int(i)*n+1 : int(i)*n+n]
		if last >= 0 && geq(kept[last*(n-1):last*(n-1)+n-1], q) {
			continue
		}
		last = -1
		for k := len(kept)/(n-1) - 1; k >= 0; k-- {
			if geq(kept[k*(n-1):k*(n-1)+n-1], q) {
				last = k
				break
			}
		}
		if last < 0 {
			kept = append(kept, q...)
		}
	}
	pf.kept = kept
	return len(kept) / (n - 1)
}

// repLess reports whether the representative outcome of candidate (ga,
// a) of sweep w — front point a extended by group ga's option — comes
// before that of (gb, b) in the lexicographic order of outcomes (by issue,
// then option), when the merge order is any. It follows both points'
// back-pointers until they meet (below that the outcomes agree) and
// compares the options of the smallest issue where they differ.
func (s *solver) repLess(w *sweep, ga, a, gb, b int32) bool {
	t := w.t
	lo := len(s.m.Sizes) // the smallest issue where they differ so far
	var va, vb int32
	if x, y := w.g.opt[ga], w.g.opt[gb]; x != y {
		lo, va, vb = s.order[t], x, y
	}
	for u := t - 1; u >= 0 && a != b; u-- {
		l, is := s.trail[u], s.order[u]
		if x, y := l.opt[a], l.opt[b]; x != y && is < lo {
			lo, va, vb = is, x, y
		}
		a, b = l.par[a], l.par[b]
	}
	return va < vb
}
