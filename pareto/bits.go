package pareto

import (
	"math"
	"math/bits"
	"slices"
)

// bitLevels is the number of levels per coordinate of a bitIndex (a power
// of two: level is a branch-free binary search over that many thresholds).
const bitLevels = 64

// bitIndex is a domIndex for three or more dimensions and moderate numbers
// of points: bitsets over the points in insertion order.
//
// Each coordinate j has thresholds t_j[0] = −∞ ≤ t_j[1] ≤ … (chosen from a
// sample of the values to come, so that the levels split them evenly); a
// value's level is the largest b with t_j[b] ≤ v. For every coordinate j
// and level b the index keeps the bitset T_j[b] of the points whose level
// in j is at least b. Levels are monotone in the value, so a point p with
// p[j] >= q[j] for every j lies in the intersection of T_j[level_j(q[j])]:
// a query intersects d bitsets a word at a time and checks the few points
// it leaves exactly. A query costs d·size/64 word operations, which beats
// a tree's node visits up to tens of thousands of points; an insertion
// sets one bit per coordinate and level up to the point's.
type bitIndex struct {
	d   int
	thr [][bitLevels]int64 // per coordinate, ascending; thr[j][0] = math.MinInt64
	lt  []levelTable       // per coordinate
	// Point i is pts[i·stride+off : i·stride+off+d]. The index owns pts
	// (stride d, off 0) unless share made it the caller's.
	pts         []int64
	stride, off int
	shared      bool
	own         []int64  // the index's own buffer for pts
	n           int      // number of points
	cap         int      // words per bitset
	sets        []uint64 // T_j[b] at [(j·bitLevels + b)·cap, … + cap), but for the last word
	// pend holds word n/64 of every T_j[b] (at j·bitLevels + b), the one
	// points are being added to: an insertion sets up to bitLevels bits
	// per coordinate, which in sets lie a bitset apart each (a cache line
	// each) and here in one small block. The word goes to sets when it is
	// full.
	pend []uint64
	lv   []int   // the levels of the last query find saw
	lq   []int64 // that query
	lvOf int     // the number of points when find set lv, or -1
	last int     // index of the point that covered the last query, or -1
	col  []int64 // scratch of reset
}

// reset empties x for points of dimension d >= 3 whose values are
// distributed like the rows of sample (stride d), with room for about size
// points (it grows past that). It reuses x's memory.
func (x *bitIndex) reset(d int, sample []int64, size int) {
	x.d, x.n, x.last, x.lvOf = d, 0, -1, -1
	x.pend = slices.Grow(x.pend[:0], d*bitLevels)[:d*bitLevels]
	clear(x.pend)
	x.own, x.stride, x.off, x.shared = x.own[:0], d, 0, false
	x.pts = x.own
	x.thr = slices.Grow(x.thr[:0], d)[:d]
	x.lt = slices.Grow(x.lt[:0], d)[:d]
	x.lv = slices.Grow(x.lv[:0], d)[:d]
	rows := len(sample) / d
	x.col = slices.Grow(x.col[:0], rows)[:rows]
	for j := range d {
		for i := range rows {
			x.col[i] = sample[i*d+j]
		}
		slices.Sort(x.col)
		t := &x.thr[j]
		t[0] = math.MinInt64
		for b := 1; b < bitLevels; b++ {
			t[b] = math.MaxInt64
			if rows > 0 {
				t[b] = max(x.col[b*rows/bitLevels], t[b-1])
			}
		}
		x.setLevels(j, x.col)
	}
	c := max((size+63)/64, 1)
	if need := d * bitLevels * c; cap(x.sets) >= need {
		x.sets = x.sets[:need]
		clear(x.sets)
	} else {
		x.sets = make([]uint64, need)
	}
	x.cap = c
}

// resetLike empties x for points like y's, with y's levels, and room for
// about size points.
func (x *bitIndex) resetLike(y *bitIndex, size int) {
	x.reset(y.d, nil, size)
	copy(x.thr, y.thr)
	copy(x.lt, y.lt)
}

// levelTab is the number of value buckets of a levelTable.
const levelTab = 1024

// A levelTable gives levels in one lookup: the values lo..hi are cut into
// levelTab buckets of width 2^shift, and a value's level is the exact
// level of its bucket's lowest value (values below lo or above hi count
// as lo or hi). That is monotone in the value, which is all a bitIndex
// needs; where a bucket holds a threshold it is lower than the exact
// level, which only costs a few more points to check.
type levelTable struct {
	lo, hi int64
	shift  uint
	tab    [levelTab]uint8
}

// setLevels fills coordinate j's levelTable from its thresholds and the
// sorted sample values col.
func (x *bitIndex) setLevels(j int, col []int64) {
	lt := &x.lt[j]
	if len(col) == 0 {
		*lt = levelTable{} // every value has level 0
		return
	}
	lt.lo, lt.hi, lt.shift = col[0], col[len(col)-1], 0
	for (uint64(lt.hi)-uint64(lt.lo))>>lt.shift >= levelTab {
		lt.shift++
	}
	for u := range lt.tab {
		v := uint64(lt.lo) + uint64(u)<<lt.shift
		if v-uint64(lt.lo) > uint64(lt.hi)-uint64(lt.lo) {
			lt.tab[u] = lt.tab[u-1] // past hi: never looked up
			continue
		}
		lt.tab[u] = uint8(x.exactLevel(j, int64(v)))
	}
}

// level returns a level of value v in coordinate j (see levelTable).
func (x *bitIndex) level(j int, v int64) int {
	lt := &x.lt[j]
	v = min(max(v, lt.lo), lt.hi)
	return int(lt.tab[(uint64(v)-uint64(lt.lo))>>lt.shift])
}

// exactLevel returns the largest b with thr[j][b] <= v (a binary search;
// levelTable spares the queries it).
func (x *bitIndex) exactLevel(j int, v int64) int {
	t := &x.thr[j]
	b := 0
	for step := bitLevels / 2; step > 0; step /= 2 {
		if t[b+step] <= v {
			b += step
		}
	}
	return b
}

// grow makes room for at least size points.
func (x *bitIndex) grow(size int) {
	c := (size + 63) / 64
	if c <= x.cap {
		return
	}
	c = max(c, 2*x.cap)
	sets := make([]uint64, x.d*bitLevels*c)
	for s := 0; s < x.d*bitLevels; s++ {
		copy(sets[s*c:], x.sets[s*x.cap:s*x.cap+x.cap])
	}
	x.sets, x.cap = sets, c
}

// set returns T_j[b].
func (x *bitIndex) set(j, b int) []uint64 {
	o := (j*bitLevels + b) * x.cap
	return x.sets[o : o+x.cap]
}

func (x *bitIndex) add(q []int64) {
	if x.n == x.cap*64 {
		x.grow(x.n + 1)
	}
	w, bit := x.n/64, uint64(1)<<(x.n%64)
	if x.lvOf != x.n || !slices.Equal(x.lq, q) {
		for j, v := range q {
			x.lv[j] = x.level(j, v)
		}
	}
	for j := range q {
		p := x.pend[j*bitLevels : j*bitLevels+x.lv[j]+1]
		for b := range p {
			p[b] |= bit
		}
	}
	if !x.shared {
		x.pts = append(x.pts, q...)
		x.own = x.pts
	}
	x.n++
	if x.n%64 == 0 { // word w is full
		for s := range x.d * bitLevels {
			x.sets[s*x.cap+w] = x.pend[s]
		}
		clear(x.pend)
	}
}

// share makes the caller keep the points: before adding point i it sets
// x.pts to a slice whose rows of stride hold the points so far and the
// new one, the point's d coordinates at offset off of its row.
func (x *bitIndex) share(stride, off int) {
	x.stride, x.off, x.shared = stride, off, true
}

func (x *bitIndex) point(i int) []int64 {
	o := i*x.stride + x.off
	return x.pts[o : o+x.d]
}

func (x *bitIndex) cover(q, dst []int64) bool {
	if x.last >= 0 && geq(x.point(x.last), q) {
		copy(dst, x.point(x.last))
		return true
	}
	i := x.find(q)
	if i < 0 {
		return false
	}
	x.last = i
	copy(dst, x.point(i))
	return true
}

// find returns the index of a point covering q, or -1. The levels of q
// stay in x.lv for add.
func (x *bitIndex) find(q []int64) int {
	i := x.search(q, x.lv)
	x.lvOf = x.n
	x.lq = append(x.lq[:0], q...)
	return i
}

// search returns the index of a point covering q, or -1, with lv (of
// length d) for q's levels; it changes nothing else, so searches with
// their own lv may run concurrently. It scans from the newest points
// back: a dominated candidate tends to fall to a point just kept,
// lexicographically close to it.
func (x *bitIndex) search(q []int64, lv []int) int {
	for j, v := range q {
		lv[j] = x.level(j, v)
	}
	// The newest points first: those of the word being filled, in pend.
	words := x.n / 64
	if x.n%64 != 0 {
		m := x.pend[lv[0]] & x.pend[bitLevels+lv[1]] & x.pend[2*bitLevels+lv[2]]
		for j := 3; j < x.d && m != 0; j++ {
			m &= x.pend[j*bitLevels+lv[j]]
		}
		if i := x.check(words, m, q); i >= 0 {
			return i
		}
	}
	if words == 0 {
		return -1
	}
	s0 := x.set(0, lv[0])[:words]
	s1 := x.set(1, lv[1])[:words]
	s2 := x.set(2, lv[2])[:words]
	switch x.d {
	case 3:
		for w := words - 1; w >= 0; w-- {
			if i := x.check(w, s0[w]&s1[w]&s2[w], q); i >= 0 {
				return i
			}
		}
		return -1
	case 4:
		s3 := x.set(3, lv[3])[:words]
		for w := words - 1; w >= 0; w-- {
			if i := x.check(w, s0[w]&s1[w]&s2[w]&s3[w], q); i >= 0 {
				return i
			}
		}
		return -1
	}
	for w := words - 1; w >= 0; w-- {
		m := s0[w] & s1[w] & s2[w]
		for j := 3; j < x.d && m != 0; j++ {
			m &= x.sets[(j*bitLevels+lv[j])*x.cap+w]
		}
		if i := x.check(w, m, q); i >= 0 {
			return i
		}
	}
	return -1
}

// check returns the first point of word w whose bit is set in m and that
// covers q, or -1.
func (x *bitIndex) check(w int, m uint64, q []int64) int {
	for ; m != 0; m &= m - 1 {
		if i := w*64 + bits.TrailingZeros64(m); geq(x.point(i), q) {
			return i
		}
	}
	return -1
}
