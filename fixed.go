package parley

import (
	"math"
	"math/bits"
	"strconv"
)

// Fixed point
//
// A compiled utility is an integer q that stands for the utility q/Scale,
// where Scale belongs to the utility function (UtilityFn.Scale): every
// party and every principal has its own. Compile chooses each Scale from
// the numbers of the scenario, read as the decimals they were written as
// (0.1 is one tenth, not the float64 nearest to it):
//
//   - Exact: when a common denominator L of every contribution (issue
//     weight × option value / sum of weights, constraint utility / scale)
//     and of the reservation value exists with L·M ≤ MaxFixed, where M is
//     the largest utility the function can reach, Scale is a multiple of L
//     (L·2^j, at least 2^40 where the headroom allows, so that conversions
//     from floats keep a fine resolution). Every value is then an exact
//     integer: equal rational utilities are equal integers, and sums,
//     differences and comparisons are exact.
//   - Rounded: otherwise (decimals too long for a common denominator within
//     64 bits, as in files that write weights with 17 digits), Scale is
//     2^k with k = min(40, the largest k with M·2^k ≤ MaxFixed), and each
//     contribution is rounded to the nearest multiple of 2^-k. Sums of
//     rounded contributions may split or merge ties closer than a few
//     quanta; UtilityFn.Exact is false and the analysis says so.
//
// Utilities beyond ±MaxUtility (about 2.3·10^18) cannot be held at all and
// are refused by Compile with the position of the number responsible.

// Quantum is the scale of the default 2^-40 grid: a UtilityFn with Scale 0
// (built by hand rather than by Compile) uses it, and Q and F convert to and
// from it.
const Quantum = 1 << 40

// MaxFixed bounds the absolute value of every compiled fixed-point number:
// a utility function's largest reachable value (the sum over issues of each
// issue's largest contribution, plus every rectangle) and its reservation
// value. With this headroom, the sum or difference of any two compiled
// utilities fits in an int64.
const MaxFixed = 1 << 61

// MaxUtility is the largest absolute utility a model can hold (at Scale 1):
// 2^61 ≈ 2.3·10^18.
const MaxUtility = MaxFixed

// Q converts a utility to the default 2^-40 grid.
func Q(u float64) int64 { return int64(math.Round(u * Quantum)) }

// F converts a value of the default 2^-40 grid to a float (q/2^40, with no
// rounding of the noise). Compiled functions have their own scale: use
// UtilityFn.F.
func F(q int64) float64 { return float64(q) / Quantum }

// Unit returns the function's scale: q stands for the utility q/Unit().
// It is Scale, or Quantum when Scale is 0.
func (u *UtilityFn) Unit() int64 {
	if u.Scale > 0 {
		return u.Scale
	}
	return Quantum
}

// F converts a fixed-point value of u (a utility, a reservation value, a
// difference of two) to a float without fixed-point noise: for an exact
// function, the float nearest to q/Scale; for a rounded one, the float of
// the shortest decimal that rounds to q on its grid (so 0.55, stored as the
// nearest multiple of 2^-40, reads back as 0.55, not 0.5500000000001819).
// Every JSON and CSV number parley writes goes through it.
func (u *UtilityFn) F(q int64) float64 {
	s := u.Unit()
	if !u.Exact && s&(s-1) == 0 {
		return shortestOnGrid(q, s)
	}
	return ratFloat(q, s)
}

// Q converts a utility to u's fixed point: the nearest multiple of
// 1/Unit(), clamped to ±MaxFixed (NaN gives 0).
func (u *UtilityFn) Q(x float64) int64 { return clampFixed(math.Round(x * float64(u.Unit()))) }

// ratFloat returns the float64 nearest to q/s (s > 0), ties to even.
func ratFloat(q, s int64) float64 {
	if q >= -1<<53 && q <= 1<<53 && s <= 1<<53 {
		return float64(q) / float64(s) // both exact: one correctly rounded division
	}
	if q == 0 {
		return 0
	}
	a, b := uint64(q), uint64(s)
	if q < 0 {
		a = -a
	}
	// A 64-bit quotient a·2^k/b in [2^63, 2^64) plus a sticky bit for the
	// remainder rounds to 53 bits exactly as the real quotient would.
	k := 63 + bits.Len64(b) - bits.Len64(a)
	quo, rem := shiftDiv(a, k, b)
	if quo < 1<<63 {
		k++
		quo, rem = shiftDiv(a, k, b)
	}
	if rem != 0 {
		quo |= 1
	}
	f := math.Ldexp(float64(quo), -k)
	if q < 0 {
		return -f
	}
	return f
}

// shiftDiv returns (a·2^k)/b and its remainder, for 0 ≤ k < 128 and a
// quotient below 2^64.
func shiftDiv(a uint64, k int, b uint64) (quo, rem uint64) {
	var hi, lo uint64
	switch {
	case k >= 64:
		hi = a << (k - 64)
	case k > 0:
		hi, lo = a>>(64-k), a<<k
	default:
		lo = a
	}
	return bits.Div64(hi, lo, b)
}

// shortestOnGrid returns the float of the shortest decimal x that rounds to
// q on the grid of step 1/s (s a power of two): round(x·s) = q.
//
// q stands for the reals of [(q−½)/s, (q+½)/s]; for p = 1, 2, … it looks
// for a decimal of p significant digits inside, in integers: the smallest
// n with n·10^-t above the lower end, t = p−1−e for x's decimal exponent e.
func shortestOnGrid(q, s int64) float64 {
	x0 := ratFloat(q, s)
	if q == 0 || q < -1<<52 || q > 1<<52 {
		return x0 // beyond 2^52 the grid is finer than a float
	}
	fs, fq := float64(s), float64(q)
	ok := func(x float64) bool { return math.Round(x*fs) == fq } // x·s is exact: s is a power of two
	neg := q < 0
	aq := absU(q)
	m := uint(bits.TrailingZeros64(uint64(s))) + 1
	lo, hi := 2*aq-1, 2*aq+1 // the ends, over 2^m
	e := decimalExponent(math.Abs(x0))
	ax := math.Abs(x0)
	// A decimal within a few ulps outside the interval may still read as
	// a float that rounds to q: such near misses are tried too.
	near := 0.5/fs + 4*(math.Nextafter(ax, math.Inf(1))-ax)
	var buf [40]byte
	try := func(n uint64, t int) (float64, bool) {
		x, exact := decimalFloat(n, t)
		if !exact {
			b := strconv.AppendUint(buf[:0], n, 10)
			b = append(b, 'e')
			b = strconv.AppendInt(b, int64(-t), 10)
			var err error
			if x, err = strconv.ParseFloat(string(b), 64); err != nil {
				return x, false
			}
		}
		if neg {
			x = -x
		}
		return x, ok(x)
	}
	for p := 1; p <= 17; p++ {
		t := p - 1 - e
		n, in, done := decimalAbove(lo, hi, m, t)
		if !done {
			break // out of the integer method's range: the float scan below
		}
		scale := math.Pow10(-t)
		if n > 1 && ax-float64(n-1)*scale < near {
			if x, good := try(n-1, t); good {
				return x
			}
		}
		if in || float64(n)*scale-ax < near {
			if x, good := try(n, t); good {
				return x
			}
		}
	}
	// The general case: the decimal of p significant digits nearest to x0,
	// for growing p, until one rounds to q. (The test is not monotone in
	// p near the ends of q's interval, so no binary search.)
	for p := 1; p < 17; p++ {
		b := strconv.AppendFloat(buf[:0], x0, 'e', p-1, 64)
		if x, err := strconv.ParseFloat(string(b), 64); err == nil && ok(x) {
			return x
		}
	}
	return x0
}

// decimalFloat returns the float nearest to n·10^-t when one rounding
// gives it (Clinger's fast path: n and 10^|t| are exact floats for
// n ≤ 2^53 and |t| ≤ 22, and one correctly rounded division or product is
// the nearest float); exact is false otherwise, and the caller parses.
func decimalFloat(n uint64, t int) (x float64, exact bool) {
	if n > 1<<53 || t < -22 || t > 22 {
		return 0, false
	}
	if t >= 0 {
		return float64(n) / math.Pow10(t), true
	}
	return float64(n) * math.Pow10(-t), true
}

// decimalExponent returns e with 10^e ≤ x < 10^(e+1), for x > 0, as the
// exponent of x's shortest decimal: the float nearest 10^e reads "1e<e>",
// and shortest decimals grow with the float, so e is the largest with
// math.Pow10(e) ≤ x. A logarithm gives it to within one. Pow10 is the
// nearest float to 10^e for |e| ≤ 22 (one exact division or none); beyond
// that the exponent comes from formatting.
func decimalExponent(x float64) int {
	e := int(math.Floor(math.Log10(x)))
	if e < -21 || e > 21 {
		return decimalExponentSlow(x)
	}
	for x < math.Pow10(e) {
		e--
	}
	for x >= math.Pow10(e+1) {
		e++
	}
	return e
}

// decimalExponentSlow is decimalExponent by formatting.
func decimalExponentSlow(x float64) int {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == 'e' {
			e, _ := strconv.Atoi(string(b[i+1:]))
			return e
		}
	}
	return 0
}

var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// decimalAbove returns the smallest integer n with n·10^-t > lo/2^m, and
// whether n·10^-t < hi/2^m too. done is false when the numbers leave the
// 128-bit range it works in (t < 0 or t > 19, or n beyond 64 bits).
func decimalAbove(lo, hi uint64, m uint, t int) (n uint64, in, done bool) {
	if t < 0 || t > 19 {
		return 0, false, false
	}
	xh, xl := bits.Mul64(lo, pow10u[t])
	yh, yl := bits.Mul64(hi, pow10u[t])
	if xh>>m != 0 || yh>>m != 0 {
		return 0, false, false
	}
	mask := uint64(1)<<m - 1
	n = (xh<<(64-m) | xl>>m) + 1 // floor(lo·10^t / 2^m) + 1
	ny := yh<<(64-m) | yl>>m     // floor(hi·10^t / 2^m)
	return n, n < ny || (n == ny && yl&mask != 0), true
}
