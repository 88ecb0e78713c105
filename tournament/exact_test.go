package tournament

import (
	"math"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestRowSumsAreExact: welfare, advantage and partner welfare are
// computed from the fixed-point utilities, so a row whose utilities are
// 0.1, 0.2 and 0.3 writes a welfare of 0.6 and an advantage of 0.2 (float
// arithmetic writes 0.6000000000000001 and 0.19999999999999998), across
// parties of different scales; a discounted party's sums take the
// decimals the row writes.
func TestRowSumsAreExact(t *testing.T) {
	est := func(v float64) parley.Estimate { return parley.Estimate{Value: v} }
	party := func(name string, agree, other, res float64) parley.Party {
		return parley.Party{Name: name, Preferences: &parley.Preferences{Reservation: est(res), Issues: []parley.IssuePref{{
			Issue: "x", Weight: est(1), Values: []parley.OptionValue{{Option: "a", Value: est(agree)}, {Option: "b", Value: est(other)}}}}}}
	}
	s := &parley.Scenario{ID: "sums",
		Issues: []parley.Issue{{Name: "x", Options: []parley.Option{{Label: "a"}, {Label: "b"}}}},
		Parties: []parley.Party{
			party("P", 0.1, 0.999, 0.3),
			party("Q", 0.2, 0.7, 0.05),
			party("R", 0.3, 0.91, 0.1),
		}}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	scales := map[int64]bool{}
	for i := range m.Parties {
		if !m.Parties[i].Utility.Exact {
			t.Fatalf("party %d not exact", i)
		}
		scales[m.Parties[i].Utility.Unit()] = true
	}
	if len(scales) < 3 {
		t.Fatalf("scales %v: want three, so that sums cross scales", scales)
	}
	col := func(rec []string, name string, seat int) string {
		cols := columns(3)
		want := name
		if seat >= 0 {
			want += "_" + string(rune('0'+seat))
		}
		i := slices.IndexFunc(cols, func(c column) bool { return c.name == want })
		if i < 0 {
			t.Fatalf("no column %s", want)
		}
		return rec[i]
	}
	d := &domain{Loaded: &Loaded{ScenarioInfo: ScenarioInfo{Name: "sums", Parties: []string{"P", "Q", "R"}}, Model: m}}
	agree := parley.Outcome{0}
	utils := []float64{0.1, 0.2, 0.3}
	r := &row{scenario: d, agents: []string{"a", "b", "c"},
		out: outcome{result: protocol.Result{End: parley.Agreement, Agreement: agree}, utilities: utils, undiscounted: utils},
		m:   metrics{welfare: utils[0] + utils[1] + utils[2], paretoDist: math.NaN(), nashDist: math.NaN(), paretoOpt: math.NaN(), nashOpt: math.NaN()}}
	rec := r.record(3, "h", nil)
	for _, c := range []struct {
		name string
		seat int
		want string
	}{
		{"welfare", -1, "0.6"},
		{"utility", 0, "0.1"},
		{"advantage", 0, "-0.2"},
		{"partner_welfare", 0, "0.5"},
		{"advantage", 1, "0.15"},
		{"partner_welfare", 1, "0.4"},
		{"advantage", 2, "0.2"},
		{"partner_welfare", 2, "0.3"},
	} {
		if got := col(rec, c.name, c.seat); got != c.want {
			t.Errorf("%s of seat %d: %s, want %s", c.name, c.seat, got, c.want)
		}
	}
	// The same row with R discounting: its utility is the float the
	// session computed, and the sums take it as written.
	dm := *m
	dm.Parties = slices.Clone(m.Parties)
	dm.Parties[2].Principals = slices.Clone(dm.Parties[2].Principals)
	dm.Parties[2].Principals[0].Discount = 0.5
	r.scenario = &domain{Loaded: &Loaded{ScenarioInfo: d.ScenarioInfo, Model: &dm}}
	r.out.utilities = []float64{0.1, 0.2, 0.15}
	rec = r.record(3, "h", nil)
	if got := col(rec, "welfare", -1); got != "0.45" {
		t.Errorf("welfare with a discounted party: %s, want 0.45", got)
	}
	if got := col(rec, "advantage", 2); got != "0.05" {
		t.Errorf("advantage of the discounted party: %s, want 0.05", got)
	}
}
