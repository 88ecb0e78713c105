package simulate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/simulate"
)

// checkBase is a valid mediated scenario with a delegation; the cases edit
// its simulation section.
const checkBase = `id: t
issues:
  - {name: a, options: [x, y]}
  - {name: b, options: [u, v]}
parties:
  - name: P
    preferences: {reservation: 0.1, issues: [{issue: a, weight: 1, values: {y: 1}}]}
  - name: Q
    delegation:
      rule: unanimity
      factions:
        - {name: F, weight: 1, preferences: {reservation: 0.1, issues: [{issue: b, weight: 1, values: {v: 1}}]}}
simulation:
  protocol: mediated
  rounds: 10
  mediator: nash
  agents:
    - {party: P, agent: delegate}
    - {party: Q, agent: delegate}
  principals:
    - {party: Q, faction: F, agent: loyal}
`

// TestCheck: every mistake in a scenario's simulation settings that
// 'parley simulate' would trip over is found up front, at its position.
func TestCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, old, new string
		line, col      int
		path, msg      string
	}{
		{"OK", "", "", 0, 0, "", ""},
		{"UnknownAgent", "{party: P, agent: delegate}", "{party: P, agent: delegat}", 18, 25, "simulation.agents[0].agent", `unknown agent "delegat" (did you mean "delegate"?); negotiators for mediated: delegate`},
		{"MediatorAsParty", "{party: P, agent: delegate}", "{party: P, agent: nash}", 18, 25, "simulation.agents[0].agent", "nash is a mediator, not a negotiator"},
		{"OfferAgentInText", "{party: Q, agent: delegate}", "{party: Q, agent: boulware}", 19, 25, "simulation.agents[1].agent", "boulware cannot play the mediated protocol (it plays sao)"},
		{"NegotiatorAsMediator", "mediator: nash", "mediator: boulware", 16, 13, "simulation.mediator", "boulware is a negotiator, not a mediator; mediators for mediated: hillclimb, nash, scripted"},
		{"MediatorInSAO", "protocol: mediated\n  rounds: 10\n  mediator: nash\n  agents:\n    - {party: P, agent: delegate}\n    - {party: Q, agent: delegate}\n  principals:\n    - {party: Q, faction: F, agent: loyal}\n",
			"protocol: sao\n  rounds: 10\n  mediator: nash\n", 16, 13, "simulation.mediator", "a mediator needs the mediated protocol; this simulation uses sao"},
		{"NegotiatorAsPrincipal", "agent: loyal}", "agent: linear}", 21, 37, "simulation.principals[0].agent", "linear is a negotiator, not a principal"},
		{"BadParameter", "agent: loyal}", "agent: \"loyal:delta=abc\"}", 21, 37, "simulation.principals[0].agent", `loyal: parameter delta="abc" must be a number`},
		{"ScriptedUnknownIssue", "mediator: nash", "mediator: \"scripted:texts=c=x\"", 16, 13, "simulation.mediator", `unknown issue "c"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			text := strings.Replace(checkBase, c.old, c.new, 1)
			f, err := scenario.Parse("t.yaml", []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			err = scenario.Validate(f, simulate.Check)
			if c.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if _, plain := f.Scenario(""); plain != nil {
				t.Fatalf("the scenario alone should compile: %v", plain)
			}
			var list scenario.Errors
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("want one positioned error, got %v", err)
			}
			pe := list[0]
			if pe.Line != c.line || pe.Column != c.col || pe.Path != c.path || !strings.Contains(pe.Error(), c.msg) || parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("got %d:%d %s: %v (code %s)\nwant %d:%d %s: …%s…", pe.Line, pe.Column, pe.Path, pe, parley.ErrorCode(err), c.line, c.col, c.path, c.msg)
			}
		})
	}
}
