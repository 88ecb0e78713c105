package report

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// TestWhyNamesTheBlockingFaction: when a faction blocks, the "what it would
// take" sentences say so, with the number of outcomes that going along
// would open (issue 7: dropping this branch went unnoticed).
func TestWhyNamesTheBlockingFaction(t *testing.T) {
	t.Parallel()
	pref := func(res float64, u, v, w float64) parley.Preferences {
		return parley.Preferences{Reservation: parley.Estimate{Value: res}, Issues: []parley.IssuePref{{Issue: "a", Weight: parley.Estimate{Value: 1},
			Values: []parley.OptionValue{{Option: "u", Value: parley.Estimate{Value: u}}, {Option: "v", Value: parley.Estimate{Value: v}}, {Option: "w", Value: parley.Estimate{Value: w}}}}}}
	}
	p := pref(0.2, 1, 0.5, 0)
	s := &parley.Scenario{ID: "faction",
		Issues: []parley.Issue{{Name: "a", Options: []parley.Option{{Label: "u"}, {Label: "v"}, {Label: "w"}}}},
		Parties: []parley.Party{{Name: "P", Preferences: &p}, {Name: "D", Delegation: &parley.Delegation{
			Rule: parley.Ratification{Kind: parley.Unanimity},
			Factions: []parley.Faction{
				{Name: "easy", Weight: parley.Estimate{Value: 1}, Preferences: pref(0.1, 0.5, 1, 0.2)},
				{Name: "hard", Weight: parley.Estimate{Value: 1}, Preferences: pref(0.9, 0, 0.5, 1)},
			}}}},
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(context.Background(), m, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Zone.Empty {
		t.Fatalf("premise: the zone must be empty, got %v", rep.Zone.Size)
	}
	why := Why(rep)
	// Going along, "hard" opens u and v: P and "easy" accept both.
	want := "D's faction hard blocks: if it went along, 2 outcomes would be acceptable to all."
	found := false
	for _, w := range why {
		found = found || w == want
		if strings.Contains(w, "easy blocks") {
			t.Errorf("why blames the faction that accepts: %q", w)
		}
	}
	if !found {
		t.Errorf("why %q lacks %q", why, want)
	}
}
