// Package bargain computes the classic bargaining solutions — Nash,
// Kalai–Smorodinsky, utilitarian (maximum welfare) and egalitarian — over a
// set of utility vectors, usually the Pareto frontier of the zone of
// agreement. It is pure: vectors in, chosen index out.
//
// Utilities are fixed-point integers with a scale per party: party i's
// utility is u[i]/scale[i] (parley.UtilityFn.Unit; a nil scale means every
// party has the same one). All comparisons are exact, whatever the scales
// and magnitudes: products and sums are taken in math/big or 128-bit
// integers, ratios are compared by cross-multiplication, so the result does
// not depend on floating-point rounding, on int64 overflow or on the order
// of the input. The Nash product and the Kalai–Smorodinsky ratios do not
// depend on the scales at all; the utilitarian sum and the egalitarian
// minimum compare utilities across parties, and do. Ties are broken by
// higher welfare (sum of utilities), then by the lexicographically larger
// vector, then by the lower index.
//
// Each solution is the optimum over the whole set that the points represent
// as long as the points include that set's Pareto frontier: every criterion
// here is monotone in each utility, so some Pareto-optimal vector attains
// the optimum. The property tests check this against all outcomes.
package bargain

import (
	"math/big"
	"math/bits"
)

// Nash returns the index of the point that maximises the product of gains
// Π(u_i − d_i) among points where every gain is strictly positive, or −1 if
// there is none. scale gives each party's fixed-point scale (nil: equal).
//
// The products are compared exactly in math/big, but only for the points
// whose product in floats comes close to the best's: a float product of n
// gains is within a relative error of about 2n·2^-53 of the true one, so
// one that falls below the best's by more than twice that bound cannot be
// the best, and is skipped.
func Nash(pts [][]int64, d []int64, scale []int64) int {
	w := newWelfare(scale)
	best := -1
	var bestProd *big.Int
	var bestF float64 // bestProd in floats
	// eps bounds the relative error of a float product, with a margin.
	eps := float64(2*len(d)+2) * 0x1p-52
	prod, g := new(big.Int), new(big.Int)
	for k, u := range pts {
		if !allGain(u, d) {
			continue
		}
		f := 1.0 // gains are ≥ 1: no underflow; an overflow is +Inf and never skips
		for i := range u {
			f *= float64(gain(u[i], d[i]))
		}
		if best >= 0 && f*(1+eps) < bestF*(1-eps) {
			continue
		}
		prod.SetInt64(1)
		for i := range u {
			prod.Mul(prod, g.SetUint64(gain(u[i], d[i])))
		}
		if best < 0 || prod.Cmp(bestProd) > 0 || (prod.Cmp(bestProd) == 0 && w.better(u, pts[best])) {
			best, bestF = k, f
			bestProd = new(big.Int).Set(prod)
		}
	}
	return best
}

// KalaiSmorodinsky returns the index of the point that maximises the
// smallest normalised gain min_i (u_i − d_i)/(I_i − d_i), where I is the
// ideal point (each party's best utility over pts with all gains positive).
// Only points with every gain strictly positive count; −1 if there is none.
// A party whose ideal equals its reservation cannot gain and is left out of
// the minimum. scale gives each party's fixed-point scale (nil: equal).
func KalaiSmorodinsky(pts [][]int64, d []int64, scale []int64) int {
	ideal := Ideal(pts, d)
	if ideal == nil {
		return -1
	}
	return maxMin(pts, d, newWelfare(scale), func(i int) uint64 {
		if ideal[i] <= d[i] {
			return 0
		}
		return gain(ideal[i], d[i])
	})
}

// maxMin returns the index of the point, among those with every gain
// strictly positive, whose smallest ratio gain_i/den(i) is the largest
// (ties by w.better), or −1. Parties with den(i) = 0 are left out; a point
// with every party left out has ratio 1.
func maxMin(pts [][]int64, d []int64, w *welfare, den func(i int) uint64) int {
	best := -1
	var bn, bd uint64 // best ratio bn/bd
	for k, u := range pts {
		if !allGain(u, d) {
			continue
		}
		n, dn := uint64(1), uint64(0) // no ratio yet
		for i := range u {
			di := den(i)
			if di == 0 {
				continue
			}
			if g := gain(u[i], d[i]); dn == 0 || cmpRatio(g, di, n, dn) < 0 {
				n, dn = g, di
			}
		}
		if dn == 0 {
			n, dn = 1, 1
		}
		if best < 0 {
			best, bn, bd = k, n, dn
			continue
		}
		c := cmpRatio(n, dn, bn, bd)
		if c > 0 || (c == 0 && w.better(u, pts[best])) {
			best, bn, bd = k, n, dn
		}
	}
	return best
}

// MaxWelfare returns the index of the point with the largest sum of
// utilities Σ u_i/scale_i (the utilitarian point), or −1 for an empty set.
func MaxWelfare(pts [][]int64, scale []int64) int {
	w := newWelfare(scale)
	best := -1
	for k, u := range pts {
		if best < 0 || w.better(u, pts[best]) {
			best = k
		}
	}
	return best
}

// Egalitarian returns the index of the point that maximises the smallest
// gain min_i (u_i − d_i)/scale_i among points with every gain strictly
// positive, or −1 if there is none.
func Egalitarian(pts [][]int64, d []int64, scale []int64) int {
	return maxMin(pts, d, newWelfare(scale), func(i int) uint64 {
		if scale == nil {
			return 1
		}
		return uint64(scale[i])
	})
}

// Ideal returns each party's best utility over the points with every gain
// strictly positive, or nil if there is none.
func Ideal(pts [][]int64, d []int64) []int64 {
	var ideal []int64
	for _, u := range pts {
		if !allGain(u, d) {
			continue
		}
		if ideal == nil {
			ideal = append([]int64(nil), u...)
			continue
		}
		for i := range u {
			if u[i] > ideal[i] {
				ideal[i] = u[i]
			}
		}
	}
	return ideal
}

func allGain(u, d []int64) bool {
	for i := range u {
		if u[i] <= d[i] {
			return false
		}
	}
	return true
}

// gain returns u − d for u > d, exactly (it may exceed MaxInt64).
func gain(u, d int64) uint64 { return uint64(u) - uint64(d) }

// cmpRatio compares a/b with c/d for positive denominators, exactly.
func cmpRatio(a, b, c, d uint64) int {
	h1, l1 := bits.Mul64(a, d)
	h2, l2 := bits.Mul64(c, b)
	switch {
	case h1 != h2:
		return cmpU(h1, h2)
	}
	return cmpU(l1, l2)
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// welfare compares sums of utilities Σ u_i/scale_i exactly.
type welfare struct {
	mult   []*big.Int // lcm(scales)/scale_i; nil when the scales are equal
	sa, sb *big.Int
	t      *big.Int
}

func newWelfare(scale []int64) *welfare {
	w := &welfare{}
	equal := true
	for i := range scale {
		if scale[i] <= 0 {
			panic("bargain: scales must be positive")
		}
		equal = equal && scale[i] == scale[0]
	}
	if equal {
		return w
	}
	l := big.NewInt(1)
	g := new(big.Int)
	for _, s := range scale {
		bs := big.NewInt(s)
		g.GCD(nil, nil, l, bs)
		l.Mul(l, bs.Quo(bs, g))
	}
	for _, s := range scale {
		w.mult = append(w.mult, new(big.Int).Quo(l, big.NewInt(s)))
	}
	w.sa, w.sb, w.t = new(big.Int), new(big.Int), new(big.Int)
	return w
}

// cmp compares the welfare of a and b.
func (w *welfare) cmp(a, b []int64) int {
	if w.mult == nil {
		return cmp128(sum128(a), sum128(b))
	}
	w.sa.SetInt64(0)
	w.sb.SetInt64(0)
	for i := range a {
		w.sa.Add(w.sa, w.t.Mul(w.mult[i], w.t.SetInt64(a[i])))
		w.sb.Add(w.sb, w.t.Mul(w.mult[i], w.t.SetInt64(b[i])))
	}
	return w.sa.Cmp(w.sb)
}

// better is the tie-break order: higher welfare, then lexicographically
// larger.
func (w *welfare) better(a, b []int64) bool {
	if c := w.cmp(a, b); c != 0 {
		return c > 0
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// int128 is a signed 128-bit integer, hi:lo in two's complement.
type int128 struct {
	hi int64
	lo uint64
}

// sum128 returns Σ xs exactly.
func sum128(xs []int64) int128 {
	var s int128
	for _, x := range xs {
		lo, carry := bits.Add64(s.lo, uint64(x), 0)
		s.lo = lo
		s.hi += int64(carry) + (x >> 63) // x >> 63 sign-extends x
	}
	return s
}

func cmp128(a, b int128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	}
	return cmpU(a.lo, b.lo)
}
