// Package bargain computes the classic bargaining solutions — Nash,
// Kalai–Smorodinsky, utilitarian (maximum welfare) and egalitarian — over a
// set of utility vectors, usually the Pareto frontier of the zone of
// agreement. It is pure: vectors in, chosen index out.
//
// All comparisons are exact: utilities are parley fixed-point integers and
// products and ratios are compared with math/big, so the result does not
// depend on floating-point rounding or on the order of the input. Ties are
// broken by higher welfare (sum of utilities), then by the lexicographically
// larger vector, then by the lower index.
//
// Each solution is the optimum over the whole set that the points represent
// as long as the points include that set's Pareto frontier: every criterion
// here is monotone in each utility, so some Pareto-optimal vector attains
// the optimum. The property tests check this against all outcomes.
package bargain

import (
	"math/big"
)

// Nash returns the index of the point that maximises the product of gains
// Π(u_i − d_i) among points where every gain is strictly positive, or −1 if
// there is none.
func Nash(pts [][]int64, d []int64) int {
	best := -1
	var bestProd *big.Int
	prod, g := new(big.Int), new(big.Int)
	for k, u := range pts {
		if !allGain(u, d) {
			continue
		}
		prod.SetInt64(1)
		for i := range u {
			prod.Mul(prod, g.SetInt64(u[i]-d[i]))
		}
		if best < 0 || prod.Cmp(bestProd) > 0 || (prod.Cmp(bestProd) == 0 && better(u, pts[best])) {
			best = k
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
// the minimum.
func KalaiSmorodinsky(pts [][]int64, d []int64) int {
	ideal := Ideal(pts, d)
	if ideal == nil {
		return -1
	}
	best := -1
	var bn, bd int64 // best ratio bn/bd
	for k, u := range pts {
		if !allGain(u, d) {
			continue
		}
		// the smallest ratio of this point
		n, dn := int64(1), int64(1) // start at ratio 1 (the largest possible)
		for i := range u {
			den := ideal[i] - d[i]
			if den <= 0 {
				continue
			}
			if less(u[i]-d[i], den, n, dn) {
				n, dn = u[i]-d[i], den
			}
		}
		if best < 0 {
			best, bn, bd = k, n, dn
			continue
		}
		c := cmpRatio(n, dn, bn, bd)
		if c > 0 || (c == 0 && better(u, pts[best])) {
			best, bn, bd = k, n, dn
		}
	}
	return best
}

// MaxWelfare returns the index of the point with the largest sum of
// utilities (the utilitarian point), or −1 for an empty set.
func MaxWelfare(pts [][]int64) int {
	best := -1
	for k, u := range pts {
		if best < 0 || better(u, pts[best]) {
			best = k
		}
	}
	return best
}

// Egalitarian returns the index of the point that maximises the smallest
// gain min_i (u_i − d_i) among points with every gain strictly positive, or
// −1 if there is none.
func Egalitarian(pts [][]int64, d []int64) int {
	best := -1
	var bestMin int64
	for k, u := range pts {
		if !allGain(u, d) {
			continue
		}
		m := u[0] - d[0]
		for i := 1; i < len(u); i++ {
			if g := u[i] - d[i]; g < m {
				m = g
			}
		}
		if best < 0 || m > bestMin || (m == bestMin && better(u, pts[best])) {
			best, bestMin = k, m
		}
	}
	return best
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

// better is the tie-break order: higher sum, then lexicographically larger.
func better(a, b []int64) bool {
	var sa, sb int64
	for i := range a {
		sa += a[i]
		sb += b[i]
	}
	if sa != sb {
		return sa > sb
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// less reports whether a/b < c/d for positive denominators.
func less(a, b, c, d int64) bool { return cmpRatio(a, b, c, d) < 0 }

// cmpRatio compares a/b with c/d (b, d > 0) exactly.
func cmpRatio(a, b, c, d int64) int {
	x := new(big.Int).Mul(big.NewInt(a), big.NewInt(d))
	y := new(big.Int).Mul(big.NewInt(c), big.NewInt(b))
	return x.Cmp(y)
}
