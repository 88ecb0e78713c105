package parley

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"sync"
)

// Exact arithmetic at compile time. Compile evaluates every principal's
// utility in rationals (math/big), reading each float64 of the scenario as
// its shortest decimal, then chooses the function's fixed-point scale (see
// the comment on Quantum) and converts. Only compile time pays for big
// numbers; the analysis works on int64.

// Decimal returns the rational value of x's shortest decimal form (the
// digits strconv.FormatFloat(x, 'g', -1, 64) writes): for a float64 read
// from a decimal of at most 15 significant digits, exactly that decimal.
// It returns nil for NaN and infinities.
func Decimal(x float64) *big.Rat {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return new(big.Rat).SetInt64(int64(x))
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'e', -1, 64) // [-]d[.ddd]e±dd
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var mant int64
	nd := 0
	i := 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		if b[i] == '.' {
			continue
		}
		mant = mant*10 + int64(b[i]-'0') // at most 17 digits: fits
		nd++
	}
	exp, _ := strconv.Atoi(string(b[i+1:]))
	if neg {
		mant = -mant
	}
	e := exp - (nd - 1) // x = mant · 10^e
	r := new(big.Rat)
	if e >= 0 {
		n := new(big.Int).Mul(big.NewInt(mant), pow10(e))
		return r.SetInt(n)
	}
	return r.SetFrac(big.NewInt(mant), pow10(-e))
}

var pow10s = sync.OnceValue(func() []*big.Int {
	p := make([]*big.Int, 400)
	p[0] = big.NewInt(1)
	ten := big.NewInt(10)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], ten)
	}
	return p
})

// pow10 returns 10^e (e ≥ 0); shared values for e < 400: do not modify.
func pow10(e int) *big.Int {
	if ps := pow10s(); e < len(ps) {
		return ps[e]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil)
}

// ratFn is a utility function in exact rationals, before fixing its scale.
type ratFn struct {
	rows  []ratRow // per issue
	rects []*big.Rat
	res   *big.Rat // nil is 0
}

var (
	bigMaxFixed = big.NewInt(MaxFixed)
	ratMaxFixed = new(big.Rat).SetInt(bigMaxFixed)
)

// bound returns Σ_i max_k |contribution| + Σ_j |rects[j]|: no outcome's
// utility exceeds it in absolute value. worst is the issue (or −1−j for
// rect j) with the largest single term, for error messages.
func (r *ratFn) bound() (b *big.Rat, worst int) {
	b = new(big.Rat)
	var top *big.Rat
	worst = -1 << 30
	for i := range r.rows {
		mx := r.rows[i].maxAbs()
		b.Add(b, mx)
		if top == nil || mx.Cmp(top) > 0 {
			top, worst = mx, i
		}
	}
	a := new(big.Rat)
	for j, v := range r.rects {
		a.Abs(v)
		b.Add(b, a)
		if top == nil || a.Cmp(top) > 0 {
			top, worst = new(big.Rat).Set(a), -1-j
		}
	}
	return b, worst
}

// boundF returns an upper bound, in floats, on bound() and on the
// reservation's absolute value (+Inf when beyond float range): cheap, and
// safe for choosing a scale.
func (r *ratFn) boundF() float64 {
	var b float64
	for i := range r.rows {
		b += r.rows[i].maxAbsF()
	}
	for _, v := range r.rects {
		f, _ := v.Float64()
		b += math.Abs(f)
	}
	if r.res != nil {
		f, _ := r.res.Float64()
		b = math.Max(b, math.Abs(f))
	}
	return b*(1+1e-12) + 1e-300
}

// scaleFor chooses the fixed-point scale for a function whose utilities
// and reservation stay within ±m (an upper bound, m ≤ MaxUtility) and whose
// values need the denominators each yields: exact when their lcm fits,
// else a power of two.
func scaleFor(m float64, each func(func(*big.Int) bool)) (scale int64, exact bool) {
	// L: the lcm of the denominators, given up past MaxFixed.
	l := big.NewInt(1)
	g, t := new(big.Int), new(big.Int)
	fits := true
	each(func(d *big.Int) bool {
		if d.IsInt64() && d.Int64() == 1 {
			return true
		}
		if t.Rem(l, d).Sign() == 0 {
			return true
		}
		g.GCD(nil, nil, l, d)
		l.Mul(l, t.Quo(d, g))
		if l.Cmp(bigMaxFixed) > 0 {
			fits = false
			return false
		}
		return true
	})
	if fits && fitsAt(m, l.Int64()) {
		// Scale = L·2^j, j as large as headroom allows up to Scale ≥ 2^40.
		s := l.Int64()
		for s < Quantum && fitsAt(m, 2*s) {
			s *= 2
		}
		return s, true
	}
	k := 40
	for k > 0 && !fitsAt(m, 1<<k) {
		k--
	}
	return 1 << k, false
}

// fitsAt reports whether m·s ≤ MaxFixed (m an upper bound, s ≤ MaxFixed).
func fitsAt(m float64, s int64) bool { return m*float64(s)*(1+1e-12) <= MaxFixed }

// toFixed returns x·s as an integer: exactly when exact (s is then a
// multiple of x's denominator), else rounded half away from zero.
func toFixed(x *big.Rat, s int64, exact bool) int64 {
	if x == nil {
		return 0
	}
	n, d := x.Num(), x.Denom()
	if n.IsInt64() && d.IsInt64() {
		nn, dd := n.Int64(), d.Int64()
		neg := nn < 0
		un := uint64(nn)
		if neg {
			un = -un
		}
		var q uint64
		ok := false
		if exact {
			hi, lo := bits.Mul64(un, uint64(s/dd))
			q, ok = lo, hi == 0
		} else {
			hi, lo := bits.Mul64(un, uint64(s))
			if hi < uint64(dd) {
				quo, rem := bits.Div64(hi, lo, uint64(dd))
				if rem >= uint64(dd)-rem { // rem ≥ dd/2: round half away from zero
					quo++
				}
				q, ok = quo, true
			}
		}
		if ok && q <= MaxFixed {
			if neg {
				return -int64(q)
			}
			return int64(q)
		}
	}
	y := new(big.Rat).Mul(x, new(big.Rat).SetInt64(s))
	if exact {
		return y.Num().Int64()
	}
	return roundRat(y)
}

// roundRat rounds y to the nearest integer, half away from zero.
func roundRat(y *big.Rat) int64 {
	n := new(big.Int).Abs(y.Num())
	d := y.Denom()
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if y.Sign() < 0 {
		q.Neg(q)
	}
	return q.Int64()
}

// fix converts r to fixed point at its own scale. Its utilities and
// reservation must lie within ±MaxUtility.
func (r *ratFn) fix() (UtilityFn, int64) {
	scale, exact := scaleFor(r.boundF(), func(yield func(*big.Int) bool) {
		for i := range r.rows {
			if !r.rows[i].dens(yield) {
				return
			}
		}
		for _, v := range r.rects {
			if !yield(v.Denom()) {
				return
			}
		}
		if r.res != nil {
			yield(r.res.Denom())
		}
	})
	u := UtilityFn{Scale: scale, Exact: exact, Values: make([][]int64, len(r.rows))}
	for i := range r.rows {
		u.Values[i] = make([]int64, r.rows[i].len())
		r.rows[i].fix(scale, exact, u.Values[i])
	}
	u.Rects = make([]RectQ, len(r.rects))
	for j, v := range r.rects {
		u.Rects[j].Utility = toFixed(v, scale, exact)
	}
	return u, toFixed(r.res, scale, exact)
}

// evalRat evaluates the piecewise-linear function through the knots
// (xs, ys) (sorted by x) at x, exactly, as Eval does in floats.
func evalRat(xs, ys []*big.Rat, x *big.Rat) *big.Rat {
	n := len(xs)
	if n == 0 {
		return new(big.Rat)
	}
	if x.Cmp(xs[0]) <= 0 {
		return ys[0]
	}
	for i := 1; i < n; i++ {
		if x.Cmp(xs[i]) <= 0 {
			if xs[i].Cmp(xs[i-1]) == 0 {
				return ys[i]
			}
			// y0 + (y1−y0)·(x−x0)/(x1−x0)
			t := new(big.Rat).Sub(x, xs[i-1])
			t.Mul(t, new(big.Rat).Sub(ys[i], ys[i-1]))
			t.Quo(t, new(big.Rat).Sub(xs[i], xs[i-1]))
			return t.Add(t, ys[i-1])
		}
	}
	return ys[n-1]
}

// DecimalValues writes exact rational values the way Compile reads them
// back exactly: vs[k] = fs[k]/scale, where each fs[k] is a float64 whose
// shortest decimal is exact (scale 0 when none is needed, as for values
// that are short decimals already). Importers use it for utilities such as
// Genius' evaluation/maximum, whose decimals do not terminate (7/9 becomes
// 7 with scale 9). When no such form exists (a value would need more than
// 15 significant digits), it returns the nearest floats and scale 0, and
// ok false.
func DecimalValues(vs []*big.Rat) (fs []float64, scale float64, ok bool) {
	fs = make([]float64, len(vs))
	// m: the lcm of the denominators' parts other than 2 and 5.
	m := big.NewInt(1)
	g, t := new(big.Int), new(big.Int)
	two, five := big.NewInt(2), big.NewInt(5)
	for _, v := range vs {
		d := new(big.Int).Set(v.Denom())
		for t.Rem(d, two).Sign() == 0 {
			d.Quo(d, two)
		}
		for t.Rem(d, five).Sign() == 0 {
			d.Quo(d, five)
		}
		if t.Rem(m, d).Sign() != 0 {
			g.GCD(nil, nil, m, d)
			m.Mul(m, d.Quo(d, g))
		}
		if m.BitLen() > 53 {
			break
		}
	}
	exactAll := func(mul *big.Rat) bool {
		for k, v := range vs {
			w := v
			if mul != nil {
				w = new(big.Rat).Mul(v, mul)
			}
			fs[k], _ = w.Float64()
			if Decimal(fs[k]).Cmp(w) != 0 {
				return false
			}
		}
		return true
	}
	if m.BitLen() <= 53 {
		if m.IsInt64() && m.Int64() == 1 {
			if exactAll(nil) {
				return fs, 0, true
			}
		} else if exactAll(new(big.Rat).SetInt(m)) {
			sf, _ := new(big.Rat).SetInt(m).Float64()
			return fs, sf, true
		}
	}
	for k, v := range vs {
		fs[k], _ = v.Float64()
	}
	return fs, 0, false
}
