package analysis

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/exactref"
)

// These tests pin answers that a small fault would change without any
// other test noticing (issue 7, "Tests that would catch a wrong answer").
// Each was checked by putting the fault in and watching it fail. (The
// sentence that names a blocking faction is worded by package report:
// report/why_test.go.)

func opts(labels ...string) []parley.Option {
	var out []parley.Option
	for _, l := range labels {
		out = append(out, parley.Option{Label: l})
	}
	return out
}

func pref(res float64, ips ...parley.IssuePref) parley.Preferences {
	return parley.Preferences{Issues: ips, Reservation: parley.Estimate{Value: res}}
}

func ip(issue string, w float64, kv ...any) parley.IssuePref {
	p := parley.IssuePref{Issue: issue, Weight: parley.Estimate{Value: w}}
	for i := 0; i < len(kv); i += 2 {
		p.Values = append(p.Values, parley.OptionValue{Option: kv[i].(string), Value: parley.Estimate{Value: kv[i+1].(float64)}})
	}
	return p
}

func outcomeOf(m *parley.Model, labels ...string) parley.Outcome {
	o := make(parley.Outcome, len(labels))
	for i, l := range labels {
		o[i] = m.Scenario.Issues[i].OptionIndex(l)
	}
	return o
}

// atReservation: P's utility of (u,x) and (v,y) is exactly its reservation
// value 0.3 (0.1 + 0.2, which floats get wrong), so only (v,x) is in the
// zone; (u,x) would have the largest welfare if it were admitted. Q is a
// single actor, or a delegation of one faction (which takes the searched
// zone frontier instead of the cut global one).
func atReservation(delegation bool) *parley.Scenario {
	p := pref(0.3, ip("a", 0.5, "u", 0.2, "v", 0.6), ip("b", 0.5, "x", 0.4, "y", 0.0))
	q := pref(0.1, ip("a", 1, "u", 1.0, "v", 0.2))
	s := &parley.Scenario{ID: "at-reservation",
		Issues:  []parley.Issue{{Name: "a", Options: opts("u", "v")}, {Name: "b", Options: opts("x", "y")}},
		Parties: []parley.Party{{Name: "P", Preferences: &p}, {Name: "Q", Preferences: &q}},
	}
	if delegation {
		s.Parties[1] = parley.Party{Name: "Q", Delegation: &parley.Delegation{
			Factions: []parley.Faction{{Name: "q1", Weight: parley.Estimate{Value: 1}, Preferences: q}}}}
	}
	return s
}

// TestOutcomeAtReservationIsNotInZone: an outcome exactly at a reservation
// value is not acceptable (strictly above is required): the zone, its
// witness and every solution leave (u,x) and (v,y) out.
func TestOutcomeAtReservationIsNotInZone(t *testing.T) {
	t.Parallel()
	for _, delegation := range []bool{false, true} {
		s := atReservation(delegation)
		m, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		// The premise, exactly: P's utility of (u,x) is its reservation.
		if u := exactref.Party(s, &s.Parties[0], outcomeOf(m, "u", "x")); u.Cmp(exactref.Reservation(&s.Parties[0])) != 0 {
			t.Fatalf("premise: P(u,x) = %s", u.RatString())
		}
		rep, err := Analyze(context.Background(), m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := outcomeOf(m, "v", "x")
		if rep.Zone.Empty || rep.Zone.Size.Int64() != 1 || !rep.Zone.Exact {
			t.Fatalf("delegation %v: zone %+v, want exactly one outcome, (v,x)", delegation, rep.Zone)
		}
		if got := rep.Zone.Witness.Raw(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("delegation %v: witness %v, want %v", delegation, got, want)
		}
		for name, sol := range map[string]*Solution{"nash": rep.Nash, "ks": rep.KalaiSmorodinsky, "max_welfare": rep.MaxWelfare, "egalitarian": rep.Egalitarian} {
			if sol == nil || fmt.Sprint(sol.Raw()) != fmt.Sprint(want) {
				t.Errorf("delegation %v: %s = %+v, want (v,x) %v", delegation, name, sol, want)
			}
		}
	}
}

// TestNashFeasibleWithOneWithholdingThirdParty: exactly one guarantor
// withholds consent and the unconstrained Nash point needs it; the Nash
// point (and every solution) must be feasible and equal the brute force
// over feasible, acceptable outcomes.
func TestNashFeasibleWithOneWithholdingThirdParty(t *testing.T) {
	t.Parallel()
	no := false
	p := pref(0.1, ip("a", 1, "u", 1.0, "v", 0.6, "w", 0.3), ip("b", 1, "x", 1.0, "y", 0.5))
	q := pref(0.1, ip("a", 1, "u", 1.0, "v", 0.5, "w", 0.9), ip("b", 1, "x", 0.4, "y", 1.0))
	s := &parley.Scenario{ID: "guarantor",
		Issues:  []parley.Issue{{Name: "a", Options: opts("u", "v", "w")}, {Name: "b", Options: opts("x", "y")}},
		Parties: []parley.Party{{Name: "P", Preferences: &p}, {Name: "Q", Preferences: &q}},
		Roles:   []parley.Role{{Name: "G", Kind: parley.Guarantor, Needed: []parley.Condition{{Issue: "a", Options: []string{"u"}}}, Consents: &no}},
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	// The premise: without G's veto the Nash point has a = u.
	free := *m
	free.Infeasible, free.InfeasibleWhy = nil, nil
	if rep, err := Analyze(context.Background(), &free, Options{}); err != nil || rep.Nash == nil || rep.Nash.Raw()[0] != 0 {
		t.Fatalf("premise: the unconstrained Nash point must need the guarantor: %+v %v", rep.Nash, err)
	}
	rep, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var zpts [][]int64
	for o := range m.Outcomes() {
		if m.InZone(o) {
			zpts = append(zpts, m.Eval(o))
		}
	}
	if rep.Zone.Size.Int64() != int64(len(zpts)) {
		t.Errorf("zone %v, brute force %d", rep.Zone.Size, len(zpts))
	}
	for name, sol := range map[string]*Solution{"nash": rep.Nash, "ks": rep.KalaiSmorodinsky, "max_welfare": rep.MaxWelfare, "egalitarian": rep.Egalitarian} {
		if sol == nil || !m.Feasible(sol.Raw()) || !m.InZone(sol.Raw()) {
			t.Errorf("%s = %+v: not a feasible outcome of the zone", name, sol)
		}
	}
	if k := nashOver(m, zpts); rep.Nash == nil || fmt.Sprint(m.Eval(rep.Nash.Raw())) != fmt.Sprint(zpts[k]) {
		t.Errorf("nash %+v, brute force %v", rep.Nash, zpts[k])
	}
}

func nashOver(m *parley.Model, pts [][]int64) int {
	best, bv := -1, -1.0
	for k, u := range pts {
		v := 1.0
		for i := range u {
			v *= m.Parties[i].Utility.F(u[i] - m.Parties[i].Reservation)
		}
		if v > bv {
			best, bv = k, v
		}
	}
	return best
}
