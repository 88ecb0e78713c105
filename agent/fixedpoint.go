package agent

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/parleyhq/parley"
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

// fixedOf converts x, a number given in utility units (a parameter, an
// instruction's delta), to u's fixed point. For an exact function it takes
// x as the decimal it is written as (0.1 is one tenth) and rounds x·Scale
// once, so a shift of 0.1 moves a utility of 0.5 to 0.6 exactly; a
// rounded function uses u.Q.
func fixedOf(u *parley.UtilityFn, x float64) int64 {
	if !u.Exact || x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return u.Q(x)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		return u.Q(x)
	}
	r.Mul(r, new(big.Rat).SetInt64(u.Unit()))
	// Round half away from zero: (2·num + den·sign) / (2·den), truncated.
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	num.Lsh(num, 1)
	d2 := new(big.Int).Lsh(den, 1)
	if num.Sign() < 0 {
		num.Sub(num, den)
	} else {
		num.Add(num, den)
	}
	num.Quo(num, d2)
	switch {
	case num.Cmp(big.NewInt(parley.MaxFixed)) > 0:
		return parley.MaxFixed
	case num.Cmp(big.NewInt(-parley.MaxFixed)) < 0:
		return -parley.MaxFixed
	}
	return num.Int64()
}
