package analysis

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/randscen"
)

// TestDiscountAgainstBruteForce: on random scenarios whose principals
// discount, the time the zone closes equals the brute force over every
// outcome of the zone — max over o of min over parties of
// ln(u_i/r_i)/ln(1/d_i) — exactly, and each Shrink count equals the number
// of zone frontier points still open at its time. Where acceptance is more
// than utility above reservation (delegations, red lines, guarantors) the
// frontier is the zone's, and the result is marked inexact only for
// delegations' coalitions.
func TestDiscountAgainstBruteForce(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 4))
	checked := 0
	for k := 0; checked < 80 && k < 1000; k++ {
		s := randscen.New(r, randscen.Options{Rects: k%3 == 0})
		for i := range s.Parties {
			if p := s.Parties[i].Preferences; p != nil && r.IntN(4) > 0 {
				p.Discount = parley.Estimate{Value: 0.1 + 0.85*r.Float64()}
			}
			if d := s.Parties[i].Delegation; d != nil {
				f := 0.1 + 0.85*r.Float64()
				for j := range d.Factions {
					d.Factions[j].Preferences.Discount = parley.Estimate{Value: f}
				}
			}
		}
		m, err := s.Compile()
		if err != nil || !m.Discounted() {
			continue
		}
		rep, err := Analyze(context.Background(), m, Options{NoBlocking: true})
		if err != nil {
			t.Fatal(err)
		}
		d := rep.Discount
		if d == nil {
			t.Fatalf("scenario %d: no discount section", k)
		}
		checked++
		want, open := 0.0, false
		var zone [][]int64 // utility vectors of the zone, for its frontier
		for _, o := range all(m) {
			if !m.InZone(o) {
				continue
			}
			open = true
			zone = append(zone, m.Eval(o))
			c := math.Inf(1)
			for i := range m.Parties {
				c = min(c, lasts(m.Parties[i].Utility.F(m.Parties[i].Utility.Eval(o)), m.Parties[i].Utility.F(m.Parties[i].Reservation), m.Parties[i].DiscountFactor()))
			}
			want = max(want, c)
		}
		switch {
		case !open && (d.ClosesAt == nil || *d.ClosesAt != 0):
			t.Fatalf("scenario %d: empty zone, closes at %v", k, d.ClosesAt)
		case math.IsInf(want, 1) && d.ClosesAt != nil:
			t.Fatalf("scenario %d: the zone never closes, reported %v", k, *d.ClosesAt)
		case !math.IsInf(want, 1) && (d.ClosesAt == nil || *d.ClosesAt != want):
			t.Fatalf("scenario %d: closes at %v, brute force %v", k, d.ClosesAt, want)
		}
		front := naiveFront(zone)
		for j, z := range d.Shrink {
			n := 0
			for _, u := range front {
				c := math.Inf(1)
				for i := range m.Parties {
					c = min(c, lasts(m.Parties[i].Utility.F(u[i]), m.Parties[i].Utility.F(m.Parties[i].Reservation), m.Parties[i].DiscountFactor()))
				}
				if c > z.T {
					n++
				}
			}
			if z.T != shrinkTimes[j] || z.FrontierPoints != n {
				t.Fatalf("scenario %d: at t=%v %d frontier points open, brute force %d", k, z.T, z.FrontierPoints, n)
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d discounted scenarios checked", checked)
	}
}

// naiveFront returns the distinct non-dominated vectors of us, O(n²).
func naiveFront(us [][]int64) [][]int64 {
	var out [][]int64
	for i, u := range us {
		dominated, dup := false, false
		for j, v := range us {
			ge, gt := true, false
			for k := range u {
				ge = ge && v[k] >= u[k]
				gt = gt || v[k] > u[k]
			}
			dominated = dominated || (ge && gt)
			dup = dup || (j < i && eq(u, v))
		}
		if !dominated && !dup {
			out = append(out, u)
		}
	}
	return out
}

// TestDiscountHandWorked: two parties over one issue of 11 prices (buyer
// i/10, seller 1 − i/10), reservations 0.3 and 0.2, the buyer discounting
// by 0.5. The zone is prices 4..7 (buyer's 0.4..0.7 > 0.3, seller's
// 0.6..0.3 > 0.2); only the buyer's value shrinks, so the zone lasts while
// u·0.5^t > 0.3 at price 7: until ln(0.7/0.3)/ln 2 = 1.2224 (past the end
// of the negotiation). At t = 0.5 prices 5..7 remain (0.4·0.7071 < 0.3),
// at t = 1 only 7 (0.6·0.5 = 0.3 is not above 0.3).
func TestDiscountHandWorked(t *testing.T) {
	t.Parallel()
	rep := priceReport(t, [2]float64{0.3, 0.2}, [2]float64{0.5, 0})
	d := rep.Discount
	if d == nil || d.ClosesAt == nil || math.Abs(*d.ClosesAt-math.Log(0.7/0.3)/math.Log(2)) > 1e-9 || !d.Exact {
		t.Fatalf("discount %+v", d)
	}
	want := []int{4, 4, 3, 2, 1} // open prices at t = 0, 0.25, 0.5, 0.75, 1
	for j, z := range d.Shrink {
		if z.FrontierPoints != want[j] {
			t.Errorf("t=%v: %d frontier points open, want %d", z.T, z.FrontierPoints, want[j])
		}
	}
	if d.Factors[0] != 0.5 || d.Factors[1] != 1 {
		t.Errorf("factors %v", d.Factors)
	}
	// Reservations 0 and −0.2: discounting never brings a positive
	// utility down to them, so the zone (prices 1..9 for the seller at
	// 0, all for the buyer at −0.2) never closes.
	rep = priceReport(t, [2]float64{-0.2, 0}, [2]float64{0.5, 0.8})
	if d := rep.Discount; d == nil || d.ClosesAt != nil || d.Shrink[4].FrontierPoints != d.Shrink[0].FrontierPoints || d.Shrink[0].FrontierPoints == 0 {
		t.Fatalf("discount %+v", d)
	}
}

// priceReport analyses one issue of 11 prices (buyer i/10, seller
// 1 − i/10) with the given reservations and discount factors (0: none).
func priceReport(t *testing.T, res, disc [2]float64) *Report {
	t.Helper()
	s := &parley.Scenario{ID: "price", Issues: []parley.Issue{{Name: "price", Kind: parley.Integer, Min: 0, Max: 10, Options: parley.NumericOptions(parley.Integer, 0, 10, 0)}}}
	for p, name := range []string{"buyer", "seller"} {
		pref := parley.IssuePref{Issue: "price", Weight: parley.Estimate{Value: 1}}
		for i := 0; i <= 10; i++ {
			v := float64(i) / 10
			if p == 1 {
				v = 1 - v
			}
			pref.Values = append(pref.Values, parley.OptionValue{Option: s.Issues[0].Options[i].Label, Value: parley.Estimate{Value: v}})
		}
		pr := &parley.Preferences{Issues: []parley.IssuePref{pref}, Reservation: parley.Estimate{Value: res[p]}}
		if disc[p] > 0 {
			pr.Discount = parley.Estimate{Value: disc[p]}
		}
		s.Parties = append(s.Parties, parley.Party{Name: name, Preferences: pr})
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
