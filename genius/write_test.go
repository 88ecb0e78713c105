package genius

import (
	"math"
	"math/rand"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/shared"
)

var scaledRe = regexp.MustCompile(`^party "(.*)": its best outcome .* divided by (\S+)$`)

// writeOutcomes returns every outcome of m when there are at most 50,000,
// else 5,000 random ones (deterministic).
func writeOutcomes(m *parley.Model) []parley.Outcome {
	var out []parley.Outcome
	if m.Size().IsInt64() && m.Size().Int64() <= 50_000 {
		o := make(parley.Outcome, len(m.Sizes))
		for {
			out = append(out, append(parley.Outcome(nil), o...))
			i := len(o) - 1
			for ; i >= 0; i-- {
				if o[i]++; o[i] < m.Sizes[i] {
					break
				}
				o[i] = 0
			}
			if i < 0 {
				return out
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 5000 {
		o := make(parley.Outcome, len(m.Sizes))
		for i, n := range m.Sizes {
			o[i] = rng.Intn(n)
		}
		out = append(out, o)
	}
	return out
}

// writeRoundTrip exports s as Genius XML, reads it back and compares every
// party's utility and reservation value. Utilities are compared in fixed
// point within one quantum per issue plus two (weights renormalised, values
// divided and multiplied in float64), or, for a party whose export is
// scaled by 1/S (see Write), as u ≈ S·u' within 1e-9. It returns whether
// the comparison was made and how many parties were scaled.
func writeRoundTrip(t *testing.T, name string, s *parley.Scenario) (bool, int) {
	t.Helper()
	m1, err := s.Compile()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dir := t.TempDir()
	files, warns, err := Write(dir, s)
	if err != nil {
		t.Errorf("%s: write: %v", name, err)
		return false, 0
	}
	scale := make([]float64, len(s.Parties))
	for p := range scale {
		scale[p] = 1
	}
	scaled := 0
	for _, w := range warns {
		if strings.Contains(w, "hyper-rectangle constraints are not exported") {
			return false, 0
		}
		if m := scaledRe.FindStringSubmatch(w); m != nil {
			for p := range s.Parties {
				if s.Parties[p].Name == m[1] {
					scale[p], _ = strconv.ParseFloat(m[2], 64)
					scaled++
				}
			}
		}
	}
	s2, err := Load(files[0], files[1:], Options{})
	if err != nil {
		t.Errorf("%s: reading back: %v", name, err)
		return false, 0
	}
	m2, err := s2.Compile()
	if err != nil {
		t.Errorf("%s: compiling back: %v", name, err)
		return false, 0
	}
	if len(m1.Sizes) != len(m2.Sizes) || len(m1.Parties) != len(m2.Parties) {
		t.Errorf("%s: shape differs", name)
		return false, 0
	}
	for i := range m1.Sizes {
		if m1.Sizes[i] != m2.Sizes[i] {
			t.Errorf("%s: issue %d: %d options, then %d", name, i, m1.Sizes[i], m2.Sizes[i])
			return false, 0
		}
	}
	tol := int64(len(m1.Sizes)) + 2
	// Compare in utilities: the two models have their own scales. Within
	// tol quanta of 2^-40, or 1e-9 after an export that divided by scale.
	same := func(p int, a, b int64) bool {
		fa, fb := m1.Parties[p].Utility.F(a), m2.Parties[p].Utility.F(b)
		if scale[p] != 1 {
			return math.Abs(fa-scale[p]*fb) <= 1e-9
		}
		return math.Abs(fa-fb) <= float64(tol)/parley.Quantum
	}
	for _, o := range writeOutcomes(m1) {
		u1, u2 := m1.Eval(o), m2.Eval(o)
		for p := range u1 {
			if !same(p, u1[p], u2[p]) {
				t.Errorf("%s: party %d, outcome %v: %v, then %v (scale %v)", name, p, o, m1.Parties[p].Utility.F(u1[p]), m2.Parties[p].Utility.F(u2[p]), scale[p])
				return false, 0
			}
		}
	}
	for p := range m1.Parties {
		if !same(p, m1.Parties[p].Reservation, m2.Parties[p].Reservation) {
			t.Errorf("%s: party %d: reservation %v, then %v", name, p, m1.Parties[p].Utility.F(m1.Parties[p].Reservation), m2.Parties[p].Utility.F(m2.Parties[p].Reservation))
		}
		if d1, d2 := m1.Parties[p].Principals[0].Discount, m2.Parties[p].Principals[0].Discount; len(m1.Parties[p].Principals) == 1 && d1 != d2 {
			t.Errorf("%s: party %d: discount %v, then %v", name, p, d1, d2)
		}
	}
	return true, scaled
}

// TestWriteRoundTripShared exports every Genius XML scenario of the shared
// data set (each domain with the profiles of its folder that read against
// it) and reads it back.
func TestWriteRoundTripShared(t *testing.T) {
	dataDir := shared.Genius(t)
	dirs, byDir := shared.FilesByDir(t, dataDir, ".xml")
	var total, ok, dropped, scaledParties, nonlinear int
	for _, dir := range dirs {
		var domains []*Domain
		datas := map[string][]byte{}
		for _, p := range byDir[dir] {
			data, _ := os.ReadFile(p)
			if d, err := ReadDomain(p, data); err == nil {
				domains = append(domains, d)
			} else {
				datas[p] = data
			}
		}
		var profPaths []string
		for p := range datas {
			profPaths = append(profPaths, p)
		}
		sort.Strings(profPaths)
		for _, d := range domains {
			var ps []*Profile
			var names []string
			nl := false
			for _, p := range profPaths {
				if pr, err := ReadProfile(p, datas[p], d); err == nil {
					ps = append(ps, pr)
					names = append(names, scenarioID(p)+"-"+strconv.Itoa(len(ps)))
					nl = nl || pr.Kind == Nonlinear
				}
			}
			if len(ps) == 0 {
				continue
			}
			if len(ps) == 1 {
				ps = append(ps, ps[0])
				names = append(names, names[0]+"-b")
			}
			s, err := Build(d, ps, names, Options{})
			if err != nil {
				continue
			}
			if _, err := s.Compile(); err != nil {
				continue
			}
			total++
			done, sc := writeRoundTrip(t, d.File, s)
			if done {
				ok++
				scaledParties += sc
				if nl {
					nonlinear++
				}
			} else {
				dropped++
			}
		}
	}
	t.Logf("%d Genius XML scenarios: %d round-trip (%d of them nonlinear; %d parties exported scaled, compared up to the scale), %d not comparable", total, ok, nonlinear, scaledParties, dropped)
	if ok == 0 {
		t.Error("nothing round-tripped")
	}
}
