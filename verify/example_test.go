package verify_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
)

// An allegation under a clause that lets Pakistan rule alone: Afghanistan's
// attempt to rule is refused and recorded; Pakistan rules; Afghanistan
// files the dissent the text allows.
func Example() {
	a := &parley.Accord{
		Scenario: "example", Signed: "2025-11-03",
		Parties: []string{"Pakistan", "Afghanistan"}, Seats: []string{"Afghanistan", "Pakistan"},
		Commitments: []parley.Commitment{{ID: "soil-not-used", Kind: parley.Guarantee, Text: "Afghan soil is not used for attacks on Pakistan.",
			By: []string{"Afghanistan"}, To: []string{"Pakistan"}}},
		Mechanism: parley.Mechanism{
			Investigate: parley.Investigation{By: []string{"Pakistan"}},
			Rule:        parley.Ruling{By: "Pakistan", Dissent: []string{"Afghanistan"}, Within: 3},
		},
	}
	m, err := verify.New(a)
	if err != nil {
		panic(err)
	}
	for _, in := range []parley.CaseEvent{
		{Day: 2, Kind: parley.CaseAllege, By: "Pakistan", Case: "c1", Accused: "Afghanistan", Commitments: []string{"soil-not-used"}},
		{Day: 2, Kind: parley.CaseOpen, By: "Pakistan", Case: "c1"},
		{Day: 4, Kind: parley.CaseFind, By: "Pakistan", Case: "c1", Verdict: parley.Attributed},
		{Day: 5, Kind: parley.CaseRule, By: "Afghanistan", Case: "c1", Verdict: parley.NotAttributable},
		{Day: 5, Kind: parley.CaseRule, By: "Pakistan", Case: "c1", Verdict: parley.Attributed},
		{Day: 6, Kind: parley.CaseDissent, By: "Afghanistan", Case: "c1"},
	} {
		evs, err := m.Step(in)
		for _, ev := range evs {
			fmt.Println(verify.Format(ev, a.Seats))
		}
		if err != nil {
			fmt.Println("error:", err)
		}
	}
	c, _ := m.Case("c1")
	fmt.Println(c.Stage, c.Ruling, "disputed:", c.Disputed())
	// Output:
	// #0 d2 allege c1 by Pakistan accused=Afghanistan commitments=soil-not-used
	// #1 d2 open c1 by Pakistan body=Pakistan
	// #2 d4 find c1 by Pakistan verdict=attributed [seen by Pakistan]
	// #3 d4 finding c1 body=Pakistan verdict=attributed deadline=d7 [seen by Pakistan]
	// #4 d5 rejected rule c1 by Afghanistan verdict=not_attributable — under this accord only Pakistan rules; Afghanistan may file a dissent once it has
	// error: verify: rule by Afghanistan refused: under this accord only Pakistan rules; Afghanistan may file a dissent once it has
	// #5 d5 rule c1 by Pakistan verdict=attributed
	// #6 d5 ruling c1 accused=Afghanistan commitments=soil-not-used body=Pakistan verdict=attributed
	// #7 d6 dissent c1 by Afghanistan
	// closed attributed disputed: true
}
