package pareto

import (
	"math"
	"math/big"
	"slices"

	"github.com/parleyhq/parley"
)

// Filter returns the non-dominated points of pts, any number of parties:
// one point per distinct vector U, with the counts of all input points with
// that vector summed (a nil Count counts as 1) and the Outcome of the first
// of them in input order. The result is sorted by U[0] descending, then
// U[1] descending, and so on, and shares no memory with pts.
//
// Filter panics if the points' vectors differ in length.
func Filter(pts []parley.FrontierPoint) []parley.FrontierPoint {
	if len(pts) == 0 {
		return nil
	}
	n := len(pts[0].U)
	u := make([]int64, 0, len(pts)*n)
	for i := range pts {
		if len(pts[i].U) != n {
			panic("pareto: Filter: points of different dimensions")
		}
		u = append(u, pts[i].U...)
	}
	ord := make([]int32, len(pts))
	for i := range ord {
		ord[i] = int32(i)
	}
	slices.SortStableFunc(ord, func(a, b int32) int { return lexCmp(u, n, a, b) })

	type group struct {
		first int32
		count *big.Int
	}
	var du []int64
	var gs []group
	for j := 0; j < len(ord); {
		i0 := ord[j]
		c := new(big.Int)
		for ; j < len(ord) && lexCmp(u, n, i0, ord[j]) == 0; j++ {
			if pc := pts[ord[j]].Count; pc != nil {
				c.Add(c, pc)
			} else {
				c.Add(c, big.NewInt(1))
			}
		}
		du = append(du, u[int(i0)*n:int(i0)*n+n]...)
		gs = append(gs, group{first: i0, count: c})
	}
	keep := nondominated(du, n, len(gs))
	out := make([]parley.FrontierPoint, len(keep))
	for j, i := range keep {
		p := &pts[gs[i].first]
		out[j] = parley.FrontierPoint{
			U:     slices.Clone(du[int(i)*n : int(i)*n+n]),
			Count: gs[i].count,
		}
		if p.Outcome != nil {
			out[j].Outcome = slices.Clone(p.Outcome)
		}
	}
	return out
}

// nondominated returns the indices (ascending) of the rows of u (stride n,
// size rows) that no other row dominates. The rows must be distinct and
// sorted lexicographically descending, so that a row can only be dominated
// by an earlier one, and an earlier row q dominates p exactly when
// q[d] >= p[d] for d = 1..n-1.
func nondominated(u []int64, n, size int) []int32 {
	if size == 0 {
		return nil
	}
	switch {
	case n <= 1:
		return []int32{0}
	case n == 2:
		keep := []int32{0}
		best := u[1]
		for i := 1; i < size; i++ {
			if v := u[2*i+1]; v > best {
				keep = append(keep, int32(i))
				best = v
			}
		}
		return keep
	case n == 3:
		return nondominated3(u, size)
	}
	return nondominatedKD(u, n, size)
}

// nondominated3 sweeps the rows in order with a Fenwick tree indexed by u1
// (descending) that holds, for each prefix, the kept row with the largest
// u2: a row is dominated iff some kept row has u1 and u2 at least as large.
func nondominated3(u []int64, size int) []int32 {
	vals := make([]int64, size)
	for i := range vals {
		vals[i] = u[3*i+1]
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	L := len(vals)
	tree := make([]int32, L)
	for i := range tree {
		tree[i] = -1
	}
	var keep []int32
	for i := 0; i < size; i++ {
		p1, p2 := u[3*i+1], u[3*i+2]
		pos, _ := slices.BinarySearch(vals, p1)
		r := L - 1 - pos // prefix 0..r holds the rows with u1 >= p1
		dominated := false
		for j := r; j >= 0; j = (j & (j + 1)) - 1 {
			if q := tree[j]; q >= 0 && u[3*int(q)+2] >= p2 {
				dominated = true
				break
			}
		}
		if dominated {
			continue
		}
		keep = append(keep, int32(i))
		for j := r; j < L; j |= j + 1 {
			if q := tree[j]; q < 0 || u[3*int(q)+2] < p2 {
				tree[j] = int32(i)
			}
		}
	}
	return keep
}

// nondominatedKD sweeps the rows in order and asks a k-d tree over
// coordinates 1..n-1 of all rows whether a kept row is at least as large in
// each of them.
func nondominatedKD(u []int64, n, size int) []int32 {
	t := newKD(u, n, size)
	var keep []int32
	last := int32(-1) // the last dominating row: often dominates the next
	for i := 0; i < size; i++ {
		q := u[i*n+1 : i*n+n]
		if last >= 0 && geq(u[int(last)*n+1:int(last)*n+n], q) {
			continue
		}
		if d := t.dominator(q); d >= 0 {
			last = d
			continue
		}
		keep = append(keep, int32(i))
		t.activate(int32(i))
	}
	return keep
}

func geq(a, b []int64) bool {
	for d := range b {
		if a[d] < b[d] {
			return false
		}
	}
	return true
}

const kdLeaf = 8

// kdTree is a static k-d tree over coordinates 1..n-1 of a set of rows, of
// which some are active; every node keeps the static minimum of its rows
// and the maximum of its active rows, per coordinate.
type kdTree struct {
	u      []int64
	n, dim int
	ids    []int32
	nodes  []kdNode
	minv   []int64 // node*dim + d
	maxv   []int64 // node*dim + d, over active rows
	leafOf []int32
	active []bool
	stack  []int32
}

type kdNode struct {
	lo, hi      int32
	left, right int32 // -1 for a leaf
	parent      int32
	any         bool // has an active row
}

func newKD(u []int64, n, size int) *kdTree {
	t := &kdTree{u: u, n: n, dim: n - 1, ids: make([]int32, size), leafOf: make([]int32, size), active: make([]bool, size)}
	for i := range t.ids {
		t.ids[i] = int32(i)
	}
	t.build(0, size, -1)
	t.maxv = make([]int64, len(t.nodes)*t.dim)
	for i := range t.maxv {
		t.maxv[i] = math.MinInt64
	}
	return t
}

func (t *kdTree) coord(id int32, d int) int64 { return t.u[int(id)*t.n+1+d] }

func (t *kdTree) build(lo, hi int, parent int32) int32 {
	nd := int32(len(t.nodes))
	t.nodes = append(t.nodes, kdNode{lo: int32(lo), hi: int32(hi), left: -1, right: -1, parent: parent})
	mn := make([]int64, t.dim)
	mx := make([]int64, t.dim)
	for d := range mn {
		mn[d], mx[d] = math.MaxInt64, math.MinInt64
	}
	for _, id := range t.ids[lo:hi] {
		for d := 0; d < t.dim; d++ {
			v := t.coord(id, d)
			mn[d] = min(mn[d], v)
			mx[d] = max(mx[d], v)
		}
	}
	t.minv = append(t.minv, mn...)
	if hi-lo <= kdLeaf {
		for _, id := range t.ids[lo:hi] {
			t.leafOf[id] = nd
		}
		return nd
	}
	split := 0
	var spread uint64
	for d := 0; d < t.dim; d++ {
		if s := uint64(mx[d]) - uint64(mn[d]); s > spread {
			split, spread = d, s
		}
	}
	mid := (lo + hi) / 2
	if spread > 0 {
		t.selectNth(lo, hi, mid, split)
	}
	l := t.build(lo, mid, nd)
	r := t.build(mid, hi, nd)
	t.nodes[nd].left, t.nodes[nd].right = l, r
	return nd
}

// selectNth partially orders ids[lo:hi] by coordinate d so that ids[k]
// holds the k-th smallest, smaller ones before it and larger ones after.
func (t *kdTree) selectNth(lo, hi, k, d int) {
	ids := t.ids
	hi--
	for lo < hi {
		// median of three as pivot
		m := lo + (hi-lo)/2
		if t.coord(ids[m], d) < t.coord(ids[lo], d) {
			ids[m], ids[lo] = ids[lo], ids[m]
		}
		if t.coord(ids[hi], d) < t.coord(ids[lo], d) {
			ids[hi], ids[lo] = ids[lo], ids[hi]
		}
		if t.coord(ids[hi], d) < t.coord(ids[m], d) {
			ids[hi], ids[m] = ids[m], ids[hi]
		}
		pivot := t.coord(ids[m], d)
		i, j := lo, hi
		for i <= j {
			for t.coord(ids[i], d) < pivot {
				i++
			}
			for t.coord(ids[j], d) > pivot {
				j--
			}
			if i <= j {
				ids[i], ids[j] = ids[j], ids[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// activate marks row id as kept.
func (t *kdTree) activate(id int32) {
	t.active[id] = true
	q := t.u[int(id)*t.n+1 : int(id)*t.n+t.n]
	for nd := t.leafOf[id]; nd >= 0; nd = t.nodes[nd].parent {
		changed := !t.nodes[nd].any
		t.nodes[nd].any = true
		mx := t.maxv[int(nd)*t.dim : int(nd)*t.dim+t.dim]
		for d, v := range q {
			if v > mx[d] {
				mx[d] = v
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// dominator returns an active row at least as large as q in every
// coordinate, or -1.
func (t *kdTree) dominator(q []int64) int32 {
	st := append(t.stack[:0], 0)
	defer func() { t.stack = st[:0] }()
	for len(st) > 0 {
		nd := st[len(st)-1]
		st = st[:len(st)-1]
		node := &t.nodes[nd]
		if !node.any || !geq(t.maxv[int(nd)*t.dim:int(nd)*t.dim+t.dim], q) {
			continue
		}
		if node.left < 0 || geq(t.minv[int(nd)*t.dim:int(nd)*t.dim+t.dim], q) {
			for _, id := range t.ids[node.lo:node.hi] {
				if t.active[id] && geq(t.u[int(id)*t.n+1:int(id)*t.n+t.n], q) {
					return id
				}
			}
			continue
		}
		// the right child holds the larger values of the split coordinate
		st = append(st, node.left, node.right)
	}
	return -1
}
