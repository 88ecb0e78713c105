package parley_test

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/exactref"
	"github.com/parleyhq/parley/internal/randscen"
	"github.com/parleyhq/parley/scenario"
)

func outcomes(m *parley.Model) []parley.Outcome {
	var out []parley.Outcome
	for o := range m.Outcomes() {
		out = append(out, append(parley.Outcome(nil), o...))
	}
	return out
}

// TestCompileEqualsExactReference holds every compiled utility (parties,
// factions, delegations' means, reservations) of random scenarios to the
// exact rational reference, outcome by outcome: equal, not close, since
// their numbers are short decimals.
func TestCompileEqualsExactReference(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := randscen.New(r, randscen.Options{Rects: seed%2 == 1, Decimals: seed%3 != 0})
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i := range m.Parties {
			if !m.Parties[i].Utility.Exact {
				t.Fatalf("seed %d: party %d is not exact (scale %d)", seed, i, m.Parties[i].Utility.Unit())
			}
		}
		if err := exactref.Check(s, m, exactref.Sample(m, 300)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

// TestBuiltinExact checks the built-in scenario, every variant, against the
// exact reference on every 31st outcome.
func TestBuiltinExact(t *testing.T) {
	t.Parallel()
	for _, name := range scenario.BuiltinNames() {
		f, err := scenario.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		vs := append([]parley.Variant{{}}, f.Variants()...)
		for _, v := range vs {
			s, err := f.Scenario(v.Name)
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Compile()
			if err != nil {
				t.Fatal(err)
			}
			var os []parley.Outcome
			for k, o := range outcomes(m) {
				if k%31 == 0 {
					os = append(os, o)
				}
			}
			if err := exactref.Check(s, m, os); err != nil {
				t.Errorf("%s %q: %v", name, v.Name, err)
			}
		}
	}
}

func twoParty(p0, p1 parley.Preferences, opts ...string) *parley.Scenario {
	is := parley.Issue{Name: "a"}
	for _, o := range opts {
		is.Options = append(is.Options, parley.Option{Label: o})
	}
	return &parley.Scenario{ID: "t",
		Issues:  []parley.Issue{is, {Name: "b", Options: []parley.Option{{Label: "x"}, {Label: "y"}}}},
		Parties: []parley.Party{{Name: "P", Preferences: &p0}, {Name: "Q", Preferences: &p1}},
	}
}

func vals(issue string, w float64, kv ...any) parley.IssuePref {
	ip := parley.IssuePref{Issue: issue, Weight: parley.Estimate{Value: w}}
	for i := 0; i < len(kv); i += 2 {
		ip.Values = append(ip.Values, parley.OptionValue{Option: kv[i].(string), Value: parley.Estimate{Value: kv[i+1].(float64)}})
	}
	return ip
}

// TestTiesAreExact: 0.1 + 0.2 is 0.3 (in floats it is not), 7/9 of a third
// issue ties 7/27, and an outcome exactly at the reservation value is not
// acceptable.
func TestTiesAreExact(t *testing.T) {
	t.Parallel()
	p := parley.Preferences{
		Issues:      []parley.IssuePref{vals("a", 0.5, "u", 0.2, "v", 0.6), vals("b", 0.5, "x", 0.4, "y", 0.0)},
		Reservation: parley.Estimate{Value: 0.3},
	}
	// u,x: 0.1 + 0.2 = 0.3 (= reservation); v,y: 0.3 + 0 = 0.3.
	nine := parley.IssuePref{Issue: "a", Weight: parley.Estimate{Value: 1}, Scale: 9,
		Values: []parley.OptionValue{{Option: "u", Value: parley.Estimate{Value: 7}}, {Option: "v", Value: parley.Estimate{Value: 3}}}}
	q := parley.Preferences{Issues: []parley.IssuePref{nine, vals("b", 2, "x", 0.5, "y", 0.25)}}
	m, err := twoParty(p, q, "u", "v").Compile()
	if err != nil {
		t.Fatal(err)
	}
	ux, vy := m.Eval(parley.Outcome{0, 0}), m.Eval(parley.Outcome{1, 1})
	if ux[0] != vy[0] || ux[0] != m.Parties[0].Reservation {
		t.Errorf("0.1+0.2 = %d, 0.3+0 = %d, reservation 0.3 = %d: want equal", ux[0], vy[0], m.Parties[0].Reservation)
	}
	if m.Parties[0].Accepts(parley.Outcome{0, 0}) {
		t.Error("an outcome exactly at the reservation value is accepted")
	}
	// Q: (7/9 + 2·0.5)/3 = 16/27 for u,x; (3/9 + 2·0.25)/3 = 5/18 for v,y.
	u := &m.Parties[1].Utility
	if got := exactref.Of(u, ux[1]); got.Cmp(big.NewRat(16, 27)) != 0 {
		t.Errorf("Q(u,x) = %s, want 16/27", got.RatString())
	}
	if got := exactref.Of(u, vy[1]); got.Cmp(big.NewRat(5, 18)) != 0 {
		t.Errorf("Q(v,y) = %s, want 5/18", got.RatString())
	}
}

// TestRoundedWhenNoScaleFits: decimals too long for a common denominator
// within 64 bits are rounded to the 2^-40 grid, and the function says so.
func TestRoundedWhenNoScaleFits(t *testing.T) {
	t.Parallel()
	p := parley.Preferences{Issues: []parley.IssuePref{
		vals("a", 0.24745764370861967, "u", 0.044444444444444446, "v", 1.0),
		vals("b", 0.11824193959921694, "x", 0.0788888888888889, "y", 1.0),
	}}
	q := parley.Preferences{Issues: []parley.IssuePref{vals("a", 1, "u", 1.0, "v", 0.0)}}
	s := twoParty(p, q, "u", "v")
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if u := &m.Parties[0].Utility; u.Exact || u.Unit() != parley.Quantum {
		t.Errorf("party P: exact %v, scale %d; want rounded to 2^-40", u.Exact, u.Unit())
	}
	if !m.Parties[1].Utility.Exact {
		t.Error("party Q is exact and must stay so: scales are per party")
	}
	if err := exactref.Check(s, m, outcomes(m)); err != nil {
		t.Error(err)
	}
}

// TestLargeMagnitudes: a reservation of 10^7 (which wrapped around on the
// old 2^-40 grid) is held exactly; beyond 2^61 a number is refused at its
// path, naming the limit.
func TestLargeMagnitudes(t *testing.T) {
	t.Parallel()
	p := parley.Preferences{Issues: []parley.IssuePref{vals("a", 1, "u", 2e7, "v", 1.0)}, Reservation: parley.Estimate{Value: 1e7}}
	q := parley.Preferences{Issues: []parley.IssuePref{vals("a", 1, "u", 1.0, "v", 0.0)}}
	s := twoParty(p, q, "u", "v")
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if !m.Parties[0].Accepts(parley.Outcome{0, 0}) || m.Parties[0].Accepts(parley.Outcome{1, 0}) {
		t.Error("reservation 1e7: 2e7 must be accepted, 1 refused")
	}
	if err := exactref.Check(s, m, outcomes(m)); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		edit func(*parley.Scenario)
		path string
	}{
		{func(s *parley.Scenario) { s.Parties[0].Preferences.Issues[0].Values[0].Value.Value = 1e300 }, "parties[0].preferences.issues[0].values[0].value"},
		{func(s *parley.Scenario) { s.Parties[0].Preferences.Reservation.Value = -1e19 }, "parties[0].preferences.reservation"},
		{func(s *parley.Scenario) {
			s.Parties[1].Preferences.Constraints = []parley.Rect{{Utility: parley.Estimate{Value: 3e18}}}
		}, "parties[1].preferences.constraints[0].utility"},
		{func(s *parley.Scenario) {
			// Two values of 2e18 on two issues: each fits, their sum does not.
			s.Parties[0].Preferences.Issues = []parley.IssuePref{vals("a", 1, "u", 4e18), vals("b", 1, "x", 4.2e18)}
		}, "parties[0].preferences.issues[1].values[0].value"},
	} {
		s := twoParty(p, q, "u", "v")
		s.Parties[0].Preferences = &parley.Preferences{Issues: append([]parley.IssuePref(nil), p.Issues...), Reservation: p.Reservation}
		s.Parties[0].Preferences.Issues[0].Values = append([]parley.OptionValue(nil), p.Issues[0].Values...)
		s.Parties[1].Preferences = &parley.Preferences{Issues: q.Issues}
		tc.edit(s)
		_, err := s.Compile()
		var ve *parley.ValidationError
		if !errors.As(err, &ve) || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: want a validation error, got %v", tc.path, err)
			continue
		}
		if ve.Fields[0].Path != tc.path || !strings.Contains(ve.Fields[0].Msg, "out of range") || !strings.Contains(ve.Fields[0].Msg, "2^61") {
			t.Errorf("want %s: out of range ... 2^61, got %v", tc.path, err)
		}
	}
	// Huge weights are relative: they divide by their sum and fit.
	s = twoParty(parley.Preferences{Issues: []parley.IssuePref{vals("a", 1e300, "u", 1.0), vals("b", 1e300, "x", 1.0)}}, q, "u", "v")
	if m, err := s.Compile(); err != nil || m.Parties[0].Utility.F(m.Eval(parley.Outcome{0, 0})[0]) != 1 {
		t.Errorf("weights 1e300 + 1e300: %v", err)
	}
}

// TestWeightedQuotaExact: weights 0.1, 0.2, 0.3, 0.4 and quota 0.6 ratify
// with {0.2, 0.4} and with {0.1, 0.2, 0.3} (exactly 0.6; in floats
// 0.1+0.2+0.3 is 0.6000000000000001 and 0.6·1 might differ), not with
// {0.1, 0.4}.
func TestWeightedQuotaExact(t *testing.T) {
	t.Parallel()
	fac := func(name string, w float64) parley.Faction {
		return parley.Faction{Name: name, Weight: parley.Estimate{Value: w}, Preferences: parley.Preferences{Issues: []parley.IssuePref{vals("a", 1, "u", 1.0)}}}
	}
	s := twoParty(parley.Preferences{Issues: []parley.IssuePref{vals("a", 1, "u", 1.0)}}, parley.Preferences{}, "u", "v")
	s.Parties[1] = parley.Party{Name: "D", Delegation: &parley.Delegation{
		Rule:     parley.Ratification{Kind: parley.WeightedQuota, Quota: 0.6},
		Factions: []parley.Faction{fac("a", 0.1), fac("b", 0.2), fac("c", 0.3), fac("d", 0.4)},
	}}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	d := &m.Parties[1]
	for _, tc := range []struct {
		acc  []bool
		want bool
	}{
		{[]bool{false, true, false, true}, true},
		{[]bool{true, true, true, false}, true},
		{[]bool{true, false, false, true}, false},
		{[]bool{true, true, false, false}, false},
	} {
		if got := d.Ratifies(tc.acc); got != tc.want {
			t.Errorf("%v: ratifies %v, want %v", tc.acc, got, tc.want)
		}
	}
}

// TestFunctionsExact holds piecewise-linear value functions to the exact
// reference: integer and real issues (steps of 0.1, 0.25, 1/3 of a unit
// written in decimals), "not addressed" options, knots outside the range
// or at equal x, values that override the function, delegations.
func TestFunctionsExact(t *testing.T) {
	t.Parallel()
	dec := []float64{-0.2, 0, 0.1, 0.25, 0.33, 0.5, 0.7, 1, 1.5, 2}
	for seed := uint64(0); seed < 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		s := &parley.Scenario{ID: "f"}
		for i := 0; i < 2+r.IntN(2); i++ {
			is := parley.Issue{Name: string(rune('a' + i))}
			switch r.IntN(3) {
			case 0:
				is.Kind, is.Min, is.Max = parley.Integer, float64(r.IntN(7)-3), float64(3+r.IntN(4))
				is.Options = parley.NumericOptions(parley.Integer, is.Min, is.Max, 0)
			case 1:
				is.Kind, is.Min, is.Max, is.Step = parley.Real, 0, 1, []float64{0.1, 0.25, 0.05}[r.IntN(3)]
				is.Options = parley.NumericOptions(parley.Real, is.Min, is.Max, is.Step)
			default:
				is.Kind, is.Min, is.Max, is.Step = parley.Real, 1.5, 2.7, 0.3
				is.Options = parley.NumericOptions(parley.Real, is.Min, is.Max, is.Step)
			}
			if r.IntN(3) == 0 {
				is.Options = append(is.Options, parley.Option{Label: "not addressed", NotAddressed: true})
			}
			s.Issues = append(s.Issues, is)
		}
		prefs := func() parley.Preferences {
			var p parley.Preferences
			for _, is := range s.Issues {
				ip := parley.IssuePref{Issue: is.Name, Weight: parley.Estimate{Value: dec[3+r.IntN(7)]}}
				x := is.Min - 1 + r.Float64()
				for k := 1 + r.IntN(4); k > 0; k-- {
					ip.Function = append(ip.Function, parley.Point{X: math.Round(x*10) / 10, Y: dec[r.IntN(len(dec))]})
					if r.IntN(4) > 0 {
						x += float64(r.IntN(3)) * 0.7
					}
				}
				if r.IntN(3) == 0 {
					o := is.Options[r.IntN(len(is.Options))]
					ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: dec[r.IntN(len(dec))]}})
				}
				if r.IntN(4) == 0 {
					ip.Scale = []float64{3, 7, 0.3}[r.IntN(3)]
				}
				p.Issues = append(p.Issues, ip)
			}
			p.Reservation.Value = dec[r.IntN(len(dec))] / 2
			return p
		}
		for p := 0; p < 2; p++ {
			pt := parley.Party{Name: string(rune('P' + p))}
			if r.IntN(3) == 0 {
				pt.Delegation = &parley.Delegation{Factions: []parley.Faction{
					{Name: "x", Weight: parley.Estimate{Value: 0.3}, Preferences: prefs()},
					{Name: "y", Weight: parley.Estimate{Value: 0.45}, Preferences: prefs()},
				}}
			} else {
				pr := prefs()
				pt.Preferences = &pr
			}
			s.Parties = append(s.Parties, pt)
		}
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i := range m.Parties {
			if !m.Parties[i].Utility.Exact {
				t.Fatalf("seed %d: party %d not exact", seed, i)
			}
		}
		if err := exactref.Check(s, m, exactref.Sample(m, 300)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

// TestNonFiniteOptionValue: a numeric option whose value is not a finite
// number (possible through the Go API) is an error, not a panic.
func TestNonFiniteOptionValue(t *testing.T) {
	t.Parallel()
	p := parley.Preferences{Issues: []parley.IssuePref{{Issue: "a", Weight: parley.Estimate{Value: 1}, Function: []parley.Point{{X: 0, Y: 0}, {X: 1, Y: 1}}}}}
	s := &parley.Scenario{ID: "t",
		Issues:  []parley.Issue{{Name: "a", Kind: parley.Real, Options: []parley.Option{{Label: "x", Value: math.NaN()}, {Label: "y", Value: 1}}}},
		Parties: []parley.Party{{Name: "P", Preferences: &p}, {Name: "Q", Preferences: &p}},
	}
	if _, err := s.Compile(); err == nil || !strings.Contains(err.Error(), "issues[0].options[0].value: option value must be a finite number") {
		t.Errorf("NaN option value: %v", err)
	}
}
