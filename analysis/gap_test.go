package analysis_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/analysis"
)

// TestParetoGapReported checks that a bounded frontier reports its gap
// bound (pareto_gap) and the search's account, and that the bound holds
// for an outcome the report names (the zone's witness); an exact frontier
// reports none.
func TestParetoGapReported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		exact bool
	}{{"10issues", true}, {"30issues", false}} {
		d := "anac/y2014/" + tc.name + "/"
		m := loadGenius(t, d, tc.name+"-domain.xml", "profile-1.xml", "profile-2.xml")
		r, err := analysis.Analyze(context.Background(), m, analysis.Options{MaxNodes: 100_000})
		if err != nil {
			t.Fatal(err)
		}
		if r.ParetoExact != tc.exact || (r.ParetoGap == nil) != tc.exact {
			t.Fatalf("%s: exact %v, gap %v", tc.name, r.ParetoExact, r.ParetoGap)
		}
		if tc.exact {
			continue
		}
		gap := *r.ParetoGap
		if gap < 0 || len(r.Caveats) == 0 || r.Caveats[0].Kind != analysis.CaveatParetoBounded || r.Caveats[0].Detail == "" {
			t.Fatalf("%s: gap %v, caveats %+v", tc.name, gap, r.Caveats)
		}
		w := r.Zone.Witness
		if w == nil {
			t.Fatalf("%s: no zone witness", tc.name)
		}
		ok := false
		for _, p := range r.Pareto {
			ok = ok || p.Utilities[0]+gap >= w.Utilities[0]-1e-9 && p.Utilities[1]+gap >= w.Utilities[1]-1e-9
		}
		if !ok {
			t.Errorf("%s: the witness %v beats every frontier point by more than the gap %v", tc.name, w.Utilities, gap)
		}
	}
}
