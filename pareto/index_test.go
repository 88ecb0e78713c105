package pareto

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// coverRef reports whether some point of pts (stride d) is at least q in
// every coordinate.
func coverRef(pts []int64, d int, q []int64) bool {
	for i := 0; i+d <= len(pts); i += d {
		if geq(pts[i:i+d], q) {
			return true
		}
	}
	return false
}

// checkIndex feeds the points (stride d) to x as the sweeps do (cover,
// then add what is not covered) and compares every answer with coverRef.
func checkIndex(t *testing.T, name string, x domIndex, pts []int64, d int) {
	t.Helper()
	var in []int64
	dst := make([]int64, d)
	for i := 0; i+d <= len(pts); i += d {
		q := pts[i : i+d]
		want := coverRef(in, d, q)
		if got := x.cover(q, dst); got != want {
			t.Fatalf("%s: cover(%v) = %v, want %v (after %d points)", name, q, got, want, len(in)/d)
		} else if got && (!geq(dst, q) || !coverRef(in, d, dst) || !contains(in, d, dst)) {
			t.Fatalf("%s: cover(%v) names %v, not a covering point of the index", name, q, dst)
		}
		if !want {
			x.add(q)
			in = append(in, q...)
		}
	}
}

func contains(pts []int64, d int, p []int64) bool {
	for i := 0; i+d <= len(pts); i += d {
		if equal(pts[i:i+d], p) {
			return true
		}
	}
	return false
}

// TestDomIndexes checks every dominance index against the brute-force
// answer: dimensions 1 to 7, few distinct values (many ties and equal
// points) or wide ones, points in random order and in the sweeps' order
// (lexicographically descending), and bitIndex with samples that match
// the points, miss them or are empty (levels only ever cost time).
func TestDomIndexes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 200 {
		d := 1 + trial%7
		size := 1 + r.IntN(400)
		spread := []int64{2, 3, 5, 40, 1 << 40}[r.IntN(5)]
		pts := make([]int64, size*d)
		for i := range pts {
			pts[i] = r.Int64N(spread) - spread/2
			if spread > 100 && r.IntN(20) == 0 {
				pts[i] = []int64{math.MinInt64 / 4, math.MaxInt64 / 4, 0}[r.IntN(3)]
			}
		}
		if trial%2 == 1 {
			// Sweep order: descending by sum, a topological order of
			// dominance like the sweeps' lexicographic one.
			sortRowsBySum(pts, d)
		}
		name := fmt.Sprintf("trial %d d=%d", trial, d)
		checkIndex(t, name+" newDomIndex", newDomIndex(d), pts, d)
		if d < 3 {
			continue
		}
		for s, sample := range [][]int64{pts, make([]int64, 64*d), nil, pts[:min(len(pts), 5*d)]} {
			var x bitIndex
			x.reset(d, sample, r.IntN(2*size+1))
			checkIndex(t, fmt.Sprintf("%s bitIndex sample %d", name, s), &x, pts, d)
			// A reused index answers as a fresh one.
			x.reset(d, sample, 0)
			checkIndex(t, fmt.Sprintf("%s bitIndex reused, sample %d", name, s), &x, pts, d)
		}
		// Points added without a query first, queried afterwards.
		var x bitIndex
		x.reset(d, pts, size)
		x.cover(pts[:d], make([]int64, d)) // the levels of another point
		half := pts[:len(pts)/2/d*d]
		for i := len(half) - d; i >= 0; i -= d {
			x.add(half[i : i+d])
		}
		dst := make([]int64, d)
		for i := 0; i+d <= len(pts); i += d {
			q := pts[i : i+d]
			if got, want := x.cover(q, dst), coverRef(half, d, q); got != want {
				t.Fatalf("%s: bitIndex filled without queries: cover(%v) = %v, want %v", name, q, got, want)
			}
		}
	}
}

func sortRowsBySum(pts []int64, d int) {
	n := len(pts) / d
	rows := make([][]int64, n)
	for i := range rows {
		rows[i] = append([]int64(nil), pts[i*d:i*d+d]...)
	}
	sum := func(p []int64) (s float64) {
		for _, v := range p {
			s += float64(v)
		}
		return s
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && sum(rows[j]) > sum(rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	for i, row := range rows {
		copy(pts[i*d:], row)
	}
}
