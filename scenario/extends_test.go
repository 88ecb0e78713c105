package scenario

import (
	"math/rand/v2"
	"testing"
)

// TestExtendsAndAccounts checks that a variant built on another gets both
// overrides in order, keeps its own provenance, and that an uncertain
// consent decodes as a probability that Sample turns into a yes or a no.
func TestExtendsAndAccounts(t *testing.T) {
	const doc = `
id: ext
sources:
  - {id: A, leaning: north, family: AB}
  - {id: B, leaning: north, family: AB}
  - {id: C, leaning: south}
issues: [{name: x, options: [a, b]}]
parties:
  - {name: P, preferences: {reservation: 0.1, issues: [{issue: x, weight: 1, values: {a: 0, b: 1}}]}}
  - {name: Q, preferences: {reservation: 0.2, issues: [{issue: x, weight: 1, values: {a: 1, b: 0}}]}}
roles:
  - name: G
    kind: guarantor
    needed: [{issue: x, options: [b]}]
    consents: {value: 0.5, range: [0.2, 0.8], assumption: nobody knows}
variants:
  - name: one
    sources: [A, B]
    prior: {value: 2, assumption: two families agree}
    override: {parties: [{name: P, preferences: {reservation: 0.3}}]}
  - name: two
    extends: one
    sources: [C]
    assumption: a what-if
    override: {parties: [{name: Q, preferences: {reservation: 0.4}}]}
`
	f, err := Parse("ext.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("two")
	if err != nil {
		t.Fatal(err)
	}
	if p, q := s.Parties[0].Preferences.Reservation.Value, s.Parties[1].Preferences.Reservation.Value; p != 0.3 || q != 0.4 {
		t.Errorf("two extends one: reservations %v, %v; want 0.3 (from one) and 0.4 (from two)", p, q)
	}
	a := s.Account()
	if a.Variant != "two" || a.Extends != "one" || a.Assumption != "a what-if" || len(a.Sources) != 3 || a.Families != 2 || a.Prior != nil {
		t.Errorf("account of two: %+v", a)
	}
	s1, _ := f.Scenario("one")
	if a := s1.Account(); a.Families != 1 || a.Prior == nil || *a.Prior != 2 {
		t.Errorf("account of one: %+v (A and B are one family)", a)
	}
	base, _ := f.Scenario("")
	if a := base.Account(); len(a.Sources) != 3 || a.Families != 2 {
		t.Errorf("base account: %+v", a)
	}
	g := &s.Roles[0]
	if !g.ConsentUncertain() || g.Consents != nil || g.ConsentProbability.Value != 0.5 {
		t.Fatalf("uncertain consent: %+v", g)
	}
	as := s.Assumptions()
	found := false
	for _, x := range as {
		found = found || (x.Kind == "consent" && x.Name == "G" && x.Reason == "nobody knows")
	}
	if !found {
		t.Errorf("assumptions lack the uncertain consent: %+v", as)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Infeasible) != 1 {
		t.Errorf("an uncertain consent is not counted on: want 1 infeasible region, got %d", len(m.Infeasible))
	}
	// Sample decides the consent; over many draws both answers occur, at
	// about the drawn probability (mean 0.5).
	yes := 0
	r := rand.New(rand.NewPCG(1, 2))
	const n = 2000
	for i := 0; i < n; i++ {
		c := s.Sample(r)
		ro := c.Roles[0]
		if ro.Consents == nil || ro.ConsentProbability != nil {
			t.Fatalf("sampled role still uncertain: %+v", ro)
		}
		if *ro.Consents {
			yes++
		}
		if i == 0 && s.Roles[0].ConsentProbability == nil {
			t.Fatal("Sample changed the original scenario")
		}
	}
	if yes < n*4/10 || yes > n*6/10 {
		t.Errorf("consent drawn %d times in %d, want about half", yes, n)
	}
}
