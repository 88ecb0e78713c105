package pareto

import (
	"math"
	"slices"
)

// A domIndex holds a growing set of points of dimension d (the coordinates
// 1..n-1 of kept frontier vectors) and answers "is some point at least as
// large as q in every coordinate?". The lexicographic sweeps of this
// package ask it about every candidate and add the ones that survive: a
// candidate can only be dominated by an earlier one, so the index only
// ever grows.
type domIndex interface {
	// cover reports whether some point p of the index has p[j] >= q[j]
	// for every j; if so and dst is not nil, it copies p to dst.
	cover(q, dst []int64) bool
	// add inserts q, which cover has just rejected (so no point of the
	// index covers it, and it differs from all of them).
	add(q []int64)
}

// newDomIndex returns an empty index for points of dimension d.
func newDomIndex(d int) domIndex {
	switch d {
	case 0:
		return &any0{}
	case 1:
		return &max1{best: math.MinInt64}
	case 2:
		return &stair2{}
	}
	return newKDDyn(d)
}

// any0 is the zero-dimensional index: any point covers every query.
type any0 struct{ some bool }

func (x *any0) cover(_, _ []int64) bool { return x.some }
func (x *any0) add([]int64)             { x.some = true }

// max1 is the one-dimensional index: the largest value.
type max1 struct {
	best int64
	some bool
}

func (x *max1) cover(q, dst []int64) bool {
	if !x.some || x.best < q[0] {
		return false
	}
	if dst != nil {
		dst[0] = x.best
	}
	return true
}

func (x *max1) add(q []int64) { x.best, x.some = max(x.best, q[0]), true }

// stair2 is the two-dimensional index: the staircase of the points that no
// other covers, sorted by the first coordinate ascending, so the second is
// strictly descending. The first point whose first coordinate is at least
// q[0] has the largest second coordinate of all such points, so a query is
// one binary search; an insertion replaces the run of points it covers.
// The staircase is kept in chunks of at most stairChunk points, so an
// insertion moves O(stairChunk) values wherever it lands.
type stair2 struct {
	chunks []stairChunkT
}

const stairChunk = 512

type stairChunkT struct {
	a, b []int64
}

// find returns the chunk and position of the first point with a >= v
// (c == len(chunks) when there is none).
func (x *stair2) find(v int64) (c, i int) {
	c = sort2(x.chunks, v)
	if c == len(x.chunks) {
		return c, 0
	}
	i, _ = slices.BinarySearch(x.chunks[c].a, v)
	return c, i
}

// sort2 returns the first chunk whose last point has a >= v.
func sort2(cs []stairChunkT, v int64) int {
	lo, hi := 0, len(cs)
	for lo < hi {
		m := (lo + hi) / 2
		if a := cs[m].a; a[len(a)-1] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (x *stair2) cover(q, dst []int64) bool {
	c, i := x.find(q[0])
	if c == len(x.chunks) || x.chunks[c].b[i] < q[1] {
		return false
	}
	if dst != nil {
		dst[0], dst[1] = x.chunks[c].a[i], x.chunks[c].b[i]
	}
	return true
}

func (x *stair2) add(q []int64) {
	// The points with a <= q[0] come before position (c, i) (the point at
	// (c, i) itself too if its a equals q[0]); those among them with
	// b <= q[1] are covered by q and, b descending, form the run just
	// before. Remove the run, then insert q where it was.
	c, i := x.find(q[0])
	if c < len(x.chunks) && x.chunks[c].a[i] == q[0] {
		i++ // covered by q: q is not covered, so its b is smaller
	}
	if c == len(x.chunks) {
		if c == 0 {
			x.chunks = append(x.chunks, stairChunkT{})
		} else {
			c--
			i = len(x.chunks[c].a)
		}
	}
	for {
		ch := &x.chunks[c]
		lo := i
		for lo > 0 && ch.b[lo-1] <= q[1] {
			lo--
		}
		if lo > 0 || c == 0 || x.chunks[c-1].b[len(x.chunks[c-1].b)-1] > q[1] {
			ch.a = slices.Replace(ch.a, lo, i, q[0])
			ch.b = slices.Replace(ch.b, lo, i, q[1])
			x.split(c)
			return
		}
		// The whole prefix of this chunk is covered, and the run goes on
		// into the previous chunk: drop the prefix and continue there.
		ch.a = slices.Delete(ch.a, 0, i)
		ch.b = slices.Delete(ch.b, 0, i)
		if len(ch.a) == 0 {
			x.chunks = slices.Delete(x.chunks, c, c+1)
		}
		c--
		i = len(x.chunks[c].a)
	}
}

// split halves chunk c when it is over size.
func (x *stair2) split(c int) {
	ch := x.chunks[c]
	if len(ch.a) <= stairChunk {
		return
	}
	h := len(ch.a) / 2
	right := stairChunkT{a: slices.Clone(ch.a[h:]), b: slices.Clone(ch.b[h:])}
	x.chunks[c].a, x.chunks[c].b = ch.a[:h:h], ch.b[:h:h]
	x.chunks = slices.Insert(x.chunks, c+1, right)
}
