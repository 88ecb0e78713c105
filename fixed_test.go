package parley

import (
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/cputime"
)

// TestRatFloatNearest checks ratFloat against math/big's correctly rounded
// conversion over the whole int64 range of numerators and scales.
func TestRatFloatNearest(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200_000; i++ {
		q := int64(r.Uint64() >> uint(r.IntN(64)))
		if r.IntN(2) == 0 {
			q = -q
		}
		s := int64(r.Uint64()>>uint(1+r.IntN(63))) + 1
		want, _ := new(big.Rat).SetFrac64(q, s).Float64()
		if got := ratFloat(q, s); got != want {
			t.Fatalf("%d/%d: got %v, want %v", q, s, got, want)
		}
	}
}

// TestFNoNoise: a rounded function writes the shortest decimal that rounds
// back to the stored value (0.55, not 0.5500000000001819); an exact one the
// float nearest to its exact value.
func TestFNoNoise(t *testing.T) {
	t.Parallel()
	grid := &UtilityFn{} // the 2^-40 grid, rounded
	for _, x := range []float64{0.55, 0.1, 1.0 / 3, 0.3, 123.456, -0.07, 1e-9, 2e6} {
		q := grid.Q(x)
		got := grid.F(q)
		if grid.Q(got) != q {
			t.Errorf("F(Q(%v)) = %v does not round back to %d", x, got, q)
		}
		if len(strconv.FormatFloat(got, 'g', -1, 64)) > len(strconv.FormatFloat(x, 'g', -1, 64)) {
			t.Errorf("F(Q(%v)) = %v is longer than %v", x, got, x)
		}
	}
	if got := grid.F(Q(0.55)); got != 0.55 {
		t.Errorf("F(Q(0.55)) = %v, want 0.55", got)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20_000; i++ {
		q := int64(r.Uint64() >> uint(11+r.IntN(40)))
		if i%2 == 1 {
			q = -q
		}
		got := grid.F(q)
		if math.Round(got*Quantum) != float64(q) {
			t.Fatalf("F(%d) = %v does not round back", q, got)
		}
		// No decimal with fewer significant digits, nearest to it, rounds
		// back.
		mant := strings.TrimLeft(strings.Split(strconv.FormatFloat(got, 'e', -1, 64), "e")[0], "-")
		digits := len(strings.ReplaceAll(mant, ".", ""))
		for p := 1; p < digits; p++ {
			x, _ := strconv.ParseFloat(strconv.FormatFloat(got, 'e', p-1, 64), 64)
			if math.Round(x*Quantum) == float64(q) {
				t.Fatalf("F(%d) = %v, but %v is shorter and rounds back too", q, got, x)
			}
		}
	}
	exact := &UtilityFn{Scale: 3 << 40, Exact: true}
	if got := exact.F(1 << 40); got != 1.0/3 {
		t.Errorf("exact 1/3 reads %v", got)
	}
	if got := exact.Q(math.Inf(1)); got != MaxFixed {
		t.Errorf("Q(+Inf) = %d, want MaxFixed", got)
	}
	if got := exact.Q(math.NaN()); got != 0 {
		t.Errorf("Q(NaN) = %d, want 0", got)
	}
}

// TestDecimal: the rational of a float is its shortest decimal.
func TestDecimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 50_000; i++ {
		x := math.Float64frombits(r.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		want, _ := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
		if got := Decimal(x); got.Cmp(want) != 0 {
			t.Fatalf("Decimal(%v) = %s, want %s", x, got.RatString(), want.RatString())
		}
	}
	if Decimal(0.1).Cmp(big.NewRat(1, 10)) != 0 || Decimal(math.NaN()) != nil {
		t.Error("Decimal(0.1) must be 1/10 and Decimal(NaN) nil")
	}
}

// TestDecimalValues: the floats and scale read back (through Decimal) as
// the exact values.
func TestDecimalValues(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 2000; i++ {
		den := int64(1 + r.IntN(30))
		vs := make([]*big.Rat, 1+r.IntN(6))
		for k := range vs {
			vs[k] = big.NewRat(int64(r.IntN(200))-20, den)
		}
		fs, scale, ok := DecimalValues(vs)
		if !ok {
			t.Fatalf("%v: no exact form", vs)
		}
		for k, v := range vs {
			got := Decimal(fs[k])
			if scale != 0 {
				got.Quo(got, Decimal(scale))
			}
			if got.Cmp(v) != 0 {
				t.Fatalf("%v: value %d reads back %s (fs %v, scale %v)", vs, k, got.RatString(), fs, scale)
			}
		}
	}
	// A value whose decimal cannot be short: rounded, ok false.
	if _, _, ok := DecimalValues([]*big.Rat{new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(3), 100))}); ok {
		t.Error("1/(3·2^100) claims an exact form")
	}
}

// TestQDecimal: on an exact scale a decimal converts to exactly its
// fraction of the scale, even past a float's 53 bits; rounded scales use
// Q; the result is clamped to ±MaxFixed.
func TestQDecimal(t *testing.T) {
	s := int64(10_000_000_000_000_000) // 10^16 > 2^53
	u := &UtilityFn{Scale: s, Exact: true}
	for _, c := range []struct {
		x    float64
		want int64
	}{{0.1, s / 10}, {-0.1, -s / 10}, {0.3, 3 * s / 10}, {0.1234567890123457, 1234567890123457}, {1e300, MaxFixed}, {-1e300, -MaxFixed}, {0, 0}} {
		if got := u.QDecimal(c.x); got != c.want {
			t.Errorf("QDecimal(%v) = %d, want %d", c.x, got, c.want)
		}
	}
	if r := (&UtilityFn{}); r.QDecimal(0.55) != r.Q(0.55) {
		t.Errorf("a rounded function's QDecimal(0.55) = %d, want Q = %d", r.QDecimal(0.55), r.Q(0.55))
	}
}

// TestDecimalExponent: the exponent from logarithms and powers of ten is
// the one of the float's shortest decimal, also next to powers of ten.
func TestDecimalExponent(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	var xs []float64
	for e := -300; e <= 300; e++ {
		p := math.Pow10(e)
		xs = append(xs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), 9.999999999999999*p, 5*p)
	}
	for range 20_000 {
		xs = append(xs, math.Ldexp(r.Float64()+0.5, r.IntN(200)-100))
	}
	for _, x := range xs {
		if got, want := decimalExponent(x), decimalExponentSlow(x); got != want {
			t.Fatalf("decimalExponent(%v) = %d, want %d", x, got, want)
		}
	}
}

// TestDecimalFloat: where the fast path answers, it is the float that
// parsing the decimal gives; past its range it declines.
func TestDecimalFloat(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200_000; i++ {
		n := r.Uint64() >> uint(r.IntN(64))
		tt := r.IntN(61) - 30
		got, exact := decimalFloat(n, tt)
		want, err := strconv.ParseFloat(strconv.FormatUint(n, 10)+"e"+strconv.Itoa(-tt), 64)
		if err != nil && !exact {
			continue
		}
		if inRange := n <= 1<<53 && tt >= -22 && tt <= 22; exact != inRange {
			t.Fatalf("decimalFloat(%d, %d): exact = %v, want %v", n, tt, exact, inRange)
		}
		if exact && got != want {
			t.Fatalf("decimalFloat(%d, %d) = %v, parsing gives %v", n, tt, got, want)
		}
	}
}

// TestShortestOnGridWalk: shortestOnGrid, which starts from the digit count
// the grid's spacing gives and walks, answers exactly as the naive search
// that tries every digit count from one, over random values on random
// grids, values next to powers of ten and the ends of walk's range.
func TestShortestOnGridWalk(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	check := func(q, s int64) {
		t.Helper()
		if got, want := shortestOnGrid(q, s), shortestOnGridNaive(q, s); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("shortestOnGrid(%d, 2^%d) = %v, the naive search gives %v", q, bits.TrailingZeros64(uint64(s)), got, want)
		}
	}
	for i := 0; i < 300_000; i++ {
		s := int64(1) << r.IntN(63)
		q := int64(r.Uint64() >> uint(11+r.IntN(53)))
		switch i % 4 {
		case 1: // a value near a power of ten
			e := r.IntN(30) - 20
			q = int64(math.Round(math.Pow10(e)*float64(s))) + int64(r.IntN(5)) - 2
		case 2: // near the ends of walk's range
			q = walkMaxQ + int64(r.IntN(9)) - 4
		case 3: // the 2^-40 grid of compiled rounded utilities, values in [0, 2)
			s = Quantum
			q = int64(r.Uint64() >> 23)
		}
		if r.IntN(2) == 0 {
			q = -q
		}
		check(q, s)
	}
}

// shortestOnGridNaive is shortestOnGrid as it was before walk: it tries
// every p from 1. It returns the float of the shortest decimal x that rounds to
// q on the grid of step 1/s (s a power of two): round(x·s) = q.
//
// q stands for the reals of [(q−½)/s, (q+½)/s]; for p = 1, 2, … it looks
// for a decimal of p significant digits inside, in integers: the smallest
// n with n·10^-t above the lower end, t = p−1−e for x's decimal exponent e.
func shortestOnGridNaive(q, s int64) float64 {
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

// BenchmarkShortestOnGrid: formatting utilities of [0, 1) on the 2^-40 grid
// of rounded functions, as the analysis writes frontier points; naive is
// the search that tries every digit count.
func BenchmarkShortestOnGrid(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	qs := make([]int64, 4096)
	for i := range qs {
		qs[i] = int64(r.Uint64() >> 24)
	}
	for _, c := range []struct {
		name string
		f    func(q, s int64) float64
	}{{"walk", shortestOnGrid}, {"naive", shortestOnGridNaive}} {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := cputime.Process()
			for i := 0; b.Loop(); i++ {
				c.f(qs[i%len(qs)], Quantum)
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
