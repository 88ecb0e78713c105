package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/parleyhq/parley"
)

// randScenario builds a small random scenario: categorical and integer
// issues, single actors and delegations with every rule kind, additive
// values drawn from a coarse grid (to create ties), rects with positive and
// negative utilities, red lines and reservations.
func randScenario(r *rand.Rand) *parley.Scenario {
	s := &parley.Scenario{ID: "rand"}
	ni := 2 + r.IntN(4)
	total := 1
	for i := 0; i < ni; i++ {
		k := 2 + r.IntN(4)
		if total*k > 600 {
			k = 2
		}
		total *= k
		is := parley.Issue{Name: "i" + strconv.Itoa(i)}
		if r.IntN(2) == 0 {
			is.Kind = parley.Integer
			is.Min, is.Max = 0, float64(k-1)
			is.Options = parley.NumericOptions(parley.Integer, 0, float64(k-1), 0)
		} else {
			for o := 0; o < k; o++ {
				is.Options = append(is.Options, parley.Option{Label: fmt.Sprintf("o%d", o)})
			}
		}
		s.Issues = append(s.Issues, is)
	}
	cond := func() parley.Condition {
		is := &s.Issues[r.IntN(ni)]
		c := parley.Condition{Issue: is.Name, Exclude: r.IntN(5) == 0}
		if is.Kind == parley.Integer {
			a := float64(r.IntN(len(is.Options)))
			b := a + float64(r.IntN(len(is.Options)))
			c.Min, c.Max = &a, &b
		} else {
			for _, o := range is.Options {
				if r.IntN(2) == 0 {
					c.Options = append(c.Options, o.Label)
				}
			}
			if len(c.Options) == 0 {
				c.Options = []string{is.Options[0].Label}
			}
		}
		return c
	}
	prefs := func() parley.Preferences {
		var p parley.Preferences
		for i := range s.Issues {
			if r.IntN(4) == 0 {
				continue
			}
			ip := parley.IssuePref{Issue: s.Issues[i].Name, Weight: parley.Estimate{Value: float64(1 + r.IntN(3))}}
			for _, o := range s.Issues[i].Options {
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: float64(r.IntN(5)) / 4}})
			}
			p.Issues = append(p.Issues, ip)
		}
		for k := r.IntN(4); k > 0; k-- {
			rc := parley.Rect{Utility: parley.Estimate{Value: float64(r.IntN(9) - 2)}}
			for c := 1 + r.IntN(3); c > 0; c-- {
				rc.Conditions = append(rc.Conditions, cond())
			}
			p.Constraints = append(p.Constraints, rc)
		}
		if r.IntN(2) == 0 {
			p.Scale = float64(4 + r.IntN(8))
		}
		for k := r.IntN(3); k > 0; k-- {
			rl := parley.RedLine{Name: "rl" + strconv.Itoa(k)}
			for c := 1 + r.IntN(2); c > 0; c-- {
				rl.Conditions = append(rl.Conditions, cond())
			}
			p.RedLines = append(p.RedLines, rl)
		}
		p.Reservation = parley.Estimate{Value: float64(r.IntN(6)) / 10}
		return p
	}
	np := 2 + r.IntN(3)
	for p := 0; p < np; p++ {
		pt := parley.Party{Name: "p" + strconv.Itoa(p)}
		if r.IntN(2) == 0 {
			pr := prefs()
			pt.Preferences = &pr
		} else {
			d := &parley.Delegation{}
			nf := 2 + r.IntN(3)
			for f := 0; f < nf; f++ {
				d.Factions = append(d.Factions, parley.Faction{Name: "f" + strconv.Itoa(f),
					Weight: parley.Estimate{Value: float64(1 + r.IntN(4))}, Preferences: prefs()})
			}
			d.Rule.Kind = parley.RuleKind(r.IntN(4))
			switch d.Rule.Kind {
			case parley.WeightedQuota:
				d.Rule.Quota = []float64{0.3, 0.5, 0.6, 2.0 / 3, 1}[r.IntN(5)]
			case parley.LeaderVeto:
				d.Rule.Leader = "f" + strconv.Itoa(r.IntN(nf))
				if r.IntN(2) == 0 {
					d.Rule.Vetoes = []string{"f" + strconv.Itoa(r.IntN(nf))}
				}
			}
			pt.Delegation = d
		}
		s.Parties = append(s.Parties, pt)
	}
	// Sometimes a guarantor that withholds consent makes a region infeasible.
	if r.IntN(4) == 0 {
		no := false
		s.Roles = append(s.Roles, parley.Role{Name: "g", Kind: parley.Guarantor, Needed: []parley.Condition{cond()}, Consents: &no})
	}
	return s
}

func randModel(t testing.TB, seed uint64) *parley.Model {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	m, err := randScenario(r).Compile()
	if err != nil {
		t.Fatalf("seed %d: compile: %v", seed, err)
	}
	return m
}

func samePoints(t *testing.T, what string, got, want []parley.FrontierPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d points, want %d\ngot  %v\nwant %v", what, len(got), len(want), pts(got), pts(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !slices.Equal(g.U, w.U) || !slices.Equal(g.Outcome, w.Outcome) || g.Count.Cmp(w.Count) != 0 {
			t.Fatalf("%s: point %d = %v %v x%v, want %v %v x%v", what, i, g.U, g.Outcome, g.Count, w.U, w.Outcome, w.Count)
		}
	}
}

func pts(ps []parley.FrontierPoint) string {
	s := ""
	for _, p := range ps {
		s += fmt.Sprintf("%v%v x%v; ", p.U, p.Outcome, p.Count)
	}
	return s
}

const nRandom = 400

func TestFrontierMatchesNaive(t *testing.T) {
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		for _, zo := range []bool{false, true} {
			res, err := Frontier(m, zo, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Exact {
				t.Fatalf("seed %d: not exact: %s", seed, res.Note)
			}
			samePoints(t, fmt.Sprintf("seed %d zoneOnly=%v", seed, zo), res.Points, NaiveFrontier(m, zo))
		}
	}
}

func TestZoneMatchesNaive(t *testing.T) {
	empty := 0
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		res, err := Zone(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, w := NaiveZone(m)
		if !res.Exact || res.Size.Cmp(n) != 0 || res.Empty != (w == nil) {
			t.Fatalf("seed %d: zone %+v, want size %v (witness %v)", seed, res, n, w)
		}
		if w == nil {
			empty++
			if res.Witness != nil {
				t.Fatalf("seed %d: witness %v in an empty zone", seed, res.Witness)
			}
		} else if !m.InZone(res.Witness) {
			t.Fatalf("seed %d: witness %v not in zone", seed, res.Witness)
		}
		if f, _ := n.Float64(); f != res.Estimate {
			t.Fatalf("seed %d: estimate %v, want %v", seed, res.Estimate, f)
		}
	}
	if empty == 0 || empty == nRandom {
		t.Errorf("random models are degenerate: %d of %d zones empty", empty, nRandom)
	}
}

func TestMaximizeMatchesNaive(t *testing.T) {
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		var us []*parley.UtilityFn
		for p := range m.Parties {
			us = append(us, &m.Parties[p].Utility)
			for j := range m.Parties[p].Principals {
				us = append(us, &m.Parties[p].Principals[j].Utility)
			}
		}
		for k, u := range us {
			for _, zo := range []bool{false, true} {
				best, arg, ok, exact, err := Maximize(m, u, zo, Options{})
				if err != nil {
					t.Fatal(err)
				}
				wb, _, wok := NaiveMaximize(m, u, zo)
				if !exact || ok != wok || (ok && best != wb) {
					t.Fatalf("seed %d fn %d zoneOnly=%v: got %v %v exact=%v, want %v %v", seed, k, zo, best, ok, exact, wb, wok)
				}
				if ok && (u.Eval(arg) != best || (zo && !m.InZone(arg))) {
					t.Fatalf("seed %d fn %d zoneOnly=%v: arg %v does not attain %v", seed, k, zo, arg, best)
				}
			}
		}
	}
}

// TestBounded checks that tiny budgets give honest, sound answers.
func TestBounded(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		m := randModel(t, seed)
		for _, budget := range []int64{1, 5, 20} {
			opt := Options{MaxNodes: budget, Seed: seed}
			for _, zo := range []bool{false, true} {
				res, err := Frontier(m, zo, opt)
				if err != nil {
					t.Fatal(err)
				}
				if res.Nodes > budget {
					t.Fatalf("seed %d: %d nodes over budget %d", seed, res.Nodes, budget)
				}
				for _, p := range res.Points {
					if !slices.Equal(m.Eval(p.Outcome), p.U) || (zo && !m.InZone(p.Outcome)) || p.Count.Sign() <= 0 {
						t.Fatalf("seed %d budget %d: unsound point %v %v x%v", seed, budget, p.U, p.Outcome, p.Count)
					}
				}
				if res.Exact {
					samePoints(t, "small budget exact", res.Points, NaiveFrontier(m, zo))
				} else if res.Note == "" {
					t.Fatal("no note")
				}
			}
			n, w := NaiveZone(m)
			zr, err := Zone(m, opt)
			if err != nil {
				if parley.ErrorCode(err) != parley.ELIMIT {
					t.Fatalf("seed %d: %v", seed, err)
				}
				continue
			}
			if zr.Exact {
				if zr.Size.Cmp(n) != 0 {
					t.Fatalf("seed %d: exact size %v want %v", seed, zr.Size, n)
				}
				continue
			}
			if w == nil || zr.Empty || !m.InZone(zr.Witness) || zr.Size.Cmp(n) > 0 || zr.Size.Sign() <= 0 {
				t.Fatalf("seed %d budget %d: bounded zone %+v, true size %v", seed, budget, zr, n)
			}
		}
	}
}

func TestInvalidModel(t *testing.T) {
	m := randModel(t, 1)
	bad := *m
	bad.Sizes = append([]int(nil), m.Sizes...)
	bad.Sizes[0]++
	if _, err := Frontier(&bad, false, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	if _, err := Zone(nil, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
}
