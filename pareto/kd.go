package pareto

import "math"

// blk is four coordinates of a point. kdDyn stores points as runs of
// blocks, padded, so that its inner comparisons are unrolled: a point of
// dimension d takes ceil(d/4) blocks; padding coordinates are 0 in points
// and math.MinInt64 in queries, so they never decide a comparison.
type blk [4]int64

// geqB reports whether a >= b in every coordinate.
func geqB(a, b []blk) bool {
	for i := range b {
		x, y := &a[i], &b[i]
		if x[0] < y[0] || x[1] < y[1] || x[2] < y[2] || x[3] < y[3] {
			return false
		}
	}
	return true
}

// kdDyn is the domIndex for three or more dimensions: a k-d tree that
// grows by insertion and stays balanced by partial rebuilding (a scapegoat
// k-d tree). Points live in leaf buckets of at most kdLeaf points, stored
// contiguously; every node keeps the number of points below it and their
// bounding box. A query skips a node whose box maximum falls short of q in
// some coordinate, answers at once from a node whose box minimum is at
// least q in all, and otherwise visits first the child with the larger
// slack min_j (max_j − q_j), the likelier to hold a covering point. An
// insertion that leaves some node with a child holding more than kdAlpha
// of its points rebuilds the highest such node into a balanced subtree, so
// the depth stays O(log n) and a point is moved O(log n) times amortised.
type kdDyn struct {
	d, w  int // dimension, blocks per point
	nodes []kdNode
	box   []blk   // node i: max at [2wi, 2wi+w), min at [2wi+w, 2wi+2w)
	pool  []blk   // leaf buckets: slot s at [s·kdLeaf·w, (s+1)·kdLeaf·w)
	free  []int32 // free nodes
	slots []int32 // free buckets

	last     []blk // the point that covered the last query, if haveLast
	haveLast bool
	q        []blk // the current query or insertion, padded
	stack    []int32
	path     []int32
	tmp      []blk
}

// kdLeaf is a leaf bucket's capacity; kdAlpha the largest share of a
// node's points one child may hold before the node is rebuilt.
const (
	kdLeaf  = 16
	kdAlpha = 0.7
)

type kdNode struct {
	size  int32
	left  int32 // -1 for a leaf
	right int32
	split int32 // split coordinate: points with p[split] < val go left
	val   int64
	slot  int32 // leaf: bucket
}

func newKDDyn(d int) *kdDyn {
	w := (d + 3) / 4
	x := &kdDyn{d: d, w: w, last: make([]blk, w), q: make([]blk, w)}
	x.build(x.newNode(), nil)
	return x
}

func coord(p []blk, j int) int64 { return p[j>>2][j&3] }

// load pads q into x.q.
func (x *kdDyn) load(q []int64, pad int64) {
	for i := range x.q {
		x.q[i] = blk{pad, pad, pad, pad}
	}
	for j, v := range q {
		x.q[j>>2][j&3] = v
	}
}

func (x *kdDyn) newNode() int32 {
	if k := len(x.free); k > 0 {
		nd := x.free[k-1]
		x.free = x.free[:k-1]
		return nd
	}
	x.nodes = append(x.nodes, kdNode{})
	for range 2 * x.w {
		x.box = append(x.box, blk{})
	}
	return int32(len(x.nodes) - 1)
}

func (x *kdDyn) newSlot() int32 {
	if k := len(x.slots); k > 0 {
		s := x.slots[k-1]
		x.slots = x.slots[:k-1]
		return s
	}
	s := int32(len(x.pool) / (kdLeaf * x.w))
	for range kdLeaf * x.w {
		x.pool = append(x.pool, blk{})
	}
	return s
}

func (x *kdDyn) boxMax(nd int32) []blk { return x.box[int(nd)*2*x.w : int(nd)*2*x.w+x.w] }
func (x *kdDyn) boxMin(nd int32) []blk {
	return x.box[int(nd)*2*x.w+x.w : int(nd)*2*x.w+2*x.w]
}

// grow extends node nd's box by point p.
func (x *kdDyn) grow(nd int32, p []blk) {
	mx, mn := x.boxMax(nd), x.boxMin(nd)
	for i := range p {
		for j := range p[i] {
			mx[i][j] = max(mx[i][j], p[i][j])
			mn[i][j] = min(mn[i][j], p[i][j])
		}
	}
}

func (x *kdDyn) bucket(nd int32) []blk {
	node := &x.nodes[nd]
	s := int(node.slot) * kdLeaf * x.w
	return x.pool[s : s+int(node.size)*x.w]
}

// cover reports whether some point is at least q in every coordinate and,
// if so and dst is not nil, copies it to dst.
func (x *kdDyn) cover(q, dst []int64) bool {
	x.load(q, math.MinInt64)
	if x.haveLast && geqB(x.last, x.q) {
		x.put(x.last, dst)
		return true
	}
	p := x.find()
	if p == nil {
		return false
	}
	copy(x.last, p)
	x.haveLast = true
	x.put(p, dst)
	return true
}

func (x *kdDyn) put(p []blk, dst []int64) {
	for j := range dst {
		dst[j] = coord(p, j)
	}
}

// find returns a point at least x.q in every coordinate, or nil.
func (x *kdDyn) find() []blk {
	w, q := x.w, x.q
	st := append(x.stack[:0], 0)
	defer func() { x.stack = st[:0] }()
	for len(st) > 0 {
		nd := st[len(st)-1]
		st = st[:len(st)-1]
		node := &x.nodes[nd]
		if node.size == 0 || !geqB(x.boxMax(nd), q) {
			continue
		}
		if node.left < 0 {
			pts := x.bucket(nd)
			for i := 0; i < len(pts); i += w {
				if p := pts[i : i+w]; geqB(p, q) {
					return p
				}
			}
			continue
		}
		if geqB(x.boxMin(nd), q) {
			// Every point below covers q: return one.
			for x.nodes[nd].left >= 0 {
				if l := x.nodes[nd].left; x.nodes[l].size > 0 {
					nd = l
				} else {
					nd = x.nodes[nd].right
				}
			}
			return x.bucket(nd)[:w]
		}
		if x.slack(node.left) > x.slack(node.right) {
			st = append(st, node.right, node.left)
		} else {
			st = append(st, node.left, node.right)
		}
	}
	return nil
}

// slack is min_j (max_j − q_j) over node nd's box: the larger, the likelier
// the node holds a point covering q. It orders the search only (an
// overflow costs time, never correctness).
func (x *kdDyn) slack(nd int32) int64 {
	if x.nodes[nd].size == 0 {
		return math.MinInt64
	}
	mx := x.boxMax(nd)
	s := int64(math.MaxInt64)
	for j := 0; j < x.d; j++ {
		s = min(s, coord(mx, j)-coord(x.q, j))
	}
	return s
}

// add inserts q, which no point of the index covers (so it differs from
// all of them).
func (x *kdDyn) add(q []int64) {
	w := x.w
	x.load(q, 0)
	path := x.path[:0]
	nd := int32(0)
	for {
		path = append(path, nd)
		x.nodes[nd].size++
		x.grow(nd, x.q)
		node := &x.nodes[nd]
		if node.left < 0 {
			break
		}
		if coord(x.q, int(node.split)) < node.val {
			nd = node.left
		} else {
			nd = node.right
		}
	}
	x.path = path
	leaf := &x.nodes[nd]
	s := int(leaf.slot)*kdLeaf*w + int(leaf.size-1)*w
	copy(x.pool[s:s+w], x.q)
	// Rebuild the highest unbalanced node on the path, or split a full
	// leaf.
	for _, a := range path {
		node := &x.nodes[a]
		if node.left < 0 {
			if node.size == kdLeaf {
				x.rebuild(a)
			}
			return
		}
		sl, sr := x.nodes[node.left].size, x.nodes[node.right].size
		if float64(max(sl, sr)) > kdAlpha*float64(node.size)+kdLeaf {
			x.rebuild(a)
			return
		}
	}
}

// rebuild replaces the subtree at nd by a balanced one over its points.
func (x *kdDyn) rebuild(nd int32) {
	pts := x.gather(nd, x.tmp[:0])
	x.release(nd, true)
	x.build(nd, pts)
	x.tmp = pts[:0]
}

// gather appends the points of the subtree at nd to dst.
func (x *kdDyn) gather(nd int32, dst []blk) []blk {
	node := &x.nodes[nd]
	if node.left < 0 {
		return append(dst, x.bucket(nd)...)
	}
	dst = x.gather(node.left, dst)
	return x.gather(node.right, dst)
}

// release frees the nodes and buckets below nd, and nd's own bucket.
func (x *kdDyn) release(nd int32, root bool) {
	node := x.nodes[nd]
	if node.left < 0 {
		x.slots = append(x.slots, node.slot)
	} else {
		x.release(node.left, false)
		x.release(node.right, false)
	}
	if !root {
		x.free = append(x.free, nd)
	}
}

// build makes nd the root of a balanced subtree over pts (stride w),
// reordering pts. Leaves get at most half a bucket, leaving room to grow.
func (x *kdDyn) build(nd int32, pts []blk) {
	w := x.w
	cnt := len(pts) / w
	mx, mn := x.boxMax(nd), x.boxMin(nd)
	for i := range mx {
		mx[i] = blk{math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64}
		mn[i] = blk{math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64}
	}
	for i := 0; i < len(pts); i += w {
		x.grow(nd, pts[i:i+w])
	}
	split := -1
	var spread uint64
	for j := 0; j < x.d; j++ {
		if s := uint64(coord(mx, j)) - uint64(coord(mn, j)); s > spread {
			split, spread = j, s
		}
	}
	if cnt <= kdLeaf/2 || split < 0 {
		if cnt > kdLeaf {
			panic("pareto: kdDyn: more than a bucket of equal points")
		}
		s := x.newSlot()
		x.nodes[nd] = kdNode{size: int32(cnt), left: -1, right: -1, slot: s}
		copy(x.pool[int(s)*kdLeaf*w:], pts)
		return
	}
	selectNth(pts, w, cnt/2, split)
	val := coord(pts[cnt/2*w:], split)
	lo := partitionLess(pts, w, split, val)
	if lo == 0 {
		// val is the smallest value: split above it instead.
		next := int64(math.MaxInt64)
		for i := 0; i < cnt; i++ {
			if v := coord(pts[i*w:], split); v > val && v < next {
				next = v
			}
		}
		val = next
		lo = partitionLess(pts, w, split, val)
	}
	l, r := x.newNode(), x.newNode()
	x.nodes[nd] = kdNode{size: int32(cnt), left: l, right: r, split: int32(split), val: val}
	x.build(l, pts[:lo*w])
	x.build(r, pts[lo*w:])
}

// partitionLess moves the points (stride w) with coordinate j below val to
// the front and returns their number.
func partitionLess(pts []blk, w, j int, val int64) int {
	k := 0
	for i := 0; i < len(pts)/w; i++ {
		if coord(pts[i*w:], j) < val {
			swapRows(pts, w, i, k)
			k++
		}
	}
	return k
}

func swapRows(pts []blk, w, a, b int) {
	if a == b {
		return
	}
	for i := 0; i < w; i++ {
		pts[a*w+i], pts[b*w+i] = pts[b*w+i], pts[a*w+i]
	}
}

// selectNth partially orders the points of pts (stride w) by coordinate j
// so that point k holds the k-th smallest value.
func selectNth(pts []blk, w, k, j int) {
	at := func(i int) int64 { return coord(pts[i*w:], j) }
	lo, hi := 0, len(pts)/w-1
	for lo < hi {
		m := lo + (hi-lo)/2
		if at(m) < at(lo) {
			swapRows(pts, w, m, lo)
		}
		if at(hi) < at(lo) {
			swapRows(pts, w, hi, lo)
		}
		if at(hi) < at(m) {
			swapRows(pts, w, hi, m)
		}
		pivot := at(m)
		a, b := lo, hi
		for a <= b {
			for at(a) < pivot {
				a++
			}
			for at(b) > pivot {
				b--
			}
			if a <= b {
				swapRows(pts, w, a, b)
				a++
				b--
			}
		}
		switch {
		case k <= b:
			hi = b
		case k >= a:
			lo = a
		default:
			return
		}
	}
}
