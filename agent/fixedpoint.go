package agent

import (
	"math"
	"math/bits"
)

// mulFrac returns q·f rounded to the nearest integer (halves away from
// zero), for f in [0, 1], exactly: q is never converted to a float, so
// mulFrac(q, 1) is q however large q is (a float64 holds integers exactly
// only up to 2^53; fixed-point utilities reach 2^61).
func mulFrac(q int64, f float64) int64 {
	switch {
	case !(f > 0) || q == 0:
		return 0
	case f >= 1:
		return q
	}
	a := uint64(q)
	if q < 0 {
		a = -a
	}
	frac, exp := math.Frexp(f)    // f = frac·2^exp, frac in [½, 1), exp ≤ 0
	m := uint64(frac * (1 << 53)) // exact: frac has 53 bits
	hi, lo := bits.Mul64(a, m)    // a·m, below 2^117
	shift := uint(53 - exp)       // q·f = a·m / 2^shift, shift ≥ 53
	var r uint64                  // a·m >> shift, rounded half up
	if shift < 128 {
		var hh, hl uint64 // half a unit of the result: 2^(shift−1)
		if shift-1 < 64 {
			hl = 1 << (shift - 1)
		} else {
			hh = 1 << (shift - 65)
		}
		var c uint64
		lo, c = bits.Add64(lo, hl, 0)
		hi, _ = bits.Add64(hi, hh, c)
		if shift < 64 {
			r = hi<<(64-shift) | lo>>shift
		} else {
			r = hi >> (shift - 64)
		}
	}
	if q < 0 {
		return -int64(r)
	}
	return int64(r)
}
