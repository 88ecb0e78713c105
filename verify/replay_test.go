package verify_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
	"github.com/parleyhq/parley/verify/verifytest"
)

// accord signs the built-in scenario with a mediated mechanism and joint
// finding.
func accord(t *testing.T) *parley.Accord {
	s := verifytest.Scenario(t, "istanbul-2025", "")
	return verifytest.Sign(t, s, map[string]string{"monitoring": "mediated_mechanism", "attribution": "joint_finding", "guarantee_form": "signed_guarantee"}, "2025-11-01")
}

func logOf(t *testing.T, a *parley.Accord) []parley.CaseEvent {
	m, err := verify.New(a)
	if err != nil {
		t.Fatal(err)
	}
	var log []parley.CaseEvent
	for _, in := range []parley.CaseEvent{
		{Day: 1, Kind: parley.CaseAllege, By: "Pakistan", Case: "c1", Accused: "Afghanistan", Commitments: []string{"soil-not-used"}},
		{Day: 2, Kind: parley.CaseOpen, By: "mediators", Case: "c1", Body: "mediators"},
		{Day: 3, Kind: parley.CaseRule, By: "Pakistan", Case: "c1", Verdict: parley.Attributed}, // refused: no finding yet
		{Day: 5, Kind: parley.CaseFind, By: "mediators", Case: "c1", Verdict: parley.Attributed},
		{Day: 40, Kind: parley.CaseTick},
	} {
		evs, _ := m.Step(in)
		log = append(log, evs...)
	}
	return log
}

// TestReplay: a log replays to the same machine; any edit of it — an
// input, an event the machine produced, a dropped, added or moved event —
// is refused.
func TestReplay(t *testing.T) {
	a := accord(t)
	log := logOf(t, a)
	m, err := verify.Replay(a, log)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Case("c1"); c.Stage != verify.Found || len(c.Overdue) != 1 {
		t.Errorf("replayed case %+v", c)
	}
	edits := map[string]func(l []parley.CaseEvent) []parley.CaseEvent{
		"input": func(l []parley.CaseEvent) []parley.CaseEvent {
			l[3].Verdict = parley.Unfounded
			return l
		},
		"produced": func(l []parley.CaseEvent) []parley.CaseEvent {
			for i := range l {
				if l[i].Kind == parley.CaseFinding {
					l[i].Verdict = parley.NotAttributable
				}
			}
			return l
		},
		"audience": func(l []parley.CaseEvent) []parley.CaseEvent {
			l[0].Audience = []string{"Pakistan"}
			return l
		},
		"dropped": func(l []parley.CaseEvent) []parley.CaseEvent { return append(l[:4:4], l[5:]...) },
		"added": func(l []parley.CaseEvent) []parley.CaseEvent {
			return append(l, parley.CaseEvent{Seq: len(l), Day: 41, Kind: parley.CaseMissed, Commitment: "mechanism-seated", Audience: a.Seats})
		},
		"moved":     func(l []parley.CaseEvent) []parley.CaseEvent { l[1], l[2] = l[2], l[1]; return l },
		"truncated": func(l []parley.CaseEvent) []parley.CaseEvent { return l[:len(l)-2] },
	}
	for name, edit := range edits {
		bad := edit(append([]parley.CaseEvent(nil), log...))
		if _, err := verify.Replay(a, bad); err == nil || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s edit: replay accepted it (%v)", name, err)
		}
	}
	// The machine's own wording may change between versions.
	reworded := append([]parley.CaseEvent(nil), log...)
	for i := range reworded {
		if reworded[i].Kind == parley.CaseRejected || reworded[i].Kind == parley.CaseEscalated {
			reworded[i].Note = strings.ToUpper(reworded[i].Note)
		}
	}
	if _, err := verify.Replay(a, reworded); err != nil {
		t.Errorf("reworded notes: %v", err)
	}
}
