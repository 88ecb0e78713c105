package verify_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
	"github.com/parleyhq/parley/verify/verifytest"
)

// TestRandomInputs steps machines of every monitoring × attribution
// combination with random inputs, good and bad, and checks what must
// always hold: events are numbered in order, audiences are sorted non-empty
// sets of seats, time never runs backwards in the log, a refused input
// leaves exactly one rejected event, a malformed one leaves none, cases
// only move forward, and the log replays to the same machine.
func TestRandomInputs(t *testing.T) {
	s := verifytest.Scenario(t, "istanbul-2025", "us-signs")
	kinds := []parley.CaseEventKind{parley.CaseAllege, parley.CaseOpen, parley.CaseEvidence, parley.CaseFind, parley.CaseRule,
		parley.CaseDissent, parley.CaseApply, parley.CaseReport, parley.CaseConfirm, parley.CaseContest, parley.CaseTick}
	verdicts := []parley.Verdict{parley.NoVerdict, parley.Attributed, parley.NotAttributable, parley.Unfounded}
	for _, mon := range []string{"none", "bilateral_cell", "mediated_mechanism"} {
		for _, att := range []string{"not_addressed", "joint_finding", "pakistan_decides"} {
			a := verifytest.Sign(t, s, map[string]string{"monitoring": mon, "attribution": att, "guarantee_form": "signed_guarantee",
				"ttp_action": "time_bound_dismantling", "ceasefire": "extended_with_review"}, "2025-11-01")
			seats := append(append([]string(nil), a.Seats...), "Nobody")
			bodies := append(append([]string(nil), a.Seats...), parley.BodyJoint, "")
			var ids []string
			for _, c := range a.Commitments {
				ids = append(ids, c.ID)
			}
			for trial := 0; trial < 30; trial++ {
				r := rand.New(rand.NewPCG(uint64(trial), 99))
				m, err := verify.New(a)
				if err != nil {
					t.Fatal(err)
				}
				var log []parley.CaseEvent
				day := 0
				stage := map[string]verify.Stage{}
				for step := 0; step < 120; step++ {
					day += r.IntN(4) - 1 // now and then a step back in time
					in := parley.CaseEvent{
						Day: day, Kind: kinds[r.IntN(len(kinds))], By: seats[r.IntN(len(seats))],
						Case: fmt.Sprintf("c%d", r.IntN(4)), Accused: seats[r.IntN(len(seats))], Body: bodies[r.IntN(len(bodies))],
						Verdict: verdicts[r.IntN(len(verdicts))], Commitment: ids[r.IntN(len(ids))], Instance: r.IntN(4),
						Commitments: []string{ids[r.IntN(len(ids))]}, Confidential: r.IntN(4) == 0,
					}
					if r.IntN(10) < 7 {
						plausible(r, m, &in, seats[:len(seats)-1])
					}
					before := len(log)
					evs, err := m.Step(in)
					log = append(log, evs...)
					rejected := 0
					for _, ev := range evs {
						if ev.Kind == parley.CaseRejected {
							rejected++
						}
					}
					switch {
					case err == nil && rejected > 0:
						t.Fatalf("%s/%s: accepted input left a rejected event", mon, att)
					case err != nil && parley.ErrorCode(err) != parley.EINVALID:
						t.Fatalf("%s/%s: error code %q: %v", mon, att, parley.ErrorCode(err), err)
					case err != nil && rejected == 0 && len(evs) > 0:
						t.Fatalf("%s/%s: malformed input %v left events %v", mon, att, in, evs)
					case err != nil && rejected > 1:
						t.Fatalf("%s/%s: %d rejected events for one input", mon, att, rejected)
					}
					for i, ev := range log[before:] {
						if ev.Seq != before+i {
							t.Fatalf("event %d numbered %d", before+i, ev.Seq)
						}
						if len(ev.Audience) == 0 || !sort.StringsAreSorted(ev.Audience) {
							t.Fatalf("audience %v", ev.Audience)
						}
						for _, x := range ev.Audience {
							if !contains(a.Seats, x) {
								t.Fatalf("audience %v names %q, not a seat", ev.Audience, x)
							}
						}
						if before+i > 0 && ev.Day < log[before+i-1].Day && ev.Kind.Input() {
							t.Fatalf("input on day %d after an event on day %d", ev.Day, log[before+i-1].Day)
						}
					}
					if err != nil && rejected == 0 {
						day = m.Day() // the machine refused to go back in time
					}
					for _, c := range m.Cases() {
						if c.Stage < stage[c.ID] {
							t.Fatalf("case %s went back from %s to %s", c.ID, stage[c.ID], c.Stage)
						}
						stage[c.ID] = c.Stage
					}
				}
				m2, err := verify.Replay(a, log)
				if err != nil {
					t.Fatalf("%s/%s trial %d: %v", mon, att, trial, err)
				}
				if fmt.Sprint(m2.Cases()) != fmt.Sprint(m.Cases()) {
					t.Fatalf("%s/%s trial %d: replayed cases differ", mon, att, trial)
				}
			}
		}
	}
}

// plausible turns in into an input that fits a random case's stage (who
// acts and with what is still drawn at random, so many are refused), so
// that the random walk reaches findings, rulings and consequences.
func plausible(r *rand.Rand, m *verify.Machine, in *parley.CaseEvent, seats []string) {
	a := m.Accord()
	cases := m.Cases()
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	if len(cases) == 0 || r.IntN(5) == 0 {
		in.Kind, in.Case = parley.CaseAllege, fmt.Sprintf("c%d", len(cases))
		in.By = pick(a.Parties)
		in.Accused = pick(a.Parties)
		var owed []string
		for _, c := range a.Commitments {
			if c.Kind != parley.Obligation && contains(c.By, in.Accused) {
				owed = append(owed, c.ID)
			}
		}
		if len(owed) > 0 {
			in.Commitments = []string{pick(owed)}
		}
		return
	}
	c := cases[r.IntN(len(cases))]
	in.Case, in.By = c.ID, pick(seats)
	if in.Verdict == parley.NoVerdict {
		in.Verdict = parley.Attributed
	}
	switch c.Stage {
	case verify.Alleged:
		in.Kind, in.Body = parley.CaseOpen, pick(a.Mechanism.Investigate.By)
	case verify.Investigating:
		in.Kind = []parley.CaseEventKind{parley.CaseFind, parley.CaseEvidence}[r.IntN(2)]
	case verify.Found:
		in.Kind = parley.CaseRule
	default:
		in.Kind = []parley.CaseEventKind{parley.CaseDissent, parley.CaseApply}[r.IntN(2)]
		if len(c.Consequences) > 0 {
			in.Commitment = c.Consequences[0].Commitment
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
