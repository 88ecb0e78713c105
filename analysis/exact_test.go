package analysis

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
)

// geniusCase is a random Genius-style negotiation: discrete issues,
// decimal weights summing to 1, integer evaluations, decimal reservation
// values. u_p(o) = Σ_i w_pi · e_pi(o_i) / max_k e_pi(k), as Genius defines
// it, in exact rationals.
type geniusCase struct {
	sizes []int
	w     [][]*big.Rat // [party][issue]
	e     [][][]int64  // [party][issue][value]
	res   []*big.Rat
	files map[string]string // name → XML
}

func newGeniusCase(r *rand.Rand, parties int) *geniusCase {
	g := &geniusCase{files: map[string]string{}}
	ni := 2 + r.IntN(3)
	total := 1
	for i := 0; i < ni; i++ {
		k := 2 + r.IntN(5)
		if total*k > 400 {
			k = 2
		}
		total *= k
		g.sizes = append(g.sizes, k)
	}
	var dom strings.Builder
	dom.WriteString("<negotiation_template>\n<utility_space number_of_issues=\"" + fmt.Sprint(ni) + "\">\n<objective index=\"0\" name=\"x\" type=\"objective\" etype=\"objective\">\n")
	for i, k := range g.sizes {
		fmt.Fprintf(&dom, "<issue index=\"%d\" name=\"i%d\" type=\"discrete\" etype=\"discrete\" vtype=\"discrete\">\n", i+1, i)
		for v := 0; v < k; v++ {
			fmt.Fprintf(&dom, "<item index=\"%d\" value=\"v%d\"/>\n", v+1, v)
		}
		dom.WriteString("</issue>\n")
	}
	dom.WriteString("</objective>\n</utility_space>\n</negotiation_template>\n")
	g.files["d-domain.xml"] = dom.String()
	// Few distinct weights and evaluations: exact ties are common.
	denom := []int64{10, 20, 100, 1000}[r.IntN(4)]
	for p := 0; p < parties; p++ {
		// Weights: integers summing to denom, written as decimals.
		parts := make([]int64, ni)
		left := denom
		for i := 0; i < ni-1; i++ {
			parts[i] = r.Int64N(left + 1)
			left -= parts[i]
		}
		parts[ni-1] = left
		var ws []*big.Rat
		var es [][]int64
		var prof strings.Builder
		prof.WriteString("<utility_space number_of_issues=\"" + fmt.Sprint(ni) + "\">\n<objective index=\"0\" name=\"x\" type=\"objective\" etype=\"objective\">\n")
		for i, k := range g.sizes {
			w := big.NewRat(parts[i], denom)
			ws = append(ws, w)
			fmt.Fprintf(&prof, "<weight index=\"%d\" value=\"%s\"/>\n", i+1, w.FloatString(3))
			fmt.Fprintf(&prof, "<issue index=\"%d\" name=\"i%d\" type=\"discrete\" etype=\"discrete\">\n", i+1, i)
			ev := make([]int64, k)
			hi := []int64{3, 7, 9, 10, 12, 100}[r.IntN(6)]
			for v := range ev {
				ev[v] = r.Int64N(hi + 1)
			}
			ev[r.IntN(k)] = hi // the maximum is attained
			for v, x := range ev {
				fmt.Fprintf(&prof, "<item index=\"%d\" value=\"v%d\" evaluation=\"%d\"/>\n", v+1, v, x)
			}
			prof.WriteString("</issue>\n")
			es = append(es, ev)
		}
		res := big.NewRat(r.Int64N(60), 100)
		fmt.Fprintf(&prof, "</objective>\n<reservation value=\"%s\"/>\n</utility_space>\n", res.FloatString(2))
		g.w, g.e, g.res = append(g.w, ws), append(g.e, es), append(g.res, res)
		g.files[fmt.Sprintf("d-prof%d.xml", p+1)] = prof.String()
	}
	return g
}

// util returns party p's exact utility of o.
func (g *geniusCase) util(p int, o parley.Outcome) *big.Rat {
	u := new(big.Rat)
	for i, k := range o {
		mx := int64(0)
		for _, x := range g.e[p][i] {
			mx = max(mx, x)
		}
		t := new(big.Rat).Mul(g.w[p][i], big.NewRat(g.e[p][i][k], mx))
		u.Add(u, t)
	}
	return u
}

func (g *geniusCase) model(t *testing.T) *parley.Model {
	t.Helper()
	d, err := genius.ReadDomain("d-domain.xml", []byte(g.files["d-domain.xml"]))
	if err != nil {
		t.Fatal(err)
	}
	var ps []*genius.Profile
	var names []string
	for p := range g.res {
		n := fmt.Sprintf("d-prof%d.xml", p+1)
		pr, err := genius.ReadProfile(n, []byte(g.files[n]), d)
		if err != nil {
			t.Fatal(err)
		}
		ps, names = append(ps, pr), append(names, fmt.Sprintf("p%d", p))
	}
	s, err := genius.Build(d, ps, names, genius.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type ratVec []*big.Rat

func (v ratVec) key() string {
	var b strings.Builder
	for _, x := range v {
		b.WriteString(x.RatString())
		b.WriteByte(' ')
	}
	return b.String()
}

func dominates(a, b ratVec) bool {
	better := false
	for i := range a {
		switch a[i].Cmp(b[i]) {
		case -1:
			return false
		case 1:
			better = true
		}
	}
	return better
}

// betterTie is the documented tie-break: larger sum, then lexicographically
// larger.
func betterTie(a, b ratVec) bool {
	sa, sb := new(big.Rat), new(big.Rat)
	for i := range a {
		sa.Add(sa, a[i])
		sb.Add(sb, b[i])
	}
	if c := sa.Cmp(sb); c != 0 {
		return c > 0
	}
	for i := range a {
		if c := a[i].Cmp(b[i]); c != 0 {
			return c > 0
		}
	}
	return false
}

// bruteSolutions returns the four solutions over the zone vectors zs, in
// rationals: Nash, Kalai–Smorodinsky, utilitarian, egalitarian.
func bruteSolutions(zs []ratVec, d ratVec) [4]ratVec {
	var out [4]ratVec
	if len(zs) == 0 {
		return out
	}
	n := len(d)
	ideal := make(ratVec, n)
	for _, z := range zs {
		for i := range z {
			if ideal[i] == nil || z[i].Cmp(ideal[i]) > 0 {
				ideal[i] = z[i]
			}
		}
	}
	crit := [4]func(z ratVec) *big.Rat{
		func(z ratVec) *big.Rat { // Π gains
			p := big.NewRat(1, 1)
			for i := range z {
				p.Mul(p, new(big.Rat).Sub(z[i], d[i]))
			}
			return p
		},
		func(z ratVec) *big.Rat { // min normalised gain
			var m *big.Rat
			for i := range z {
				den := new(big.Rat).Sub(ideal[i], d[i])
				if den.Sign() <= 0 {
					continue
				}
				g := new(big.Rat).Quo(new(big.Rat).Sub(z[i], d[i]), den)
				if m == nil || g.Cmp(m) < 0 {
					m = g
				}
			}
			if m == nil {
				m = big.NewRat(1, 1)
			}
			return m
		},
		func(z ratVec) *big.Rat { // Σ utilities
			s := new(big.Rat)
			for i := range z {
				s.Add(s, z[i])
			}
			return s
		},
		func(z ratVec) *big.Rat { // min gain
			var m *big.Rat
			for i := range z {
				g := new(big.Rat).Sub(z[i], d[i])
				if m == nil || g.Cmp(m) < 0 {
					m = g
				}
			}
			return m
		},
	}
	for c, f := range crit {
		var best ratVec
		var bv *big.Rat
		for _, z := range zs {
			v := f(z)
			if best == nil || v.Cmp(bv) > 0 || (v.Cmp(bv) == 0 && betterTie(z, best)) {
				best, bv = z, v
			}
		}
		out[c] = best
	}
	return out
}

// TestGeniusExactAgainstBigRat is issue 8's property: on random
// Genius-style files (decimal weights, integer evaluations, 2 to 5
// parties) the frontier, its counts and the four solutions equal a
// math/big.Rat brute force exactly — no tolerance — and so do the floats
// the report writes.
func TestGeniusExactAgainstBigRat(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 160; seed++ {
		r := rand.New(rand.NewPCG(seed, 8))
		g := newGeniusCase(r, 2+int(seed%4))
		m := g.model(t)
		rep, err := Analyze(context.Background(), m, Options{NoBlocking: true})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !rep.UtilitiesExact {
			t.Fatalf("seed %d: utilities not exact", seed)
		}
		// Brute force.
		np := len(g.res)
		count := map[string]int64{}
		vec := map[string]ratVec{}
		var zone []ratVec
		for o := range m.Outcomes() {
			v := make(ratVec, np)
			in := true
			for p := range v {
				v[p] = g.util(p, o)
				in = in && v[p].Cmp(g.res[p]) > 0
			}
			count[v.key()]++
			vec[v.key()] = v
			if in {
				zone = append(zone, v)
			}
		}
		front := map[string]bool{}
		for k, a := range vec {
			dom := false
			for _, b := range vec {
				if dominates(b, a) {
					dom = true
					break
				}
			}
			if !dom {
				front[k] = true
			}
		}
		if len(rep.Pareto) != len(front) {
			t.Fatalf("seed %d: frontier has %d points, exact brute force %d", seed, len(rep.Pareto), len(front))
		}
		exactOf := func(o parley.Outcome) ratVec {
			v := make(ratVec, np)
			for p := range v {
				v[p] = g.util(p, o)
			}
			return v
		}
		for _, pt := range rep.Pareto {
			v := exactOf(pt.Raw())
			if !front[v.key()] {
				t.Fatalf("seed %d: frontier point %v is not on the exact frontier", seed, v.key())
			}
			if pt.Count.Cmp(big.NewInt(count[v.key()])) != 0 {
				t.Fatalf("seed %d: point %v count %v, exact %d", seed, v.key(), pt.Count, count[v.key()])
			}
			for p, x := range v {
				if f, _ := x.Float64(); pt.Utilities[p] != f {
					t.Fatalf("seed %d: point %v: party %d written as %v, exact %v", seed, v.key(), p, pt.Utilities[p], f)
				}
			}
		}
		want := bruteSolutions(zone, g.res)
		for c, got := range []*Solution{rep.Nash, rep.KalaiSmorodinsky, rep.MaxWelfare, rep.Egalitarian} {
			name := []string{"nash", "ks", "welfare", "egalitarian"}[c]
			if want[c] == nil {
				if got != nil {
					t.Fatalf("seed %d: %s %v, brute force has none", seed, name, got.Utilities)
				}
				continue
			}
			if got == nil || exactOf(got.Raw()).key() != want[c].key() {
				t.Fatalf("seed %d: %s %+v, exact brute force %s", seed, name, got, want[c].key())
			}
		}
	}
}

// TestGeniusFrontierCounts checks the real domains issue 8 names, when
// ../shared is present: Car (Genius semantics) has 53 exact frontier points
// and AgentHp2 589; 7issues's 17-digit weights and slopes have no common
// denominator within 64 bits, so it is rounded, and the report says so.
func TestGeniusFrontierCounts(t *testing.T) {
	t.Parallel()
	dir := shared.Genius(t)
	for _, tc := range []struct {
		domain   string
		profiles []string
		points   int // 0: not asserted
		exact    bool
	}{
		{"negmas-tests/Car-A-domain/Car-A-domain.xml", []string{"negmas-tests/Car-A-domain/Car-A-prof1.xml", "negmas-tests/Car-A-domain/Car-A-prof2.xml"}, 53, true},
		{"genius-templates/ANAC2016/AgentHp2/energy_grid_domain.xml", []string{"genius-templates/ANAC2016/AgentHp2/consumer.xml", "genius-templates/ANAC2016/AgentHp2/producer.xml", "genius-templates/ANAC2016/AgentHp2/provider.xml"}, 589, true},
		{"genius-templates/7issues/7issues.xml", []string{"genius-templates/7issues/7issues_util1.xml", "genius-templates/7issues/7issues_util2.xml"}, 0, false},
	} {
		var ps []string
		for _, p := range tc.profiles {
			ps = append(ps, filepath.Join(dir, p))
		}
		s, err := genius.Load(filepath.Join(dir, tc.domain), ps, genius.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Analyze(context.Background(), m, Options{NoBlocking: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.UtilitiesExact != tc.exact {
			t.Errorf("%s: utilities_exact %v, want %v", tc.domain, rep.UtilitiesExact, tc.exact)
		}
		rounded := 0
		for _, c := range rep.Caveats {
			if c.Kind == CaveatUtilitiesRounded && c.GridBits == 40 {
				rounded++
			}
		}
		if !tc.exact && rounded != len(tc.profiles) {
			t.Errorf("%s: %d utilities_rounded caveats on the 2^-40 grid, want %d: %+v", tc.domain, rounded, len(tc.profiles), rep.Caveats)
		}
		if tc.points > 0 && len(rep.Pareto) != tc.points {
			t.Errorf("%s: %d frontier points, want %d", tc.domain, len(rep.Pareto), tc.points)
		}
		t.Logf("%s: %d frontier points (exact %v)", tc.domain, len(rep.Pareto), rep.UtilitiesExact)
	}
}
