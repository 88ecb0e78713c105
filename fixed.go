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
// q stands for the reals of [(q−½)/s, (q+½)/s]; for p significant digits
// it looks for a decimal inside, in integers: the smallest n with n·10^-t
// above the lower end, t = p−1−e for x's decimal exponent e (gridDecimal).
// Whether p digits suffice is monotone in p (a decimal of p digits is one
// of p+1), so instead of trying p = 1, 2, … it starts where the grid's
// spacing says the answer lies: one or two tries rather than a dozen (see
// gridDecimal.walk for where that argument holds; elsewhere it tries every
// p).
func shortestOnGrid(q, s int64) float64 {
	x0 := ratFloat(q, s)
	if q == 0 || q < -1<<52 || q > 1<<52 {
		return x0 // beyond 2^52 the grid is finer than a float
	}
	var g gridDecimal
	g.init(q, s, x0)
	if x, ok := g.walk(); ok {
		return x
	}
	return g.scan()
}

// gridDecimal looks for the shortest decimal that rounds to q on the grid
// of step 1/s (shortestOnGrid).
type gridDecimal struct {
	q, s   int64
	x0, ax float64 // q/s and its absolute value
	fs, fq float64
	neg    bool
	lo, hi uint64 // the ends of q's interval, over 2^m
	m      uint
	e      int     // x0's decimal exponent
	near   float64 // how far outside the interval a decimal may still read as a float inside
	buf    [40]byte
}

// init sets g up for q on the grid of step 1/s; x0 is q/s.
func (g *gridDecimal) init(q, s int64, x0 float64) {
	aq := absU(q)
	g.q, g.s, g.x0, g.ax, g.fs, g.fq, g.neg = q, s, x0, math.Abs(x0), float64(s), float64(q), q < 0
	g.lo, g.hi, g.m = 2*aq-1, 2*aq+1, uint(bits.TrailingZeros64(uint64(s)))+1
	g.e = decimalExponent(g.ax)
	// A decimal within a few ulps outside the interval may still read as
	// a float that rounds to q: such near misses are tried too.
	g.near = 0.5/g.fs + 4*(math.Nextafter(g.ax, math.Inf(1))-g.ax)
}

// ok reports whether float x rounds to q (x·s is exact: s is a power of
// two).
func (g *gridDecimal) ok(x float64) bool { return math.Round(x*g.fs) == g.fq }

// try returns the float of n·10^-t, signed as q, and whether it rounds to q.
func (g *gridDecimal) try(n uint64, t int) (float64, bool) {
	x, exact := decimalFloat(n, t)
	if !exact {
		b := strconv.AppendUint(g.buf[:0], n, 10)
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(-t), 10)
		var err error
		if x, err = strconv.ParseFloat(string(b), 64); err != nil {
			return x, false
		}
	}
	if g.neg {
		x = -x
	}
	return x, g.ok(x)
}

// at looks for a decimal of p significant digits that rounds to q: the two
// multiples of 10^-t around the interval's lower end, the smaller first.
// done is false when p is out of the integer method's range.
func (g *gridDecimal) at(p int) (x float64, found, done bool) {
	t := p - 1 - g.e
	n, in, done := decimalAbove(g.lo, g.hi, g.m, t)
	if !done {
		return 0, false, false
	}
	scale := math.Pow10(-t)
	if n > 1 && g.ax-float64(n-1)*scale < g.near {
		if x, good := g.try(n-1, t); good {
			return x, true, true
		}
	}
	if in || float64(n)*scale-g.ax < g.near {
		if x, good := g.try(n, t); good {
			return x, true, true
		}
	}
	return 0, false, true
}

// scan is the search by trying every p from 1: the integer method while
// it is in range, then the float one.
func (g *gridDecimal) scan() float64 {
	for p := 1; p <= 17; p++ {
		x, found, done := g.at(p)
		if !done {
			break // out of the integer method's range: the float scan below
		}
		if found {
			return x
		}
	}
	// The general case: the decimal of p significant digits nearest to x0,
	// for growing p, until one rounds to q. (The test is not monotone in
	// p near the ends of q's interval, so no binary search.)
	for p := 1; p < 17; p++ {
		b := strconv.AppendFloat(g.buf[:0], g.x0, 'e', p-1, 64)
		if x, err := strconv.ParseFloat(string(b), 64); err == nil && g.ok(x) {
			return x
		}
	}
	return g.x0
}

// walkMaxQ bounds |q| for walk: below it an ulp of x0 is under 1/64 of
// the interval's width.
const walkMaxQ = 1 << 46

// walk finds scan's answer in one or two tries, or says it cannot (ok
// false).
//
// A decimal of p digits that rounds to q exists if and only if the set I
// of reals whose nearest float rounds to q — an interval, at most an ulp
// of x0 wider than q's, whose width is w = 1/s — holds a multiple of
// 10^-t (t = p−1−e). at finds every such multiple when 10^-t is well
// above an ulp (those further below the interval's lower end lie outside
// I), so "at(p) finds one" is monotone in p: a multiple of 10^-t is one of
// 10^-(t+1). scan's answer is the smallest such multiple at the smallest p
// where at finds one.
//
// walk tries p with t = tw−1, where 10^-tw is the largest power of ten
// below w; 10^-t ≥ w > w/10 > 6 ulps, since |q| < 2^46, so the argument
// holds. If at finds x there, x is I's only multiple of 10^-t: for
// s = 2^k with k ≥ 1, 10^-t/w = 2^k/10^⌊k·log10 2⌋ ≥ 1.024 (at k = 10),
// while I is less than w·(1+1/64) wide. A coarser decimal in I would be a
// multiple of 10^-t too, so it is x: scan returns the same number, maybe
// at a smaller p. (For s = 1, t = 0 means p = 1, where scan starts.) If at
// finds none, none is coarser either, and walk tries one step finer, where
// 10^-t < w; when that finds none too (ulps at the ends), it declines.
//
// scan's integer method runs from p = 1 and stops at the first p out of
// its range; from p = 1 it is in range exactly when x0 < 10 (e ≤ 0) and,
// as t only grows, stays so up to any p at which it is. walk declines
// when x0 ≥ 10 or when it meets a p out of range.
func (g *gridDecimal) walk() (float64, bool) {
	if g.e > 0 || g.q < -walkMaxQ || g.q > walkMaxQ {
		return 0, false
	}
	// tw is the smallest t with 10^-t < w = 2^-(m-1): ⌊(m−1)·log10 2⌋+1
	// (as in decimalExponent).
	tw := (int(g.m-1)*78913)>>18 + 1
	p := tw + g.e // t = tw−1
	if p < 1 || p > 16 {
		return 0, false // not for |q| < 2^46; for safety
	}
	for range 2 {
		x, found, done := g.at(p)
		if !done {
			return 0, false
		}
		if found {
			return x, true
		}
		p++
	}
	return 0, false
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
// math.Pow10(e) ≤ x. The binary exponent gives it to within one:
// 2^(b−1) ≤ x < 2^b, and ⌊(b−1)·log10 2⌋ (78913/2^18 is log10 2 to six
// digits, exact in this range) is e or e−1. Pow10 is the nearest float to
// 10^e for |e| ≤ 22 (one exact division or none); beyond that the
// exponent comes from formatting.
func decimalExponent(x float64) int {
	_, b := math.Frexp(x)
	e := ((b - 1) * 78913) >> 18
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
