package agent_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
)

// A hillclimb mediator opens with the status quo, keeps the clause both
// parties accepted and replaces the one a party rejected with an option
// nobody has rejected yet. It never sees the parties' utilities.
func Example_hillclimb() {
	opts := func(labels ...string) []parley.Option {
		var os []parley.Option
		for k, l := range labels {
			os = append(os, parley.Option{Label: l, NotAddressed: k == 0})
		}
		return os
	}
	pref := func(v0, v1 float64) *parley.Preferences {
		return &parley.Preferences{Issues: []parley.IssuePref{
			{Issue: "ceasefire", Weight: parley.Estimate{Value: 1}, Values: []parley.OptionValue{{Option: "none", Value: parley.Estimate{Value: v0}}, {Option: "extended", Value: parley.Estimate{Value: v1}}}},
			{Issue: "monitoring", Weight: parley.Estimate{Value: 1}},
		}}
	}
	s := &parley.Scenario{ID: "example",
		Issues: []parley.Issue{
			{Name: "ceasefire", Options: opts("none", "extended", "open_ended")},
			{Name: "monitoring", Options: opts("none", "cell")},
		},
		Parties: []parley.Party{{Name: "A", Preferences: pref(0, 1)}, {Name: "B", Preferences: pref(1, 0)}},
	}
	m, err := s.Compile()
	if err != nil {
		panic(err)
	}
	med, err := agent.New("hillclimb")
	if err != nil {
		panic(err)
	}
	if err := med.Init(&parley.Session{Model: m, Party: parley.MediatorActor, Rounds: 10}); err != nil {
		panic(err)
	}
	text := []parley.Clause{{Issue: 0, Option: -1, OnAgenda: true}, {Issue: 1, Option: -1, OnAgenda: true}}
	show := func(a parley.Action) {
		fmt.Printf("%v %v: %s\n", a.Kind, m.Labels(a.Outcome), a.Reason)
	}
	first := med.Act(&parley.Turn{Kind: parley.TurnText, Text: text})
	show(first)

	// A rejects ceasefire=none, both accept monitoring=none (now agreed).
	text[0] = parley.Clause{Issue: 0, Option: 0, State: parley.ClauseProposed, OnAgenda: true}
	text[1] = parley.Clause{Issue: 1, Option: 0, State: parley.ClauseAgreed, OnAgenda: true}
	history := []parley.Action{first,
		{Actor: 0, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerReject, parley.AnswerAccept}},
		{Actor: 1, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept}},
	}
	show(med.Act(&parley.Turn{Kind: parley.TurnText, Round: 1, Text: text, History: history}))
	// Output:
	// text map[ceasefire:none monitoring:none]: opening text
	// text map[ceasefire:extended monitoring:none]: revise ceasefire=extended
}
