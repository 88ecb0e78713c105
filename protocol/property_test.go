package protocol_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// randomScenario draws a small scenario: 1–3 issues of 2–4 options (the
// last issue sometimes with a not-addressed option), 2–4 parties, some of
// them delegations under a random rule with red lines, and sometimes a
// guarantor that withholds consent.
func randomScenario(r *rand.Rand) *parley.Scenario {
	s := &parley.Scenario{ID: "random"}
	ni := 1 + r.IntN(3)
	for i := 0; i < ni; i++ {
		is := parley.Issue{Name: fmt.Sprintf("i%d", i)}
		for k := 0; k < 2+r.IntN(3); k++ {
			is.Options = append(is.Options, parley.Option{Label: fmt.Sprintf("o%d", k), NotAddressed: k == 0 && r.IntN(3) == 0})
		}
		s.Issues = append(s.Issues, is)
	}
	prefs := func() parley.Preferences {
		var p parley.Preferences
		for _, is := range s.Issues {
			ip := parley.IssuePref{Issue: is.Name, Weight: est(r.Float64())}
			for _, o := range is.Options {
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: est(r.Float64())})
			}
			p.Issues = append(p.Issues, ip)
		}
		p.Reservation = est(r.Float64() * 0.6)
		if r.IntN(3) == 0 {
			is := s.Issues[r.IntN(len(s.Issues))]
			p.RedLines = []parley.RedLine{{Name: "rl", Conditions: []parley.Condition{{Issue: is.Name, Options: []string{is.Options[r.IntN(len(is.Options))].Label}}}}}
		}
		return p
	}
	np := 2 + r.IntN(3)
	for j := 0; j < np; j++ {
		pt := parley.Party{Name: fmt.Sprintf("P%d", j)}
		if r.IntN(3) == 0 {
			d := &parley.Delegation{Rule: parley.Ratification{Kind: parley.RuleKind(r.IntN(3))}}
			if d.Rule.Kind == parley.WeightedQuota {
				d.Rule.Quota = 0.5
			}
			for f := 0; f < 1+r.IntN(3); f++ {
				d.Factions = append(d.Factions, parley.Faction{Name: fmt.Sprintf("f%d", f), Weight: est(0.1 + r.Float64()), Preferences: prefs()})
			}
			pt.Delegation = d
		} else {
			p := prefs()
			pt.Preferences = &p
		}
		s.Parties = append(s.Parties, pt)
	}
	if r.IntN(3) == 0 {
		no := false
		is := s.Issues[0]
		s.Roles = []parley.Role{{Name: "G", Kind: parley.Guarantor, Consents: &no,
			Needed: []parley.Condition{{Issue: is.Name, Options: []string{is.Options[len(is.Options)-1].Label}}}}}
	}
	return s
}

// randomRun drives a protocol with random actions, instructions and now
// and then a timeout or an invalid action, and returns its events. It
// checks the per-step contract as it goes.
func randomRun(t *testing.T, seed uint64, mediated bool) (*parley.Scenario, protocol.Config, []protocol.Event, protocol.Result) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	s := randomScenario(r)
	m, err := s.Compile()
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	var cfg protocol.Config = protocol.SAOConfig{Rounds: 1 + r.IntN(6)}
	if mediated {
		mc := protocol.MediatedConfig{Rounds: 1 + r.IntN(8), MaxExtensions: r.IntN(2), Calendar: []float64{3, 2}, RecallRounds: r.IntN(3)}
		if r.IntN(2) == 0 {
			mc.Agenda = []int{}
			for i := range s.Issues {
				if r.IntN(2) == 0 {
					mc.Agenda = append(mc.Agenda, i)
				}
			}
		}
		cfg = mc
	}
	p, err := cfg.New(m)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	var events []protocol.Event
	for steps := 0; ; steps++ {
		events = append(events, p.Events()...)
		if steps > 1000 {
			t.Fatalf("seed %d: no end after 1000 steps", seed)
		}
		tn, ok := p.Next()
		if !ok {
			break
		}
		switch x := r.IntN(100); {
		case x < 2:
			if err := p.Timeout(); err != nil {
				t.Fatalf("seed %d: timeout: %v", seed, err)
			}
			continue
		case x < 3 && r.IntN(4) == 0:
			if err := p.Fail(tn.Actor, "agent crashed"); err != nil {
				t.Fatalf("seed %d: fail: %v", seed, err)
			}
			continue
		case x < 6:
			party := r.IntN(len(m.Parties))
			from := party
			if r.IntN(2) == 0 {
				from = parley.MediatorActor
			}
			err := p.Caucus(party, from, fmt.Sprintf("message %d", steps))
			if mediated != (err == nil) {
				t.Fatalf("seed %d: caucus in %s: %v", seed, cfg.Name(), err)
			}
			if err != nil && len(p.Events()) != 0 {
				t.Fatalf("seed %d: a refused caucus produced events", seed)
			}
			continue
		case x < 12:
			party := r.IntN(len(m.Parties))
			in := randomInstruction(r, m)
			err := p.Instruct(party, r.IntN(len(m.Parties[party].Principals)), in)
			if err != nil && parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("seed %d: instruct: %v", seed, err)
			}
			continue
		}
		a := randomAction(r, m, tn)
		checkErr := p.Check(a)
		if ev := p.Events(); len(ev) != 0 {
			t.Fatalf("seed %d: Check produced events %v", seed, ev)
		}
		err := p.Step(a)
		if (err == nil) != (checkErr == nil) {
			t.Fatalf("seed %d: step %+v: Check said %v, Step %v", seed, a, checkErr, err)
		}
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID || p.Result().End != parley.Broken {
				t.Fatalf("seed %d: step %+v: error %v with result %v", seed, a, err, p.Result().End)
			}
		}
	}
	res := p.Result()
	// No input is accepted after the end, and none produces events.
	if err := p.Step(parley.Action{}); !errors.Is(err, protocol.ErrEnded) {
		t.Fatalf("seed %d: step after the end: %v", seed, err)
	}
	if err := p.Instruct(0, 0, parley.Instruction{}); !errors.Is(err, protocol.ErrEnded) {
		t.Fatalf("seed %d: instruct after the end: %v", seed, err)
	}
	if err := p.Timeout(); !errors.Is(err, protocol.ErrEnded) {
		t.Fatalf("seed %d: timeout after the end: %v", seed, err)
	}
	if ev := p.Events(); len(ev) != 0 {
		t.Fatalf("seed %d: events after the end: %v", seed, ev)
	}
	return s, cfg, events, res
}

func randomInstruction(r *rand.Rand, m *parley.Model) parley.Instruction {
	in := parley.Instruction{Kind: parley.InstructionKind(r.IntN(5))}
	in.Issue = r.IntN(len(m.Sizes))
	in.Option = r.IntN(m.Sizes[in.Issue])
	in.Rounds = r.IntN(3)
	in.Delta = r.Float64() / 10
	if r.IntN(20) == 0 {
		in.Option = 99 // invalid
	}
	return in
}

func randomOutcome(r *rand.Rand, m *parley.Model) parley.Outcome {
	o := make(parley.Outcome, len(m.Sizes))
	for i, n := range m.Sizes {
		o[i] = r.IntN(n)
	}
	return o
}

func randomAction(r *rand.Rand, m *parley.Model, t parley.Turn) parley.Action {
	a := parley.Action{Actor: t.Actor}
	if r.IntN(50) == 0 { // garbage
		a.Actor = r.IntN(len(m.Parties)+2) - 2
		a.Kind = parley.ActionKind(r.IntN(8))
		a.Outcome = parley.Outcome{r.IntN(5) - 1}
		a.Answers = []parley.ClauseAnswer{parley.ClauseAnswer(r.IntN(4))}
		return a
	}
	switch t.Kind {
	case parley.TurnPropose, parley.TurnRespond:
		switch x := r.IntN(100); {
		case x < 3:
			a.Kind = parley.ActWalkAway
		case x < 50 && t.Kind == parley.TurnRespond:
			a.Kind = parley.ActAccept
		default:
			a.Kind, a.Outcome = parley.ActOffer, randomOutcome(r, m)
		}
	case parley.TurnText:
		switch x := r.IntN(100); {
		case x < 2:
			a.Kind = parley.ActEnd
		case x < 6:
			a.Kind, a.Rounds = parley.ActExtend, 1+r.IntN(2)
		default:
			a.Kind, a.Outcome = parley.ActText, make(parley.Outcome, len(t.Text))
			for i, c := range t.Text {
				switch {
				case !c.OnAgenda:
					a.Outcome[i] = -1
				case c.State == parley.ClauseAgreed:
					a.Outcome[i] = c.Option
				case c.State == parley.ClauseOpen || c.State == parley.ClauseProposed:
					a.Outcome[i] = r.IntN(m.Sizes[i]+1) - 1
					if c.State == parley.ClauseProposed && r.IntN(2) == 0 {
						a.Outcome[i] = c.Option
					}
				default:
					a.Outcome[i] = r.IntN(m.Sizes[i])
				}
				if r.IntN(100) == 0 {
					a.Outcome[i] = r.IntN(m.Sizes[i]+1) - 1 // may break the rules
				}
			}
		}
	case parley.TurnAnswer:
		if r.IntN(40) == 0 {
			a.Kind = parley.ActWalkAway
			return a
		}
		a.Kind, a.Answers = parley.ActAnswer, make([]parley.ClauseAnswer, len(t.Text))
		for i, c := range t.Text {
			switch {
			case !c.OnAgenda || c.State == parley.ClauseOpen:
			case c.State == parley.ClauseProposed:
				a.Answers[i] = []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept, parley.AnswerAccept, parley.AnswerReject, parley.AnswerNone}[r.IntN(5)]
			case c.State == parley.ClauseAgreed:
				if r.IntN(10) == 0 {
					a.Answers[i] = parley.AnswerReopen
				} else {
					a.Answers[i] = parley.AnswerAccept
				}
			default:
				a.Answers[i] = parley.ClauseAnswer(r.IntN(4))
			}
			if r.IntN(200) == 0 {
				a.Answers[i] = parley.ClauseAnswer(r.IntN(4)) // may break the rules
			}
		}
	}
	return a
}

// allowed is the clause transition table of parley.ClauseState.
var allowed = map[[2]parley.ClauseState]bool{
	{parley.ClauseOpen, parley.ClauseProposed}:        true,
	{parley.ClauseProposed, parley.ClauseOpen}:        true,
	{parley.ClauseProposed, parley.ClauseProposed}:    true, // a new option
	{parley.ClauseProposed, parley.ClauseAgreed}:      true,
	{parley.ClauseAgreed, parley.ClauseReopened}:      true,
	{parley.ClauseReopened, parley.ClauseUnderReview}: true,
	{parley.ClauseUnderReview, parley.ClauseProposed}: true,
	{parley.ClauseAgreed, parley.ClauseFinal}:         true,
}

func TestRandomRuns(t *testing.T) {
	t.Parallel()
	ends := map[string]int{}
	for seed := uint64(0); seed < 600; seed++ {
		mediated := seed%2 == 1
		s, cfg, events, res := randomRun(t, seed, mediated)
		m, _ := s.Compile()
		ends[fmt.Sprintf("%s/%s", cfg.Name(), res.End)]++

		// Events are numbered, there is one end, and it is last.
		for i, ev := range events {
			if ev.Seq != i {
				t.Fatalf("seed %d: event %d has seq %d", seed, i, ev.Seq)
			}
			if (ev.Type == protocol.EvEnd) != (i == len(events)-1) {
				t.Fatalf("seed %d: end event at %d of %d", seed, i, len(events))
			}
		}
		last := events[len(events)-1].Result
		if js(*last) != js(res) {
			t.Fatalf("seed %d: end event %s, result %s", seed, js(*last), js(res))
		}

		// Every agreement is in the zone: every party ratifies it, no
		// third party blocks it.
		if res.End == parley.Agreement {
			if !m.InZone(res.Agreement) {
				t.Fatalf("seed %d: agreement %v outside the zone", seed, res.Agreement)
			}
		} else if res.Agreement != nil {
			t.Fatalf("seed %d: %s with an agreement", seed, res.End)
		}

		for _, ev := range events {
			if ev.Type == protocol.EvRatificationFailed {
				ends["ratification_failed"]++
				break
			}
		}
		checkAudiences(t, seed, m, events)

		// Clauses move only along the allowed transitions, from the
		// state they are in.
		state := make([]parley.ClauseState, len(s.Issues))
		for _, ev := range events {
			if ev.Type != protocol.EvClause {
				continue
			}
			c := ev.Clause
			if c.From != state[c.Issue] {
				t.Fatalf("seed %d: event %d: clause %d moves from %s but is %s", seed, ev.Seq, c.Issue, c.From, state[c.Issue])
			}
			if !allowed[[2]parley.ClauseState{c.From, c.To}] {
				t.Fatalf("seed %d: event %d: transition %s -> %s not allowed", seed, ev.Seq, c.From, c.To)
			}
			if c.To == parley.ClauseFinal && res.End != parley.Agreement {
				t.Fatalf("seed %d: a clause became final without agreement", seed)
			}
			state[c.Issue] = c.To
		}

		// Determinism: the same inputs give the same events.
		_, _, again, _ := randomRun(t, seed, mediated)
		if js(events) != js(again) {
			t.Fatalf("seed %d: two runs differ", seed)
		}

		// Replay round trip.
		h, err := protocol.NewHeader(s, cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := protocol.WriteTranscript(&buf, h, events); err != nil {
			t.Fatal(err)
		}
		h2, evs, err := protocol.ReadTranscript(&buf)
		if err != nil {
			t.Fatalf("seed %d: read: %v", seed, err)
		}
		got, err := protocol.Replay(h2, evs)
		if err != nil {
			t.Fatalf("seed %d: replay: %v", seed, err)
		}
		if js(got) != js(res) {
			t.Fatalf("seed %d: replayed %s, want %s", seed, js(got), js(res))
		}
	}
	t.Logf("ends: %v", ends)
	for _, k := range []string{"sao/agreement", "sao/deadline", "sao/walk_out", "sao/broken", "sao/agent_error", "mediated/agreement", "mediated/deadline", "mediated/walk_out", "mediated/broken", "mediated/agent_error", "ratification_failed"} {
		if ends[k] == 0 {
			t.Errorf("no random run ended in %s: the generator misses a path", k)
		}
	}
}

// checkAudiences checks who may see what: answers go to the answering
// party and the mediator, instructions and the reasons a party does not
// ratify to its delegation, caucus messages to the caucus, everything else
// to everyone; and no seat's view holds another party's private events.
func checkAudiences(t *testing.T, seed uint64, m *parley.Model, events []protocol.Event) {
	t.Helper()
	for _, ev := range events {
		want := parley.ToEveryone()
		switch {
		case ev.Type == protocol.EvAction && ev.Action.Kind == parley.ActAnswer && ev.Actor >= 0 && ev.Actor < len(m.Parties):
			want = parley.ToCaucus(ev.Actor)
		case ev.Type == protocol.EvInstruction:
			want = parley.ToDelegation(ev.Actor)
		case ev.Type == protocol.EvRatificationFailed && ev.Actor >= 0 && strings.Contains(ev.Note, ":"):
			want = parley.ToDelegation(ev.Actor)
		case ev.Type == protocol.EvCaucus:
			want = ev.Audience
			if ev.Audience.Kind != parley.AudienceCaucus {
				t.Fatalf("seed %d: caucus event %d with audience %s", seed, ev.Seq, ev.Audience)
			}
		}
		if ev.Audience != want {
			t.Fatalf("seed %d: %s event %d has audience %s, want %s", seed, ev.Type, ev.Seq, ev.Audience, want)
		}
	}
	for p := range m.Parties {
		for _, seat := range []parley.Seat{parley.PartySeat(p), parley.PrincipalSeat(p, 0)} {
			for _, ev := range protocol.ViewOf(events, seat).Events {
				if a := ev.Audience; !a.Public() && a.Seat.Party != p {
					t.Fatalf("seed %d: %s sees %s event %d meant for %s", seed, seat, ev.Type, ev.Seq, a)
				}
			}
		}
	}
	for _, ev := range protocol.ViewOf(events, parley.ObserverSeat()).Events {
		if !ev.Audience.Public() {
			t.Fatalf("seed %d: an observer sees %s event %d meant for %s", seed, ev.Type, ev.Seq, ev.Audience)
		}
	}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
