package parley

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestSample(t *testing.T) {
	t.Parallel()
	s := &Scenario{ID: "s", Issues: []Issue{{Name: "a", Options: []Option{{Label: "x"}, {Label: "y"}}}},
		Parties: []Party{
			{Name: "P", Preferences: &Preferences{
				Issues:      []IssuePref{{Issue: "a", Weight: Estimate{Value: 1}, Values: []OptionValue{{Option: "y", Value: Estimate{Value: 0.5, Low: 0.2, High: 0.8, Ranged: true}}}}},
				Reservation: Estimate{Value: 0.3, Low: 0.1, High: 0.4, Ranged: true},
			}},
			{Name: "D", Delegation: &Delegation{Factions: []Faction{{Name: "f", Weight: Estimate{Value: 1, Low: 0.5, High: 2, Ranged: true},
				Preferences: Preferences{Reservation: Estimate{Value: 0.7}}}}}},
		}}
	r := rand.New(rand.NewPCG(1, 2))
	moved := false
	for i := 0; i < 200; i++ {
		c := s.Sample(r)
		v := c.Parties[0].Preferences.Issues[0].Values[0].Value.Value
		res := c.Parties[0].Preferences.Reservation.Value
		w := c.Parties[1].Delegation.Factions[0].Weight.Value
		if v < 0.2 || v > 0.8 || res < 0.1 || res > 0.4 || w < 0.5 || w > 2 {
			t.Fatalf("sample outside its range: value %v reservation %v weight %v", v, res, w)
		}
		if c.Parties[1].Delegation.Factions[0].Preferences.Reservation.Value != 0.7 {
			t.Fatalf("a point estimate moved")
		}
		moved = moved || v != 0.5
		// Draws are short decimals on the range's grid of 10^6 steps, so the
		// sampled scenario compiles exactly.
		if k := (v - 0.2) / 0.6 * sampleSteps; math.Abs(k-math.Round(k)) > 1e-6 || len(strconv.FormatFloat(v, 'g', -1, 64)) > 9 {
			t.Fatalf("draw %v is not on the range's grid", v)
		}
		m, err := c.Compile()
		if err != nil {
			t.Fatal(err)
		}
		for p := range m.Parties {
			if !m.Parties[p].Utility.Exact {
				t.Fatalf("sampled party %d is not exact", p)
			}
		}
	}
	if !moved {
		t.Fatal("ranged estimates never moved")
	}
	// The original is untouched.
	if s.Parties[0].Preferences.Issues[0].Values[0].Value.Value != 0.5 || s.Parties[0].Preferences.Reservation.Value != 0.3 {
		t.Fatal("Sample changed the original scenario")
	}
}
