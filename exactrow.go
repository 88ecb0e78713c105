package parley

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// A ratRow is one issue's contributions to a utility, exactly. The
// contribution of option k is num[k]·f — small integers times one common
// rational, which keeps compiling a 100,000-option issue to a few integer
// operations per option — or, when the integers would not fit an int64,
// vals[k] (nil is 0).
type ratRow struct {
	num  []int64
	f    *big.Rat
	vals []*big.Rat
	// fl holds approximate values instead (a delegation's mean of rounded
	// factions): the function is then rounded, never exact.
	fl []float64
}

// zeroRow is n options worth 0.
func zeroRow(n int) ratRow { return ratRow{num: make([]int64, n), f: new(big.Rat)} }

// bigRow is a row of big rationals.
func bigRow(vals []*big.Rat) ratRow { return ratRow{vals: vals} }

func (r *ratRow) len() int {
	switch {
	case r.num != nil:
		return len(r.num)
	case r.fl != nil:
		return len(r.fl)
	}
	return len(r.vals)
}

// at returns the contribution of option k (a new value).
func (r *ratRow) at(k int) *big.Rat {
	if r.fl != nil {
		return new(big.Rat).SetFloat64(r.fl[k])
	}
	if r.num != nil {
		return new(big.Rat).Mul(new(big.Rat).SetInt64(r.num[k]), r.f)
	}
	if r.vals[k] == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(r.vals[k])
}

// floats returns the contributions as the nearest floats.
func (r *ratRow) floats() []float64 {
	if r.fl != nil {
		return r.fl
	}
	out := make([]float64, r.len())
	if r.num != nil {
		f, _ := r.f.Float64()
		for k, x := range r.num {
			out[k] = float64(x) * f
		}
		return out
	}
	for k, v := range r.vals {
		if v != nil {
			out[k], _ = v.Float64()
		}
	}
	return out
}

// maxAbsF returns an upper bound on the largest absolute contribution.
func (r *ratRow) maxAbsF() float64 {
	var m float64
	switch {
	case r.fl != nil:
		for _, x := range r.fl {
			m = math.Max(m, math.Abs(x))
		}
	case r.num != nil:
		var n uint64
		for _, x := range r.num {
			n = max(n, absU(x))
		}
		f, _ := r.f.Float64()
		m = float64(n) * math.Abs(f)
	default:
		for _, v := range r.vals {
			if v != nil {
				f, _ := v.Float64()
				m = math.Max(m, math.Abs(f))
			}
		}
	}
	return m * (1 + 1e-12)
}

// maxAbs returns the largest absolute contribution.
func (r *ratRow) maxAbs() *big.Rat {
	if r.fl != nil {
		return new(big.Rat).SetFloat64(r.maxAbsF())
	}
	if r.num != nil {
		var m uint64
		for _, x := range r.num {
			m = max(m, absU(x))
		}
		out := new(big.Rat).SetInt(new(big.Int).SetUint64(m))
		return out.Mul(out, new(big.Rat).Abs(r.f))
	}
	m := new(big.Rat)
	a := new(big.Rat)
	for _, v := range r.vals {
		if v != nil && a.Abs(v).Cmp(m) > 0 {
			m.Set(a)
		}
	}
	return m
}

// dens yields denominators whose lcm every exact scale of the row must be
// a multiple of; it returns false when yield stopped it.
func (r *ratRow) dens(yield func(*big.Int) bool) bool {
	if r.fl != nil {
		return yield(tooLarge) // approximate: never exact
	}
	if r.num == nil {
		for _, v := range r.vals {
			if v != nil && !yield(v.Denom()) {
				return false
			}
		}
		return true
	}
	// den(num_k·p/q) = q/gcd(q, num_k): their lcm is q/gcd(q, G) with G
	// the gcd of the numerators.
	g := r.numGCD()
	if g == 0 || r.f.Sign() == 0 {
		return true
	}
	q := r.f.Denom()
	d := new(big.Int).GCD(nil, nil, q, new(big.Int).SetUint64(g))
	return yield(d.Quo(q, d))
}

// numGCD returns the gcd of |num_k| (0 when all are 0).
func (r *ratRow) numGCD() uint64 {
	var g uint64
	for _, x := range r.num {
		g = gcdU(g, absU(x))
		if g == 1 {
			break
		}
	}
	return g
}

// fix writes the row at scale s into out: exactly (s is then a multiple
// of the row's dens), or rounded half away from zero.
func (r *ratRow) fix(s int64, exact bool, out []int64) {
	if r.fl != nil {
		for k, x := range r.fl {
			out[k] = clampFixed(math.Round(x * float64(s)))
		}
		return
	}
	if r.num == nil {
		for k, v := range r.vals {
			out[k] = toFixed(v, s, exact)
		}
		return
	}
	if r.f.Sign() == 0 {
		clear(out)
		return
	}
	p, q := r.f.Num(), r.f.Denom()
	if exact {
		// q_k = (num_k/g)·M with g = gcd(q, G) and M = p·(s·g/q).
		g := new(big.Int).GCD(nil, nil, q, new(big.Int).SetUint64(r.numGCD()))
		m := new(big.Int).Mul(big.NewInt(s), g)
		m.Quo(m, q).Mul(m, p)
		gg := g.Uint64()
		if m.IsInt64() {
			mm := m.Int64()
			ok := true
			for k, x := range r.num {
				y, fits := mul64(x/int64(gg), mm)
				if !fits {
					ok = false
					break
				}
				out[k] = y
			}
			if ok {
				return
			}
		}
	} else if roundRow(r.num, p, q, s, out) {
		return
	}
	for k := range r.num {
		out[k] = toFixed(r.at(k), s, exact)
	}
}

// tooLarge is a denominator no exact scale can have.
var tooLarge = new(big.Int).Lsh(big.NewInt(1), 64)

// clampFixed converts a rounded float to fixed point within ±MaxFixed.
func clampFixed(y float64) int64 {
	switch {
	case y != y:
		return 0
	case y >= MaxFixed:
		return MaxFixed
	case y <= -MaxFixed:
		return -MaxFixed
	}
	return int64(y)
}

// roundRow writes round(num_k·p·s/q), half away from zero, into out, in
// 64- and 128-bit integers: |p·s/q| = ri + fr/2^128 with fr in two words
// (the error, below num_k·2^-128, cannot move a rounding). It reports
// false when ri or a result leaves the range it handles.
func roundRow(num []int64, p, q *big.Int, s int64, out []int64) bool {
	if bits.UintSize != 64 {
		return false // the two words below are big.Words
	}
	ps := new(big.Int).Mul(new(big.Int).Abs(p), big.NewInt(s))
	ri, rem := new(big.Int).QuoRem(ps, q, new(big.Int))
	if !ri.IsUint64() {
		return false
	}
	fr := rem.Lsh(rem, 128)
	fr.Quo(fr, q) // < 2^128
	var words [2]uint64
	fb := fr.Bits()
	for i := 0; i < len(fb) && i < 2; i++ {
		words[i] = uint64(fb[i])
	}
	frHi, frLo := words[1], words[0]
	r := ri.Uint64()
	neg := p.Sign() < 0
	for k, x := range num {
		ax := absU(x)
		ih, il := bits.Mul64(ax, r)
		t1h, t1l := bits.Mul64(ax, frHi)
		t2h, _ := bits.Mul64(ax, frLo)
		frac, c := bits.Add64(t1l, t2h, 0)
		il, c2 := bits.Add64(il, t1h, c)
		ih += c2
		if frac >= 1<<63 {
			il, c = bits.Add64(il, 1, 0)
			ih += c
		}
		if ih != 0 || il > MaxFixed {
			return false
		}
		y := int64(il)
		if (x < 0) != neg {
			y = -y
		}
		out[k] = y
	}
	return true
}

// decimalParts returns x as mant·10^exp with its shortest decimal digits.
func decimalParts(x float64) (mant int64, exp int, ok bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, 0, false
	}
	if x == 0 {
		return 0, 0, true
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	nd, i := 0, 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		if b[i] != '.' {
			mant = mant*10 + int64(b[i]-'0')
			nd++
		}
	}
	e, err := strconv.Atoi(string(b[i+1:]))
	if err != nil {
		return 0, 0, false
	}
	for mant%10 == 0 { // 1e+06 is 1·10^6
		mant /= 10
		nd--
	}
	if neg {
		mant = -mant
	}
	return mant, e - (nd - 1), true
}

// scaledInts returns xs as integers over a common power of ten: xs[k] =
// out[k]·10^e, or ok false when they do not fit an int64.
func scaledInts(xs []float64) (out []int64, e int, ok bool) {
	out = make([]int64, len(xs))
	exps := make([]int, len(xs))
	e = math.MaxInt
	for k, x := range xs {
		m, ex, fine := decimalParts(x)
		if !fine {
			return nil, 0, false
		}
		out[k], exps[k] = m, ex
		if m != 0 {
			e = min(e, ex)
		}
	}
	if e == math.MaxInt {
		return out, 0, true // all zero
	}
	for k := range out {
		if out[k] == 0 {
			continue
		}
		for d := exps[k] - e; d > 0; d-- {
			y, fits := mul64(out[k], 10)
			if !fits || y > MaxFixed || y < -MaxFixed {
				return nil, 0, false
			}
			out[k] = y
		}
	}
	return out, e, true
}

// pow10Rat returns 10^e as a rational (e may be negative).
func pow10Rat(e int) *big.Rat {
	if e >= 0 {
		return new(big.Rat).SetInt(pow10(e))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), pow10(-e))
}

// valuesRow is the row of n options whose listed options k get
// f·vs[k] (the others 0), exactly.
func valuesRow(n int, ks []int, vs []float64, f *big.Rat) ratRow {
	ints, e, ok := scaledInts(vs)
	if ok {
		r := ratRow{num: make([]int64, n), f: new(big.Rat).Mul(f, pow10Rat(e))}
		for j, k := range ks {
			r.num[k] = ints[j]
		}
		return r
	}
	vals := make([]*big.Rat, n)
	for j, k := range ks {
		vals[k] = new(big.Rat).Mul(f, Decimal(vs[j]))
	}
	return bigRow(vals)
}

// functionRow is the row of is's options valued by the piecewise-linear
// function through pts (as Eval defines it; "not addressed" options 0),
// times f, exactly.
func functionRow(is *Issue, pts []Point, f *big.Rat) ratRow {
	n := len(is.Options)
	xs := make([]float64, 0, len(pts)+n)
	ys := make([]float64, 0, len(pts))
	for _, p := range pts {
		xs, ys = append(xs, p.X), append(ys, p.Y)
	}
	for _, o := range is.Options {
		xs = append(xs, o.Value)
	}
	X, _, ok1 := scaledInts(xs)
	Y, ey, ok2 := scaledInts(ys)
	if ok1 && ok2 {
		if r, ok := functionInts(is, X[:len(pts)], Y, X[len(pts):]); ok {
			r.f = new(big.Rat).Mul(f, new(big.Rat).Quo(pow10Rat(ey), r.f))
			return r
		}
	}
	// The general case, in big rationals.
	kx := make([]*big.Rat, len(pts))
	ky := make([]*big.Rat, len(pts))
	for j, p := range pts {
		kx[j], ky[j] = Decimal(p.X), Decimal(p.Y)
	}
	vals := make([]*big.Rat, n)
	for k, o := range is.Options {
		if !o.NotAddressed {
			vals[k] = new(big.Rat).Mul(f, evalRat(kx, ky, Decimal(o.Value)))
		}
	}
	return bigRow(vals)
}

// functionInts interpolates in integers: knots (kx, ky) and option values
// xs on common decimal grids. It returns the row with r.f set to the
// common denominator L of the segments used (the caller folds in the
// scales), or ok false on overflow.
func functionInts(is *Issue, kx, ky, xs []int64) (ratRow, bool) {
	n := len(is.Options)
	seg := make([]int, n) // knot index i: option k lies in (kx[i-1], kx[i]]; 0 or len: outside
	var l int64 = 1
	for k, x := range xs {
		if is.Options[k].NotAddressed {
			seg[k] = -1
			continue
		}
		i := 0
		if x > kx[0] {
			i = len(kx)
			for j := 1; j < len(kx); j++ {
				if x <= kx[j] {
					i = j
					break
				}
			}
		}
		seg[k] = i
		if i > 0 && i < len(kx) && kx[i] != kx[i-1] {
			dx := kx[i] - kx[i-1]
			if dx <= 0 {
				return ratRow{}, false // unsorted knots: compile reports them
			}
			g := int64(gcdU(uint64(l), uint64(dx)))
			nl, fits := mul64(l, dx/g)
			if !fits || nl > MaxFixed {
				return ratRow{}, false
			}
			l = nl
		}
	}
	r := ratRow{num: make([]int64, n), f: new(big.Rat).SetInt64(l)}
	for k, x := range xs {
		i := seg[k]
		var v int64
		var ok bool
		switch {
		case i < 0:
			continue
		case i == 0:
			v, ok = mul64(ky[0], l)
		case i == len(kx):
			v, ok = mul64(ky[len(ky)-1], l)
		case kx[i] == kx[i-1]:
			v, ok = mul64(ky[i], l)
		default:
			// (y0·dx + (y1−y0)·(x−x0))·(l/dx)
			dx := kx[i] - kx[i-1]
			a, ok1 := mul64(ky[i-1], dx)
			dy, ok2 := sub64(ky[i], ky[i-1])
			t, ok3 := mul64(dy, x-kx[i-1])
			s, ok4 := add64(a, t)
			v, ok = mul64(s, l/dx)
			ok = ok && ok1 && ok2 && ok3 && ok4
		}
		if !ok || v > MaxFixed || v < -MaxFixed {
			return ratRow{}, false
		}
		r.num[k] = v
	}
	return r, true
}

// meanRows returns Σ_j ws[j]·rows[j], exactly — or, when rounded (some
// row belongs to a function that is rounded anyway), approximately in
// floats, as the mean of rounded utilities always was.
func meanRows(rows []ratRow, ws []*big.Rat, rounded bool) ratRow {
	n := rows[0].len()
	if rounded {
		out := ratRow{fl: make([]float64, n)}
		for j := range rows {
			w, _ := ws[j].Float64()
			for k, x := range rows[j].floats() {
				out.fl[k] += w * x
			}
		}
		return out
	}
	allInt := true
	for _, r := range rows {
		allInt = allInt && r.num != nil
	}
	if allInt {
		// Factors F_j = ws_j·f_j = a_j/b_j; common F = gcd(a)/lcm(b), and
		// num_k = Σ_j (F_j/F)·num_jk.
		fs := make([]*big.Rat, len(rows))
		a, b := new(big.Int), big.NewInt(1)
		for j, r := range rows {
			fs[j] = new(big.Rat).Mul(ws[j], r.f)
			if fs[j].Sign() == 0 {
				continue
			}
			a.GCD(nil, nil, a, new(big.Int).Abs(fs[j].Num()))
			g := new(big.Int).GCD(nil, nil, b, fs[j].Denom())
			b.Mul(b, new(big.Int).Quo(fs[j].Denom(), g))
		}
		if a.Sign() == 0 {
			return zeroRow(n)
		}
		F := new(big.Rat).SetFrac(a, b)
		out := ratRow{num: make([]int64, n), f: F}
		ok := true
		for j, r := range rows {
			if fs[j].Sign() == 0 {
				continue
			}
			m := new(big.Rat).Quo(fs[j], F)
			if !m.IsInt() || !m.Num().IsInt64() {
				ok = false
				break
			}
			mj := m.Num().Int64()
			for k, x := range r.num {
				t, ok1 := mul64(mj, x)
				s, ok2 := add64(out.num[k], t)
				if !ok1 || !ok2 || s > MaxFixed || s < -MaxFixed {
					ok = false
					break
				}
				out.num[k] = s
			}
			if !ok {
				break
			}
		}
		if ok {
			return out
		}
	}
	vals := make([]*big.Rat, n)
	for k := range vals {
		s := new(big.Rat)
		for j := range rows {
			s.Add(s, new(big.Rat).Mul(ws[j], rows[j].at(k)))
		}
		if s.Sign() != 0 {
			vals[k] = s
		}
	}
	return bigRow(vals)
}

func absU(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

func gcdU(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mul64, add64 and sub64 report whether the result fits an int64.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

func add64(a, b int64) (int64, bool) {
	s := a + b
	return s, (a >= 0) != (b >= 0) || (s >= 0) == (a >= 0)
}

func sub64(a, b int64) (int64, bool) {
	if b == math.MinInt64 {
		return 0, false
	}
	return add64(a, -b)
}
