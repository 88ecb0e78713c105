package protocol_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestDeadlineCountsExtensions: Deadline is the protocol's deadline now —
// the configured rounds, then moved by an extension every party asked for
// (alternating offers) or the mediator granted.
func TestDeadlineCountsExtensions(t *testing.T) {
	m, err := small2().Compile()
	if err != nil {
		t.Fatal(err)
	}
	p, err := protocol.SAOConfig{Rounds: 2, MaxExtensions: 1}.New(m)
	if err != nil {
		t.Fatal(err)
	}
	dl := p.(protocol.Deadliner)
	offers := []parley.Outcome{{0, 1}, {2, 0}}
	for round := range 2 {
		if got := dl.Deadline(); got != 2 {
			t.Fatalf("round %d: deadline %d, want 2", round, got)
		}
		for actor := range 2 {
			a := parley.Action{Actor: actor, Kind: parley.ActOffer, Outcome: offers[actor]}
			if round == 1 {
				a.Rounds = 3 // both ask for more in the last round
			}
			if err := p.Step(a); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := dl.Deadline(); got != 5 {
		t.Fatalf("after both asked for 3 more rounds: deadline %d, want 5", got)
	}

	mp, err := protocol.MediatedConfig{Rounds: 4, MaxExtensions: 1}.New(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := mp.(protocol.Deadliner).Deadline(); got != 4 {
		t.Fatalf("mediated: deadline %d, want 4", got)
	}
}
