// Package fixed sums fixed-point values (multiples of 1/parley.Quantum)
// exactly, in 128 bits, so that a mean does not depend on the order in
// which values were added (which, with several workers, it otherwise
// would).
package fixed

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/parleyhq/parley"
)

// Sum is an exact sum of fixed-point values; the zero value is 0.
type Sum struct {
	hi, lo uint64 // two's complement 128-bit sum
}

// Add adds x, rounded to the fixed-point grid (parley.Q).
func (s *Sum) Add(x float64) { s.AddQ(parley.Q(x)) }

// AddQ adds the fixed-point value q.
func (s *Sum) AddQ(q int64) {
	var ext uint64
	if q < 0 {
		ext = math.MaxUint64
	}
	var c uint64
	s.lo, c = bits.Add64(s.lo, uint64(q), 0)
	s.hi, _ = bits.Add64(s.hi, ext, c)
}

// Merge adds another sum.
func (s *Sum) Merge(o Sum) {
	var c uint64
	s.lo, c = bits.Add64(s.lo, o.lo, 0)
	s.hi, _ = bits.Add64(s.hi, o.hi, c)
}

// Int returns the sum in units of 1/parley.Quantum.
func (s *Sum) Int() *big.Int {
	v := new(big.Int).SetUint64(s.hi)
	v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(s.lo))
	if s.hi>>63 == 1 { // negative
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return v
}

// Per returns the sum, read as plain integers, divided by n, rounded to a
// float64 (for sums of counts added with AddQ); NaN when n is 0.
func (s *Sum) Per(n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	f, _ := new(big.Rat).SetFrac(s.Int(), big.NewInt(n)).Float64()
	return f
}

// Mean returns the mean of n values, without the grid's noise: the
// shortest decimal within half a quantum of the exact mean of the summed
// (grid) values — the mean of 0.1 and 0.2 is 0.15, not 0.150000000001,
// since each value is within half a quantum of the number it was added as;
// NaN when n is 0.
func (s *Sum) Mean(n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	mean := new(big.Rat).SetFrac(s.Int(), new(big.Int).Mul(big.NewInt(n), big.NewInt(parley.Quantum)))
	half := big.NewRat(1, 2*parley.Quantum)
	lo, hi := new(big.Rat).Sub(mean, half), new(big.Rat).Add(mean, half)
	m, _ := mean.Float64()
	for p := 1; p <= 17; p++ {
		str := strconv.FormatFloat(m, 'e', p-1, 64)
		d, ok := new(big.Rat).SetString(str)
		if ok && d.Cmp(lo) > 0 && d.Cmp(hi) < 0 {
			f, _ := strconv.ParseFloat(str, 64)
			return f
		}
	}
	return m
}
