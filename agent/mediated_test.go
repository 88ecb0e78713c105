package agent

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// Tests of the single-text agents. Models are hand-built scenario literals;
// turns are built by hand, and a small in-test driver (textRun) plays the
// mediated protocol as the brief describes it, so that these tests do not
// depend on package protocol.

// iss makes a categorical issue whose first option is the status quo.
func iss(name string, labels ...string) parley.Issue {
	is := parley.Issue{Name: name}
	for k, l := range labels {
		is.Options = append(is.Options, parley.Option{Label: l, NotAddressed: k == 0})
	}
	return is
}

// prefs makes preferences: weights and per-option values by issue name.
func prefs(res float64, w map[string]float64, v map[string][]float64, s *parley.Scenario) parley.Preferences {
	p := parley.Preferences{Reservation: parley.Estimate{Value: res}}
	for _, is := range s.Issues {
		ip := parley.IssuePref{Issue: is.Name, Weight: parley.Estimate{Value: w[is.Name]}}
		for k, x := range v[is.Name] {
			ip.Values = append(ip.Values, parley.OptionValue{Option: is.Options[k].Label, Value: parley.Estimate{Value: x}})
		}
		p.Issues = append(p.Issues, ip)
	}
	return p
}

func compile(t *testing.T, s *parley.Scenario) *parley.Model {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// zoneModel: two parties with opposed but differently weighted interests
// on three issues; trading issue a against issue c leaves a zone.
func zoneModel(t *testing.T) *parley.Model {
	s := &parley.Scenario{ID: "zone", Issues: []parley.Issue{
		iss("a", "a0", "a1", "a2"), iss("b", "b0", "b1", "b2"), iss("c", "c0", "c1", "c2"),
	}}
	up := []float64{0, 0.5, 1}
	down := []float64{1, 0.5, 0}
	pa := prefs(0.4, map[string]float64{"a": 0.6, "b": 0.3, "c": 0.1}, map[string][]float64{"a": up, "b": up, "c": up}, s)
	pb := prefs(0.4, map[string]float64{"a": 0.1, "b": 0.3, "c": 0.6}, map[string][]float64{"a": down, "b": down, "c": down}, s)
	s.Parties = []parley.Party{{Name: "A", Preferences: &pa}, {Name: "B", Preferences: &pb}}
	return compile(t, s)
}

// istanbulModel is shaped like the Istanbul case: a single party P and a
// delegation D whose leader L decides with a veto for V; V's red line
// forbids every guarantor option but "us", the US does not consent, and
// (in the texts the tests build) the guarantor issue is off the agenda.
func istanbulModel(t *testing.T) *parley.Model {
	s := &parley.Scenario{ID: "ist", Issues: []parley.Issue{
		iss("action", "none", "assurance", "dismantle"),
		iss("form", "oral", "statement", "signed"),
		iss("guarantor", "witness", "mediators", "us"),
	}}
	pp := prefs(0.5, map[string]float64{"action": 0.7, "form": 0.1, "guarantor": 0.2},
		map[string][]float64{"action": {0, 0.3, 1}, "form": {0, 0.5, 1}, "guarantor": {0.7, 1, 0}}, s)
	lp := prefs(0.4, map[string]float64{"action": 0.2, "form": 0.7, "guarantor": 0.1},
		map[string][]float64{"action": {1, 0.9, 0.4}, "form": {1, 0.7, 0.3}, "guarantor": {0.8, 0.8, 0.6}}, s)
	vp := prefs(0.55, map[string]float64{"action": 0.2, "form": 0.4, "guarantor": 0.4},
		map[string][]float64{"action": {1, 0.8, 0.3}, "form": {1, 0.6, 0.1}, "guarantor": {0, 0.4, 1}}, s)
	vp.RedLines = []parley.RedLine{{Name: "us-precondition", Conditions: []parley.Condition{{Issue: "guarantor", Options: []string{"witness", "mediators"}}}}}
	no := false
	s.Parties = []parley.Party{
		{Name: "P", Preferences: &pp},
		{Name: "D", Delegation: &parley.Delegation{
			Rule: parley.Ratification{Kind: parley.LeaderVeto, Leader: "L", Vetoes: []string{"V"}},
			Factions: []parley.Faction{
				{Name: "L", Weight: parley.Estimate{Value: 0.6}, Preferences: lp},
				{Name: "V", Weight: parley.Estimate{Value: 0.4}, Preferences: vp},
			},
		}},
	}
	s.Roles = []parley.Role{{Name: "US", Kind: parley.Guarantor, Consents: &no,
		Needed: []parley.Condition{{Issue: "guarantor", Options: []string{"us"}}}}}
	return compile(t, s)
}

// text builds a text: opts per issue (−1 blank), states per issue, and
// which issues are on the agenda (nil: all).
func text(opts []int, states []parley.ClauseState, agenda []bool) []parley.Clause {
	out := make([]parley.Clause, len(opts))
	for i, k := range opts {
		st := parley.ClauseProposed
		if states != nil {
			st = states[i]
		}
		out[i] = parley.Clause{Issue: i, Option: k, State: st, OnAgenda: agenda == nil || agenda[i]}
	}
	return out
}

const (
	P = parley.ClauseProposed
	A = parley.ClauseAgreed
)

// checkText fails unless act is a valid text for the turn's text: one
// option per issue, in range, −1 only for blanks, off-agenda issues blank,
// agreed clauses unchanged.
func checkText(t *testing.T, m *parley.Model, cur []parley.Clause, act parley.Action) {
	t.Helper()
	if act.Kind != parley.ActText {
		return
	}
	if act.Actor != parley.MediatorActor {
		t.Errorf("text from actor %d", act.Actor)
	}
	if len(act.Outcome) != len(m.Sizes) {
		t.Fatalf("text has %d clauses, want %d", len(act.Outcome), len(m.Sizes))
	}
	for _, c := range cur {
		k := act.Outcome[c.Issue]
		if k < -1 || k >= m.Sizes[c.Issue] {
			t.Errorf("issue %d: option %d out of range", c.Issue, k)
		}
		if !c.OnAgenda && k != -1 {
			t.Errorf("issue %d is off the agenda but the text gives it option %d", c.Issue, k)
		}
		if settled(c) && k != c.Option {
			t.Errorf("issue %d: agreed clause changed from %d to %d", c.Issue, c.Option, k)
		}
	}
}

// textRun plays the mediated single-text protocol between a mediator, one
// delegate per party and optional principals (by party), as the protocol
// is specified: each round the mediator writes, each present party
// answers, a clause every party accepted is agreed, a reopened agreed
// clause goes back to reopened; AddPrecondition puts the issue on the
// agenda with the option, ReopenClause reopens it.
type textRun struct {
	t          *testing.T
	m          *parley.Model
	med        parley.Agent
	parties    []parley.Agent
	principals map[int][]parley.PrincipalAgent
	agenda     []bool
	rounds     int

	text    []parley.Clause
	hist    []parley.Action
	inbox   map[int][]parley.Instruction
	end     string
	agreed  parley.Outcome
	actions []parley.Action
}

func (r *textRun) run() {
	t, m := r.t, r.m
	n := len(m.Sizes)
	r.text = make([]parley.Clause, n)
	for i := range r.text {
		r.text[i] = parley.Clause{Issue: i, Option: -1, OnAgenda: r.agenda == nil || r.agenda[i]}
	}
	r.inbox = map[int][]parley.Instruction{}
	step := func(round int, actor int) {
		for p, ps := range r.principals {
			for _, pa := range ps {
				turn := &parley.Turn{Actor: actor, Round: round, Time: float64(round) / float64(r.rounds), Text: r.text, History: r.hist}
				for _, in := range pa.Instruct(turn) {
					r.hist = append(r.hist, parley.Action{Actor: p, Kind: parley.ActInstruction, Instruction: &in})
					switch in.Kind {
					case parley.AddPrecondition:
						r.text[in.Issue] = parley.Clause{Issue: in.Issue, Option: in.Option, State: parley.ClauseProposed, OnAgenda: true}
					case parley.ReopenClause:
						if r.text[in.Issue].State == parley.ClauseAgreed {
							r.text[in.Issue].State = parley.ClauseReopened
						}
					}
					r.inbox[p] = append(r.inbox[p], in)
				}
			}
		}
	}
	for round := 0; round < r.rounds; round++ {
		tm := float64(round) / float64(r.rounds)
		step(round, parley.MediatorActor)
		act := r.med.Act(&parley.Turn{Actor: parley.MediatorActor, Kind: parley.TurnText, Round: round, Time: tm, Text: r.text, History: r.hist})
		checkText(t, m, r.text, act)
		r.hist = append(r.hist, act)
		r.actions = append(r.actions, act)
		switch act.Kind {
		case parley.ActEnd:
			r.end = "end"
			return
		case parley.ActExtend:
			r.rounds += act.Rounds
			continue
		case parley.ActText:
		default:
			t.Fatalf("mediator: unexpected %v", act.Kind)
		}
		for i, k := range act.Outcome {
			c := &r.text[i]
			if !c.OnAgenda || settled(*c) {
				continue
			}
			c.Option = k
			c.State = parley.ClauseProposed
			if k < 0 {
				c.State = parley.ClauseOpen
			}
		}
		accepts := make([]int, n)
		for p, ag := range r.parties {
			step(round, p)
			in := r.inbox[p]
			r.inbox[p] = nil
			a := ag.Act(&parley.Turn{Actor: p, Kind: parley.TurnAnswer, Round: round, Time: tm, Text: r.text, Instructions: in, History: r.hist})
			r.hist = append(r.hist, a)
			r.actions = append(r.actions, a)
			if a.Kind == parley.ActWalkAway {
				r.end = "walk"
				return
			}
			if a.Kind != parley.ActAnswer || len(a.Answers) != n {
				t.Fatalf("party %d: bad answer %+v", p, a)
			}
			for i, x := range a.Answers {
				switch x {
				case parley.AnswerAccept:
					if !answerable(r.text[i]) {
						t.Fatalf("party %d accepts clause %d in state %v", p, i, r.text[i].State)
					}
					accepts[i]++
				case parley.AnswerReject:
					if !answerable(r.text[i]) {
						t.Fatalf("party %d rejects clause %d in state %v", p, i, r.text[i].State)
					}
				case parley.AnswerReopen:
					if r.text[i].State != parley.ClauseAgreed {
						t.Fatalf("party %d reopens clause %d in state %v", p, i, r.text[i].State)
					}
					r.text[i].State = parley.ClauseReopened
				}
			}
		}
		all := true
		for i := range r.text {
			c := &r.text[i]
			if answerable(*c) && accepts[i] == len(r.parties) {
				c.State = parley.ClauseAgreed
			}
			if c.OnAgenda && !settled(*c) {
				all = false
			}
		}
		if all {
			r.end = "agreement"
			r.agreed = completeText(m, r.text)
			return
		}
	}
	r.end = "deadline"
}

func mustNewText(t *testing.T, spec string) parley.Agent {
	t.Helper()
	a, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func delegates(t *testing.T, m *parley.Model, rounds int, spec string) []parley.Agent {
	var out []parley.Agent
	for p := range m.Parties {
		d := mustNewText(t, spec)
		if err := d.Init(&parley.Session{Model: m, Party: p, Utility: &m.Parties[p].Utility, Reservation: m.Parties[p].Reservation, Rounds: rounds}); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func mediator(t *testing.T, m *parley.Model, spec string, rounds int, target parley.Outcome) parley.Agent {
	a := mustNewText(t, spec)
	if err := a.Init(&parley.Session{Model: m, Party: parley.MediatorActor, Rounds: rounds, Rand: rand.New(rand.NewPCG(1, 2)), Target: target}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestHillclimbConverges(t *testing.T) {
	m := zoneModel(t)
	for _, spec := range []string{"hillclimb", "hillclimb:order=random", "hillclimb:memory=8", "nash", "hillclimb:start=statusquo,step=1"} {
		t.Run(spec, func(t *testing.T) {
			r := &textRun{t: t, m: m, rounds: 40, med: mediator(t, m, spec, 40, nil), parties: delegates(t, m, 40, "delegate")}
			r.run()
			if r.end != "agreement" {
				t.Fatalf("ended by %s after %d actions, want agreement; last text %v", r.end, len(r.actions), r.text)
			}
			if !m.InZone(r.agreed) {
				t.Errorf("agreed %v is outside the zone (utilities %v)", r.agreed, m.Eval(r.agreed))
			}
		})
	}
}

func TestNashStartsFromTarget(t *testing.T) {
	m := zoneModel(t)
	target := parley.Outcome{2, 1, 0}
	med := mediator(t, m, "nash", 20, target)
	act := med.Act(&parley.Turn{Kind: parley.TurnText, Text: text([]int{-1, -1, -1}, []parley.ClauseState{0, 0, 0}, nil)})
	if !reflect.DeepEqual(act.Outcome, target) {
		t.Fatalf("opening text %v, want the target %v", act.Outcome, target)
	}
	r := &textRun{t: t, m: m, rounds: 30, med: mediator(t, m, "nash", 30, target), parties: delegates(t, m, 30, "delegate")}
	r.run()
	if r.end != "agreement" || !m.InZone(r.agreed) {
		t.Fatalf("nash from the target: end %s, agreed %v", r.end, r.agreed)
	}
}

func TestMediatorKeepsAgreedAndOffAgenda(t *testing.T) {
	m := zoneModel(t)
	for _, spec := range []string{"hillclimb", "nash", "scripted:texts=a=a0;b=b0;c=c0"} {
		med := mediator(t, m, spec, 10, parley.Outcome{1, 1, 1})
		cur := text([]int{-1, -1, -1}, []parley.ClauseState{0, 0, 0}, []bool{true, true, false})
		cur[0] = parley.Clause{Issue: 0, Option: 2, State: A, OnAgenda: true}
		first := med.Act(&parley.Turn{Kind: parley.TurnText, Text: cur})
		checkText(t, m, cur, first)
		// Everybody rejects everything open; the agreed clause must stay.
		cur[1].Option, cur[1].State = first.Outcome[1], P
		hist := []parley.Action{first,
			{Actor: 0, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerNone, parley.AnswerReject, parley.AnswerNone}},
			{Actor: 1, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerNone, parley.AnswerReject, parley.AnswerNone}}}
		next := med.Act(&parley.Turn{Kind: parley.TurnText, Round: 1, Text: cur, History: hist})
		checkText(t, m, cur, next)
		if spec != "scripted:texts=a=a0;b=b0;c=c0" && next.Kind == parley.ActText && next.Outcome[1] == cur[1].Option {
			t.Errorf("%s: kept the rejected option %d of b", spec, cur[1].Option)
		}
	}
}

func TestHillclimbStalemateEnds(t *testing.T) {
	// One issue, two options, each party's red line forbids the other's
	// option: every option gets rejected and nothing moves.
	s := &parley.Scenario{ID: "stale", Issues: []parley.Issue{iss("x", "x0", "x1"), iss("y", "y0", "y1")}}
	pa := prefs(0.3, map[string]float64{"x": 1, "y": 1}, map[string][]float64{"x": {1, 0}, "y": {0, 1}}, s)
	pb := prefs(0.3, map[string]float64{"x": 1, "y": 1}, map[string][]float64{"x": {0, 1}, "y": {0, 1}}, s)
	pa.RedLines = []parley.RedLine{{Name: "no-x1", Conditions: []parley.Condition{{Issue: "x", Options: []string{"x1"}}}}}
	pb.RedLines = []parley.RedLine{{Name: "no-x0", Conditions: []parley.Condition{{Issue: "x", Options: []string{"x0"}}}}}
	s.Parties = []parley.Party{{Name: "A", Preferences: &pa}, {Name: "B", Preferences: &pb}}
	m := compile(t, s)
	r := &textRun{t: t, m: m, rounds: 50, med: mediator(t, m, "hillclimb:patience=3", 50, nil), parties: delegates(t, m, 50, "delegate")}
	r.run()
	last := r.actions[len(r.actions)-1]
	if r.end != "end" || !strings.Contains(last.Reason, "stalemate") {
		t.Fatalf("end %s (%q), want the mediator to end on a stalemate", r.end, last.Reason)
	}
	if len(r.actions) > 3*10 {
		t.Errorf("stalemate took %d actions", len(r.actions))
	}
}

func TestHillclimbExtendsOnce(t *testing.T) {
	m := zoneModel(t)
	// A slow concession: the deadline comes while clauses are still being agreed.
	r := &textRun{t: t, m: m, rounds: 4, med: mediator(t, m, "hillclimb:extend=10", 4, nil), parties: delegates(t, m, 4, "delegate:concede=0.3")}
	r.run()
	n := 0
	for _, a := range r.actions {
		if a.Kind == parley.ActExtend {
			n++
			if a.Rounds != 10 {
				t.Errorf("extend by %d, want 10", a.Rounds)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d extensions, want exactly 1 (end %s)", n, r.end)
	}
}

func TestScripted(t *testing.T) {
	m := istanbulModel(t)
	med := mediator(t, m, "scripted:texts=action=assurance;form=_|action=dismantle;form=signed;guarantor=us", 10, nil)
	cur := text([]int{-1, -1, -1}, []parley.ClauseState{0, 0, 0}, nil)
	want := []parley.Outcome{{1, -1, -1}, {2, 2, 2}, {2, 2, 2}}
	for n, w := range want {
		act := med.Act(&parley.Turn{Kind: parley.TurnText, Round: n, Text: cur})
		if !reflect.DeepEqual(act.Outcome, w) {
			t.Errorf("text %d = %v, want %v", n, act.Outcome, w)
		}
	}
	for _, bad := range []string{"texts=nope=x", "texts=action=never", "texts=action=none;action=none", "texts=action"} {
		a, err := New("scripted:" + bad)
		if err == nil {
			err = a.Init(&parley.Session{Model: m, Party: parley.MediatorActor})
		}
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", bad, err)
		}
	}
}

func TestMediatorParamErrors(t *testing.T) {
	for _, spec := range []string{"hillclimb:memory=-1", "hillclimb:order=sideways", "nash:patience=-1", "delegate:concede=x", "hillclimb:bogus=1"} {
		if _, err := New(spec); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", spec, err)
		}
	}
	if _, err := NewPrincipal("watchdog:share=2"); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("watchdog:share=2: error %v, want EINVALID", err)
	}
	m := zoneModel(t)
	a := mustNewText(t, "hillclimb:start=target")
	if err := a.Init(&parley.Session{Model: m, Party: parley.MediatorActor}); err == nil {
		t.Error("start=target without a target: no error")
	}
}

// delegate returns an initialised delegate for party p.
func delegate(t *testing.T, m *parley.Model, p int, spec string) parley.Agent {
	return delegates(t, m, 10, spec)[p]
}

func answer(d parley.Agent, text []parley.Clause, tm float64, round int, ins ...parley.Instruction) parley.Action {
	return d.Act(&parley.Turn{Kind: parley.TurnAnswer, Round: round, Time: tm, Text: text, Instructions: ins})
}

func TestDelegateAcceptsGoodText(t *testing.T) {
	m := zoneModel(t)
	d := delegate(t, m, 0, "delegate")
	a := answer(d, text([]int{2, 2, 2}, nil, nil), 0, 0)
	want := []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept, parley.AnswerAccept}
	if a.Kind != parley.ActAnswer || !reflect.DeepEqual(a.Answers, want) {
		t.Fatalf("answer %v %v (%s), want accept all", a.Kind, a.Answers, a.Reason)
	}
}

func TestDelegateRejectsCostlyClause(t *testing.T) {
	m := zoneModel(t)
	d := delegate(t, m, 0, "delegate")
	// For A, issue a (weight 0.6) at its worst costs 0.6; b and c at best.
	a := answer(d, text([]int{0, 2, 2}, nil, nil), 0.5, 5)
	want := []parley.ClauseAnswer{parley.AnswerReject, parley.AnswerAccept, parley.AnswerAccept}
	if !reflect.DeepEqual(a.Answers, want) {
		t.Fatalf("answers %v (%s), want %v", a.Answers, a.Reason, want)
	}
	// Blank clauses are not answered; an agreed one is not reopened when
	// the open clauses cover the gap.
	a = answer(d, text([]int{0, -1, 2}, []parley.ClauseState{P, parley.ClauseOpen, A}, nil), 0.5, 5)
	want = []parley.ClauseAnswer{parley.AnswerReject, parley.AnswerNone, parley.AnswerNone}
	if !reflect.DeepEqual(a.Answers, want) {
		t.Fatalf("answers %v (%s), want %v", a.Answers, a.Reason, want)
	}
}

func TestDelegateReopens(t *testing.T) {
	m := zoneModel(t)
	d := delegate(t, m, 0, "delegate:reopen=3")
	// a agreed at A's worst: nothing open can close the gap, so A reopens a.
	cur := text([]int{0, 2, 2}, []parley.ClauseState{A, P, P}, nil)
	a := answer(d, cur, 0.5, 4)
	if a.Answers[0] != parley.AnswerReopen {
		t.Fatalf("answers %v (%s), want reopen on a", a.Answers, a.Reason)
	}
	// At most once per 3 rounds.
	a = answer(d, cur, 0.5, 5)
	if a.Answers[0] == parley.AnswerReopen {
		t.Errorf("reopened a again one round later")
	}
	if a.Answers[1] == parley.AnswerAccept && a.Answers[2] == parley.AnswerAccept {
		t.Errorf("accepted every open clause of a text below its floor: %v", a.Answers)
	}
	a = answer(d, cur, 0.5, 7)
	if a.Answers[0] != parley.AnswerReopen {
		t.Errorf("round 7: answers %v, want reopen on a again", a.Answers)
	}
	// Deterministic: a fresh delegate answers the same.
	d2 := delegate(t, m, 0, "delegate:reopen=3")
	b := answer(d2, cur, 0.5, 4)
	if !reflect.DeepEqual(b.Answers, []parley.ClauseAnswer{parley.AnswerReopen, parley.AnswerAccept, parley.AnswerAccept}) {
		t.Errorf("fresh delegate: %v", b.Answers)
	}
}

func TestDelegateFloorInstructions(t *testing.T) {
	m := zoneModel(t)
	// A's utility of {1,1,2}: 0.6·0.5+0.3·0.5+0.1 = 0.55; floor at t=0.5
	// with best 1 and reservation 0.4 is 0.7.
	cur := text([]int{1, 1, 2}, nil, nil)
	d := delegate(t, m, 0, "delegate")
	if a := answer(d, cur, 0.5, 5); allAccept(a) {
		t.Fatalf("accepted 0.55 under floor 0.7: %v", a.Answers)
	}
	lower := parley.Instruction{Principal: "A", Kind: parley.LowerFloor, Delta: 0.2}
	if a := answer(d, cur, 0.5, 6, lower); !allAccept(a) {
		t.Fatalf("after LowerFloor 0.2: %v (%s), want accept", a.Answers, a.Reason)
	}
	raise := parley.Instruction{Principal: "A", Kind: parley.RaiseFloor, Delta: 0.3}
	if a := answer(d, cur, 0.5, 7, raise); allAccept(a) {
		t.Fatalf("after RaiseFloor 0.3: %v, want a rejection", a.Answers)
	}
	// The floor never reaches the reservation: a text at 0.4 is refused
	// however low the principals push.
	low := text([]int{1, 0, 0}, nil, nil) // 0.3
	if a := answer(d, low, 1, 8, parley.Instruction{Kind: parley.LowerFloor, Delta: 1}); allAccept(a) {
		t.Fatalf("accepted a text below the reservation")
	}
}

func allAccept(a parley.Action) bool {
	for _, x := range a.Answers {
		if x != parley.AnswerAccept && x != parley.AnswerNone {
			return false
		}
	}
	return a.Kind == parley.ActAnswer
}

func TestDelegateNeverAcceptsUnratified(t *testing.T) {
	m := istanbulModel(t)
	d := delegate(t, m, 1, "delegate:floor=-1")
	// All on the agenda; guarantor=witness breaks V's red line: the
	// delegate rejects the guarantor clause, however low its floor.
	a := answer(d, text([]int{0, 0, 0}, nil, nil), 1, 9)
	if a.Answers[2] != parley.AnswerReject || a.Answers[0] != parley.AnswerAccept {
		t.Errorf("answers %v (%s), want reject guarantor only", a.Answers, a.Reason)
	}
	// Off the agenda, the red line cannot be answered clause by clause; the
	// delegate holds back a clause rather than let the text be agreed.
	agenda := []bool{true, true, false}
	a = answer(d, text([]int{0, 0, -1}, nil, agenda), 1, 9)
	if allAccept(a) || a.Answers[2] != parley.AnswerNone {
		t.Errorf("answers %v (%s): accepted a text V does not ratify", a.Answers, a.Reason)
	}
	// Exhaustively: whatever the text, an all-accept answer means ratified.
	for x := range 3 {
		for y := range 3 {
			for g := range 3 {
				for _, on := range []bool{true, false} {
					o := []int{x, y, g}
					if !on {
						o[2] = -1
					}
					a := answer(delegate(t, m, 1, "delegate:floor=-1"), text(o, nil, []bool{true, true, on}), 1, 9)
					if allAccept(a) && !m.Parties[1].Accepts(completeText(m, text(o, nil, []bool{true, true, on}))) {
						t.Errorf("text %v (guarantor on agenda %v): accepted, not ratified", o, on)
					}
				}
			}
		}
	}
}

func TestDelegateKeepsPrecondition(t *testing.T) {
	m := istanbulModel(t)
	d := delegate(t, m, 1, "delegate:floor=-1")
	pre := parley.Instruction{Principal: "V", Kind: parley.AddPrecondition, Issue: 2, Option: 2}
	a := answer(d, text([]int{0, 0, 2}, nil, nil), 1, 9, pre)
	// guarantor=us needs the US, who does not consent; the delegation's own
	// faction demanded it, so the delegate stands by it.
	if a.Answers[2] != parley.AnswerAccept {
		t.Errorf("answers %v (%s), want accept on the required guarantor", a.Answers, a.Reason)
	}
	a = answer(d, text([]int{0, 0, 1}, nil, nil), 1, 10)
	if a.Answers[2] != parley.AnswerReject {
		t.Errorf("answers %v (%s), want reject on a guarantor other than the precondition", a.Answers, a.Reason)
	}
	// P, with no stake in the precondition, refuses the infeasible clause.
	p := delegate(t, m, 0, "delegate:floor=-1")
	a = answer(p, text([]int{2, 2, 2}, nil, nil), 1, 9)
	if a.Answers[2] != parley.AnswerReject {
		t.Errorf("P answers %v (%s), want reject on guarantor=us", a.Answers, a.Reason)
	}
}

func TestDelegateWalksAway(t *testing.T) {
	m := zoneModel(t)
	d := delegate(t, m, 0, "delegate:patience=2")
	bad := text([]int{0, 0, 0}, nil, nil)
	if a := answer(d, bad, 0.1, 1); a.Kind != parley.ActAnswer {
		t.Fatalf("walked away at once: %s", a.Reason)
	}
	if a := answer(d, bad, 0.2, 2); a.Kind != parley.ActWalkAway {
		t.Fatalf("second turn below reservation: %v, want walk away", a.Kind)
	}
	// Hopeless: reservation above anything reachable.
	s := &parley.Scenario{ID: "h", Issues: []parley.Issue{iss("x", "x0", "x1")}}
	pa := prefs(2, map[string]float64{"x": 1}, map[string][]float64{"x": {0, 1}}, s)
	pb := prefs(0, map[string]float64{"x": 1}, map[string][]float64{"x": {1, 0}}, s)
	s.Parties = []parley.Party{{Name: "A", Preferences: &pa}, {Name: "B", Preferences: &pb}}
	hm := compile(t, s)
	if a := answer(delegate(t, hm, 0, "delegate"), text([]int{1}, nil, nil), 0, 0); a.Kind != parley.ActWalkAway {
		t.Errorf("hopeless delegate: %v, want walk away", a.Kind)
	}
}

// A text above the reservation that crosses one of the side's red lines
// wears its patience down too: it is a text the side cannot sign.
func TestDelegateWalksAwayFromRedLine(t *testing.T) {
	s := &parley.Scenario{ID: "r", Issues: []parley.Issue{iss("x", "x0", "x1", "x2")}}
	pa := prefs(0.1, map[string]float64{"x": 1}, map[string][]float64{"x": {0, 1, 0.8}}, s)
	pa.RedLines = []parley.RedLine{{Name: "no-x1", Conditions: []parley.Condition{{Issue: "x", Options: []string{"x1"}}}}}
	pb := prefs(0.1, map[string]float64{"x": 1}, map[string][]float64{"x": {0, 0.5, 1}}, s)
	s.Parties = []parley.Party{{Name: "A", Preferences: &pa}, {Name: "B", Preferences: &pb}}
	m := compile(t, s)
	d := delegate(t, m, 0, "delegate:patience=2")
	crossing := text([]int{1}, nil, nil)
	if a := answer(d, crossing, 0.1, 1); a.Kind != parley.ActAnswer {
		t.Fatalf("walked away at once: %s", a.Reason)
	}
	if a := answer(d, crossing, 0.2, 2); a.Kind != parley.ActWalkAway {
		t.Fatalf("second text across its red line (utility above the reservation): %v (%s), want walk away", a.Kind, a.Reason)
	}
	// A signable text in between resets the count.
	d = delegate(t, m, 0, "delegate:patience=2")
	for r, o := range []int{1, 2, 1} {
		if a := answer(d, text([]int{o}, nil, nil), 0.1*float64(r+1), r+1); a.Kind != parley.ActAnswer {
			t.Fatalf("round %d: %v (%s), want an answer: a signable text resets the patience", r+1, a.Kind, a.Reason)
		}
	}
}

func watchdog(t *testing.T, m *parley.Model, spec string, f int) parley.PrincipalAgent {
	w, err := NewPrincipal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Init(&parley.Session{Model: m, Party: 1}, f); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWatchdogPrecondition(t *testing.T) {
	m := istanbulModel(t)
	agenda := []bool{true, true, false}
	run := func() []parley.Instruction {
		w := watchdog(t, m, "watchdog:share=0.5,recall=2", 1) // V
		var got []parley.Instruction
		// Far from final: silent.
		got = append(got, w.Instruct(&parley.Turn{Round: 0, Text: text([]int{1, 1, -1}, []parley.ClauseState{P, P, 0}, agenda)})...)
		if len(got) > 0 {
			t.Fatalf("intervened far from final: %+v", got)
		}
		// Near final, guarantor off the agenda at witness: the red line bites.
		near := text([]int{1, 1, -1}, []parley.ClauseState{A, P, 0}, agenda)
		for round := 1; round < 5; round++ {
			got = append(got, w.Instruct(&parley.Turn{Round: round, Text: near})...)
		}
		return got
	}
	got := run()
	want := []parley.Instruction{
		{Principal: "V", Kind: parley.AddPrecondition, Issue: 2, Option: 2},
		{Principal: "V", Kind: parley.Recall, Rounds: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("instructions %+v, want %+v", got, want)
	}
	if again := run(); !reflect.DeepEqual(again, got) {
		t.Errorf("not deterministic: %+v then %+v", got, again)
	}
	// L has no red line and is content: it never intervenes.
	l := watchdog(t, m, "watchdog", 0)
	if in := l.Instruct(&parley.Turn{Round: 3, Text: text([]int{0, 0, -1}, []parley.ClauseState{A, A, 0}, agenda)}); len(in) > 0 {
		t.Errorf("L intervened: %+v", in)
	}
}

func TestWatchdogReopens(t *testing.T) {
	m := istanbulModel(t)
	// Everything on the agenda and agreed; guarantor=mediators breaks V's
	// red line, which can only be left through that agreed clause.
	w := watchdog(t, m, "watchdog:cooldown=2", 1)
	cur := text([]int{2, 2, 1}, []parley.ClauseState{A, A, A}, nil)
	in := w.Instruct(&parley.Turn{Round: 3, Text: cur})
	if want := []parley.Instruction{{Principal: "V", Kind: parley.ReopenClause, Issue: 2}}; !reflect.DeepEqual(in, want) {
		t.Fatalf("red line: instructions %+v, want %+v", in, want)
	}
	// guarantor=us meets the red line, but action=dismantle and
	// form=signed leave V at 0.2·0.3 + 0.4·0.1 + 0.4·1 = 0.5, at or below
	// its reservation 0.55. Costs: action 0.14, form 0.36, guarantor 0.
	w = watchdog(t, m, "watchdog:cooldown=2,share=0.5", 1)
	cur = text([]int{2, 2, 2}, []parley.ClauseState{A, A, A}, nil)
	in = w.Instruct(&parley.Turn{Round: 3, Text: cur})
	if want := []parley.Instruction{{Principal: "V", Kind: parley.ReopenClause, Issue: 1}}; !reflect.DeepEqual(in, want) {
		t.Fatalf("below reservation: instructions %+v, want %+v", in, want)
	}
	// form is reopened; the text is still below: the next costliest.
	cur[1].State = parley.ClauseReopened
	in = w.Instruct(&parley.Turn{Round: 3, Text: cur})
	if len(in) != 1 || in[0].Kind != parley.ReopenClause || in[0].Issue != 0 {
		t.Fatalf("instructions %+v, want ReopenClause action", in)
	}
	// Both agreed again within the cooldown: neither is reopened again.
	cur[1].State = A
	if in = w.Instruct(&parley.Turn{Round: 4, Text: cur}); len(in) != 0 {
		t.Errorf("reopened again within the cooldown: %+v", in)
	}
	if in = w.Instruct(&parley.Turn{Round: 5, Text: cur}); len(in) != 1 || in[0].Issue != 1 {
		t.Errorf("after the cooldown: %+v, want ReopenClause form", in)
	}
}

func TestLoyalAndHardline(t *testing.T) {
	m := istanbulModel(t)
	agenda := []bool{true, true, true}
	// L (faction 0) likes a text with action=none, form=oral, guarantor=us.
	good := text([]int{0, 0, 2}, nil, agenda)
	l := watchdogLike(t, m, "loyal:delta=0.1", 0)
	hist := []parley.Action{{Actor: 1, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerReject, parley.AnswerAccept, parley.AnswerAccept}}}
	in := l.Instruct(&parley.Turn{Text: good, History: hist})
	if want := []parley.Instruction{{Principal: "L", Kind: parley.LowerFloor, Delta: 0.1}}; !reflect.DeepEqual(in, want) {
		t.Fatalf("loyal: %+v, want %+v", in, want)
	}
	if in := l.Instruct(&parley.Turn{Text: good, History: hist}); len(in) != 0 {
		t.Errorf("loyal repeated itself on the same answer: %+v", in)
	}
	accepting := append(hist, parley.Action{Actor: 1, Kind: parley.ActAnswer, Answers: []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept, parley.AnswerAccept}})
	if in := l.Instruct(&parley.Turn{Text: good, History: accepting}); len(in) != 0 {
		t.Errorf("loyal pushed a delegate that accepts: %+v", in)
	}

	// V (faction 1) is hardline. Text acceptable to the delegation (and L)
	// but not to V: guarantor=mediators breaks V's red line... L needs V,
	// so ask whether L alone would ratify: yes; V refuses → RaiseFloor.
	h := watchdogLike(t, m, "hardline:delta=0.2", 1)
	bad4V := text([]int{0, 0, 1}, nil, agenda)
	if in := h.Instruct(&parley.Turn{Text: bad4V}); !reflect.DeepEqual(in, []parley.Instruction{{Principal: "V", Kind: parley.RaiseFloor, Delta: 0.2}}) {
		t.Fatalf("hardline: %+v", in)
	}
	if in := h.Instruct(&parley.Turn{Text: bad4V}); len(in) != 0 {
		t.Errorf("hardline fired twice on one change: %+v", in)
	}
	if in := h.Instruct(&parley.Turn{Text: good}); len(in) != 0 {
		t.Errorf("hardline objected to a text it accepts: %+v", in)
	}
	if in := h.Instruct(&parley.Turn{Text: bad4V}); len(in) != 1 {
		t.Errorf("hardline did not fire when the text became bad again: %+v", in)
	}
}

func watchdogLike(t *testing.T, m *parley.Model, spec string, f int) parley.PrincipalAgent {
	return watchdog(t, m, spec, f)
}

// TestIstanbulShape plays the whole story on the Istanbul-shaped model:
// the guarantor issue is off the agenda, V watches; when the text nears
// final V makes the US guarantor a precondition, P rejects it, and the
// mediator ends the talks on a stalemate without agreement.
func TestIstanbulShape(t *testing.T) {
	m := istanbulModel(t)
	agenda := []bool{true, true, false}
	r := &textRun{t: t, m: m, rounds: 40, agenda: agenda,
		med:        mediator(t, m, "hillclimb", 40, nil),
		parties:    delegates(t, m, 40, "delegate"),
		principals: map[int][]parley.PrincipalAgent{1: {watchdog(t, m, "watchdog:share=0.5", 1)}},
	}
	r.run()
	var pre int
	for _, a := range r.hist {
		if a.Kind == parley.ActInstruction && a.Instruction.Kind == parley.AddPrecondition {
			pre++
		}
	}
	if pre != 1 {
		t.Errorf("%d preconditions, want 1", pre)
	}
	if r.end == "agreement" {
		t.Errorf("agreement %v on a model with no feasible deal V ratifies", r.agreed)
	}
	if testing.Verbose() {
		for _, a := range r.actions {
			fmt.Printf("%2d %-8v %v %v %s\n", a.Actor, a.Kind, a.Outcome, a.Answers, a.Reason)
		}
	}
}
