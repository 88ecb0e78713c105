package search

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/parleyhq/parley"
)

// rectScenario is a random model shaped like the ANAC 2014 nonlinear
// domains: ni integer issues 0..nv-1, nr rects per party with 1-4 interval
// conditions and utilities 1..100, scaled by their sum.
func rectScenario(seed uint64, ni, nv, nr int) *parley.Scenario {
	r := rand.New(rand.NewPCG(seed, 11))
	s := &parley.Scenario{ID: "rects"}
	for i := 0; i < ni; i++ {
		s.Issues = append(s.Issues, parley.Issue{Name: "i" + strconv.Itoa(i), Kind: parley.Integer,
			Max: float64(nv - 1), Options: parley.NumericOptions(parley.Integer, 0, float64(nv-1), 0)})
	}
	for p := 0; p < 2; p++ {
		pr := &parley.Preferences{}
		var sum float64
		for k := 0; k < nr; k++ {
			u := float64(1 + r.IntN(100))
			sum += u
			rc := parley.Rect{Utility: parley.Estimate{Value: u}}
			for _, i := range r.Perm(ni)[:1+r.IntN(4)] {
				a := float64(r.IntN(nv))
				b := a + float64(r.IntN(nv-int(a)))
				rc.Conditions = append(rc.Conditions, parley.Condition{Issue: "i" + strconv.Itoa(i), Min: &a, Max: &b})
			}
			pr.Constraints = append(pr.Constraints, rc)
		}
		pr.Scale = sum / 3
		s.Parties = append(s.Parties, parley.Party{Name: "p" + strconv.Itoa(p), Preferences: pr})
	}
	return s
}

func BenchmarkFrontierNonlinear10x10(b *testing.B) {
	var ms []*parley.Model
	for seed := uint64(0); seed < 8; seed++ {
		m, err := rectScenario(seed, 10, 10, 40).Compile()
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, m)
	}
	var nodes int64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := Frontier(ms[i%len(ms)], false, Options{})
		if err != nil || !res.Exact {
			b.Fatal(err, res.Note)
		}
		nodes += res.Nodes
	}
	b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
}

func BenchmarkFrontierANAC2014(b *testing.B) {
	for _, name := range []string{"10issues", "10issueswithRV", "10issuesDiscounted", "10issuesDiscountedwithRV"} {
		m := loadANAC(b, anacDir(b, name))
		b.Run(name, func(b *testing.B) {
			var nodes int64
			for b.Loop() {
				res, err := Frontier(m, false, Options{})
				if err != nil || !res.Exact {
					b.Fatal(err, res.Note)
				}
				nodes = res.Nodes
			}
			b.ReportMetric(float64(nodes), "nodes/op")
		})
	}
}

// zoneScenario: 8 issues × 10 options (10^8 outcomes), an additive buyer and
// a seller delegation of three factions ratifying by majority.
func zoneScenario() *parley.Scenario {
	r := rand.New(rand.NewPCG(5, 5))
	s := &parley.Scenario{ID: "zone"}
	for i := 0; i < 8; i++ {
		is := parley.Issue{Name: "i" + strconv.Itoa(i)}
		for o := 0; o < 10; o++ {
			is.Options = append(is.Options, parley.Option{Label: fmt.Sprint(o)})
		}
		s.Issues = append(s.Issues, is)
	}
	prefs := func(res float64, sign int) parley.Preferences {
		var p parley.Preferences
		for i := range s.Issues {
			ip := parley.IssuePref{Issue: s.Issues[i].Name, Weight: parley.Estimate{Value: float64(1 + r.IntN(5))}}
			for o := 0; o < 10; o++ {
				v := float64(o) / 9
				if sign < 0 {
					v = 1 - v
				}
				v = min(1, max(0, v+float64(r.IntN(3)-1)*0.1))
				ip.Values = append(ip.Values, parley.OptionValue{Option: fmt.Sprint(o), Value: parley.Estimate{Value: v}})
			}
			p.Issues = append(p.Issues, ip)
		}
		p.Reservation.Value = res
		return p
	}
	buyer := prefs(0.4, 1)
	s.Parties = append(s.Parties, parley.Party{Name: "buyer", Preferences: &buyer})
	d := &parley.Delegation{Rule: parley.Ratification{Kind: parley.Majority}}
	for f := 0; f < 3; f++ {
		d.Factions = append(d.Factions, parley.Faction{Name: "f" + strconv.Itoa(f), Weight: parley.Estimate{Value: 1}, Preferences: prefs(0.35+0.05*float64(f), -1)})
	}
	s.Parties = append(s.Parties, parley.Party{Name: "seller", Delegation: d})
	return s
}

func BenchmarkZoneCount(b *testing.B) {
	m, err := zoneScenario().Compile()
	if err != nil {
		b.Fatal(err)
	}
	var res *ZoneResult
	for b.Loop() {
		res, err = Zone(m, Options{})
		if err != nil || !res.Exact {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Nodes), "nodes/op")
	b.ReportMetric(res.Estimate/1e8, "zone-fraction")
}
