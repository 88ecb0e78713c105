package parley

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
)

func TestNumericOptionsLabels(t *testing.T) {
	t.Parallel()
	opts := NumericOptions(Real, 0, 1, 0.1)
	if len(opts) != 11 {
		t.Fatalf("0..1 step 0.1: got %d options, want 11", len(opts))
	}
	if opts[3].Label != "0.3" || opts[7].Label != "0.7" {
		t.Errorf("labels carry float noise: %q %q", opts[3].Label, opts[7].Label)
	}
	if got := NumericOptions(Integer, -2, 2, 0); len(got) != 5 || got[0].Label != "-2" {
		t.Errorf("integer -2..2: %+v", got)
	}
}

func TestConditionNotAddressedOutsideRanges(t *testing.T) {
	t.Parallel()
	is := Issue{Name: "x", Kind: Integer, Options: append(NumericOptions(Integer, 0, 2, 0), Option{Label: "not addressed", NotAddressed: true})}
	zero, two := 0.0, 2.0
	c := Condition{Issue: "x", Min: &zero, Max: &two}
	for k := 0; k < 3; k++ {
		if !c.Meets(&is, k) {
			t.Errorf("option %d should be within 0..2", k)
		}
	}
	if c.Meets(&is, 3) {
		t.Errorf("the not-addressed option must not be within a numeric range")
	}
	c.Exclude = true
	if !c.Meets(&is, 3) {
		t.Errorf("excluded range: the not-addressed option is outside it, so it meets the condition")
	}
}

// TestCompileSemantics checks the documented compile rules on a
// hand-computed example: weights are relative, unlisted options are worth
// 0, functions are evaluated at option values, constraints are divided by
// Scale, a delegation's utility is the weighted mean of its factions'.
func TestCompileSemantics(t *testing.T) {
	t.Parallel()
	yes := false
	s := &Scenario{
		ID: "t",
		Issues: []Issue{
			{Name: "a", Options: []Option{{Label: "lo"}, {Label: "hi"}}},
			{Name: "n", Kind: Integer, Options: NumericOptions(Integer, 0, 4, 0)},
		},
		Parties: []Party{
			{Name: "P", Preferences: &Preferences{
				Issues: []IssuePref{
					{Issue: "a", Weight: Estimate{Value: 3}, Values: []OptionValue{{Option: "hi", Value: Estimate{Value: 1}}}},
					{Issue: "n", Weight: Estimate{Value: 1}, Function: []Point{{X: 0, Y: 0}, {X: 4, Y: 1}}},
				},
				Constraints: []Rect{{Utility: Estimate{Value: 5}, Conditions: []Condition{{Issue: "a", Options: []string{"lo"}}}}},
				Scale:       10,
				Reservation: Estimate{Value: 0.2},
			}},
			{Name: "D", Delegation: &Delegation{Rule: Ratification{Kind: Unanimity}, Factions: []Faction{
				{Name: "f1", Weight: Estimate{Value: 1}, Preferences: Preferences{Issues: []IssuePref{{Issue: "a", Weight: Estimate{Value: 1}, Values: []OptionValue{{Option: "lo", Value: Estimate{Value: 1}}}}}, Reservation: Estimate{Value: 0.4}}},
				{Name: "f2", Weight: Estimate{Value: 3}, Preferences: Preferences{Issues: []IssuePref{{Issue: "n", Weight: Estimate{Value: 1}, Function: []Point{{X: 0, Y: 1}, {X: 4, Y: 0}}}}, Reservation: Estimate{Value: 0}}},
			}}},
		},
		Roles: []Role{{Name: "G", Kind: Guarantor, Needed: []Condition{{Issue: "a", Options: []string{"hi"}}}, Consents: &yes}},
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		o    Outcome
		want []float64
		zone bool
	}{
		// P: (3·0 + 1·0.5)/4 + 5/10 = 0.625 with a=lo, n=2.
		// D: f1 = 1, f2 = 0.5 → 0.25·1 + 0.75·0.5 = 0.625.
		{Outcome{0, 2}, []float64{0.625, 0.625}, true},
		// P: (3·1 + 1·1)/4 = 1 with a=hi, n=4; D: f1 0, f2 0 → 0. Infeasible (G does not consent).
		{Outcome{1, 4}, []float64{1, 0}, false},
	} {
		got := m.Eval(tc.o)
		for i := range got {
			u := &m.Parties[i].Utility
			if !u.Exact || u.F(got[i]) != tc.want[i] || got[i] != u.Q(tc.want[i]) {
				t.Errorf("outcome %v party %d: got %v (exact %v), want %v", tc.o, i, u.F(got[i]), u.Exact, tc.want[i])
			}
		}
		if m.InZone(tc.o) != tc.zone {
			t.Errorf("outcome %v: in zone %v, want %v", tc.o, m.InZone(tc.o), tc.zone)
		}
	}
	if m.Size().Cmp(big.NewInt(10)) != 0 {
		t.Errorf("size %v, want 10", m.Size())
	}
	if d := &m.Parties[1]; d.Utility.F(d.Reservation) != 0.1 || d.Reservation*10 != d.Utility.Unit() {
		t.Errorf("delegation reservation %v, want 0.25·0.4 = 0.1 exactly", d.Utility.F(d.Reservation))
	}
}

func TestCompileReportsEveryProblem(t *testing.T) {
	t.Parallel()
	s := &Scenario{ID: "bad",
		Issues:  []Issue{{Name: "a", Options: []Option{{Label: "x"}, {Label: "x"}}}},
		Parties: []Party{{Name: "P"}},
	}
	_, err := s.Compile()
	if ErrorCode(err) != EINVALID {
		t.Fatalf("code %q, want %q (err %v)", ErrorCode(err), EINVALID, err)
	}
	for _, want := range []string{`issues[0].options[1].label: duplicate option "x"`, "parties: at least two parties", `parties[0]: party "P" needs preferences or a delegation`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestOutcomesAndComplete(t *testing.T) {
	t.Parallel()
	s := &Scenario{ID: "o", Issues: []Issue{
		{Name: "a", Options: []Option{{Label: "x"}, {Label: "y"}, {Label: "silent", NotAddressed: true}}},
		{Name: "b", Options: []Option{{Label: "p"}, {Label: "q"}}},
	}}
	m := &Model{Scenario: s, Sizes: []int{3, 2}}
	var got []string
	for o := range m.Outcomes() {
		got = append(got, fmt.Sprint(o))
	}
	if want := "[[0 0] [0 1] [1 0] [1 1] [2 0] [2 1]]"; fmt.Sprint(got) != want {
		t.Errorf("Outcomes: %v, want %s", got, want)
	}
	n := 0
	for range (&Model{Sizes: []int{2, 0}}).Outcomes() {
		n++
	}
	if n != 0 {
		t.Errorf("an issue without options: %d outcomes, want 0", n)
	}
	for range m.Outcomes() {
		break // stopping early must not panic
	}
	if c := m.Complete(Outcome{-1, -1}); fmt.Sprint(c) != "[2 0]" {
		t.Errorf("Complete: %v, want [2 0] (not addressed, then first option)", c)
	}
	if m.Complete(Outcome{1}) != nil {
		t.Error("Complete of a short text must be nil")
	}
}
