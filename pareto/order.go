package pareto

import "slices"

// pairBudget bounds the candidate sums planFree examines to measure how
// issues combine (Σ over pairs of issues of the product of their group
// counts); past it, Frontier keeps the contiguous order of plan.
const pairBudget = 1 << 15

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
	var sums int
	for i := range m {
		for j := i + 1; j < m; j++ {
			sums += s.gs[i].len() * s.gs[j].len()
		}
	}
	if sums > pairBudget {
		return false
	}
	pairs := make([]int, m*m) // P(i,j), symmetric
	var buf []int64
	var idx []int32
	for i := range m {
		for j := i + 1; j < m; j++ {
			buf, idx = s.pairFront(s.gs[i], s.gs[j], buf, idx)
			pairs[i*m+j], pairs[j*m+i] = len(idx), len(idx)
		}
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

// pairFront returns the indices of the frontier of the sums of a's and
// b's vectors (one per distinct non-dominated sum), with buf and idx as
// scratch.
func (s *solver) pairFront(a, b *groups, buf []int64, idx []int32) ([]int64, []int32) {
	n := s.n
	buf = buf[:0]
	for i := range a.len() {
		for j := range b.len() {
			for p := range n {
				buf = append(buf, a.x[i*n+p]+b.x[j*n+p])
			}
		}
	}
	k := len(buf) / n
	idx = idx[:0]
	for i := range k {
		idx = append(idx, int32(i))
	}
	slices.SortFunc(idx, func(x, y int32) int { return lexCmp(buf, n, x, y) })
	sorted := make([]int64, 0, len(buf))
	for _, i := range idx {
		sorted = append(sorted, buf[int(i)*n:int(i)*n+n]...)
	}
	return buf, nondominated(sorted, n, k)
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
