package verify_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
)

// BenchmarkCase takes one allegation from filing to a cast ruling under a
// joint mechanism (9 inputs), on a machine with b.N cases.
func BenchmarkCase(b *testing.B) {
	a := accord(&testing.T{})
	m, err := verify.New(a)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	day := 0
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprint("c", i)
		for _, in := range []parley.CaseEvent{
			{Kind: parley.CaseAllege, By: "Pakistan", Case: id, Accused: "Afghanistan", Commitments: []string{"soil-not-used"}},
			{Kind: parley.CaseOpen, By: "mediators", Case: id, Body: "joint"},
			{Kind: parley.CaseFind, By: "Pakistan", Case: id, Verdict: parley.Attributed},
			{Kind: parley.CaseFind, By: "Afghanistan", Case: id, Verdict: parley.Attributed},
			{Kind: parley.CaseRule, By: "Pakistan", Case: id, Verdict: parley.Attributed},
			{Kind: parley.CaseRule, By: "Afghanistan", Case: id, Verdict: parley.NotAttributable},
			{Kind: parley.CaseRule, By: "mediators", Case: id, Verdict: parley.Attributed},
			{Kind: parley.CaseApply, By: "Pakistan", Case: id},
			{Kind: parley.CaseDissent, By: "Afghanistan", Case: id}, // refused: no dissent under a joint ruling
		} {
			in.Day = day
			m.Step(in) //nolint:errcheck // the last input is refused on purpose
		}
		if i%50 == 0 {
			day++
		}
	}
}
