package parley_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// TestAssumptionsEveryKind labels one choice of every kind an assumption
// and checks that Assumptions lists each, in file order, with its path,
// holder and trimmed reason, and that Unsourced then lists none of them.
func TestAssumptionsEveryKind(t *testing.T) {
	guess := func(why string) parley.Estimate { return parley.Estimate{Value: 0.5, Assumption: why} }
	x := []parley.Condition{{Issue: "x", Options: []string{"b"}}}
	prefs := parley.Preferences{
		Reservation: guess("res"),
		Discount:    guess("disc"),
		Issues: []parley.IssuePref{{
			Issue: "x", Weight: guess("w"), Assumption: " shape ",
			Values: []parley.OptionValue{{Option: "a", Value: guess("va")}},
		}},
		Constraints: []parley.Rect{{Utility: guess("rect"), Conditions: x}},
		RedLines:    []parley.RedLine{{Name: "never b", Conditions: x, Assumption: "red"}},
	}
	p := 0.7
	consent := parley.Estimate{Value: p}
	s := &parley.Scenario{
		ID:      "kinds",
		Variant: "v",
		Issues:  []parley.Issue{{Name: "x", Options: []parley.Option{{Label: "a"}, {Label: "b"}}}},
		Parties: []parley.Party{
			{Name: "Q", Delegation: &parley.Delegation{
				Rule:     parley.Ratification{Kind: parley.Unanimity, Assumption: "rule"},
				Factions: []parley.Faction{{Name: "F", Weight: guess("fw"), Preferences: prefs}},
			}},
		},
		Roles:      []parley.Role{{Name: "G", Kind: parley.Guarantor, Needed: x, ConsentProbability: &consent, Assumption: "role"}},
		Simulation: &parley.SimulationSpec{Assumption: "sim", Agents: []parley.AgentSpec{{Party: "Q", Agent: "boulware", Assumption: "tactic"}}},
		Variants:   []parley.Variant{{Name: "w", Assumption: "not applied"}, {Name: "v", Assumption: "applied"}},
	}
	var got []string
	for _, a := range s.Assumptions() {
		got = append(got, fmt.Sprintf("%s %s %s/%s/%s: %s", a.Kind, a.Path, a.Party, a.Principal, a.Name, a.Reason))
	}
	f := "parties[0].delegation.factions[0]"
	want := []string{
		"rule parties[0].delegation.rule Q//unanimity: rule",
		"estimate " + f + ".weight Q/F/weight: fw",
		"estimate " + f + ".preferences.reservation Q/F/reservation: res",
		"estimate " + f + ".preferences.discount Q/F/discount: disc",
		"estimate " + f + ".preferences.issues[0].weight Q/F/x weight: w",
		"estimate " + f + ".preferences.issues[0].values Q/F/x values: shape",
		"estimate " + f + ".preferences.issues[0].values[0].value Q/F/x=a: va",
		"estimate " + f + ".preferences.constraints[0].utility Q/F/constraint: rect",
		"red_line " + f + ".preferences.red_lines[0] Q/F/never b: red",
		"role roles[0] //G: role",
		"consent roles[0].consents //G: no source says whether G would sign",
		"simulation simulation //: sim",
		"simulation simulation.agents[0] Q//boulware: tactic",
		"variant variants[1] //v: applied",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Assumptions:\n%s\nwant:\n%s", g, w)
	}
	// Everything above is labelled, except the consent (an estimate without
	// a label) and what the test left bare: the option values' sources are
	// the issue preference's assumption.
	un := strings.Join(s.Unsourced(), " ")
	for _, p := range []string{".weight", ".reservation", ".discount", ".constraints[0].utility", ".red_lines[0]", "delegation.rule", "simulation.agents[0]", "variants[0]", "variants[1]"} {
		if strings.Contains(un, p+" ") || strings.HasSuffix(un, p) {
			t.Errorf("Unsourced lists %s, labelled an assumption: %s", p, un)
		}
	}
	if !strings.Contains(un, "roles[0].consents") {
		t.Errorf("Unsourced misses the unlabelled consent estimate: %s", un)
	}
}
