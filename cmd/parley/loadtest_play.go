package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
)

// This file holds how a load test client plays its seat: a simple
// time-dependent concession strategy that reads only what the seat may
// see (its view and the events in the answers to its actions), so that
// sessions move, and end in agreement or at the deadline.

// strategy is the client seat's concession strategy, from its own side's
// utility (the view's own): its aspiration falls linearly in time from
// its best outcome to its reservation value.
type strategy struct {
	values      [][]float64
	rects       []parley.RectTable
	reservation float64
	// outcomes are every outcome with its utility, by utility (alternating
	// offers); lo and hi each issue's worst and best option value
	// (mediated).
	outcomes []scoredOutcome
	lo, hi   []float64
}

type scoredOutcome struct {
	o parley.Outcome
	u float64
}

// maxLoadOutcomes bounds the outcomes the alternating-offers strategy
// lists.
const maxLoadOutcomes = 1 << 20

func newStrategy(own *parley.OwnUtility) (*strategy, error) {
	if own == nil {
		return nil, fmt.Errorf("the client seat's view has no utility of its own: it is not a party")
	}
	st := &strategy{values: own.Utility.Values, rects: own.Utility.Rects, reservation: own.Reservation}
	n := 1
	for _, row := range st.values {
		if len(row) == 0 {
			return nil, fmt.Errorf("an issue without options")
		}
		st.lo = append(st.lo, slices.Min(row))
		st.hi = append(st.hi, slices.Max(row))
		if n *= len(row); n > maxLoadOutcomes {
			return nil, fmt.Errorf("more than %d outcomes to list", maxLoadOutcomes)
		}
	}
	o := make(parley.Outcome, len(st.values))
	for {
		st.outcomes = append(st.outcomes, scoredOutcome{o: slices.Clone(o), u: st.utility(o)})
		i := 0
		for ; i < len(o); i++ {
			if o[i]++; o[i] < len(st.values[i]) {
				break
			}
			o[i] = 0
		}
		if i == len(o) {
			break
		}
	}
	slices.SortStableFunc(st.outcomes, func(a, b scoredOutcome) int { return cmp.Compare(a.u, b.u) })
	return st, nil
}

// utility is the seat's utility of a complete outcome.
func (st *strategy) utility(o parley.Outcome) float64 {
	u := 0.0
	for i, k := range o {
		if i < len(st.values) && k >= 0 && k < len(st.values[i]) {
			u += st.values[i][k]
		}
	}
	for _, r := range st.rects {
		in := true
		for _, c := range r.Region {
			in = in && c.Issue < len(o) && slices.Contains(c.Options, o[c.Issue])
		}
		if in {
			u += r.Utility
		}
	}
	return u
}

// aspiration is the utility the seat holds out for at relative time t.
func (st *strategy) aspiration(t float64) float64 {
	best := st.outcomes[len(st.outcomes)-1].u
	floor := min(best, st.reservation)
	return best - (best-floor)*min(max(t, 0), 1)
}

// play is where a session stands for its client seat: what it needs to
// choose its next move, kept up to date from the events it sees.
type play struct {
	party           int
	protocol        parley.ProtocolName
	round, deadline int
	offer           parley.Outcome  // alternating offers: the standing offer
	text            []parley.Clause // mediated: the single text
	end             parley.EndState
	// resync: an event this client does not follow came (an extension, a
	// recall, a lapse...): read the view again before moving.
	resync bool
}

func (p *play) ended() bool { return p.end != parley.Running }

// fromView sets p from the seat's view.
func (p *play) fromView(v *live.View) {
	p.protocol, p.deadline, p.end, p.round = v.Protocol, v.Deadline, v.Result.End, v.Clock.Round
	if v.Own != nil {
		p.party = v.Own.Party
	}
	p.offer, p.text, p.resync = nil, nil, false
	if v.Turn != nil {
		p.round, p.offer, p.text = v.Turn.Round, v.Turn.Offer, slices.Clone(v.Turn.Text)
	}
}

// answerEvent is what a client reads of each event in the answer to its
// action: the fields of a protocol.Event that its play and the run's
// checks need (decoding whole events, their audiences and messages,
// was a tenth of the load generator's CPU).
type answerEvent struct {
	Seq    int                `json:"seq"`
	Round  int                `json:"round"`
	Type   protocol.EventType `json:"type"`
	Actor  int                `json:"actor"`
	Action *struct {
		Kind    parley.ActionKind `json:"kind"`
		Outcome parley.Outcome    `json:"outcome"`
	} `json:"action"`
	Clause *protocol.ClauseChange `json:"clause"`
	Result *struct {
		End parley.EndState `json:"end"`
	} `json:"result"`
}

// step follows one event the seat sees.
func (p *play) step(ev *answerEvent) {
	p.round = max(p.round, ev.Round)
	switch ev.Type {
	case protocol.EvEnd:
		if ev.Result != nil {
			p.end = ev.Result.End
		}
		if p.end == parley.Running {
			p.end = parley.Broken // an end without a result: never plays on
		}
	case protocol.EvAction:
		if a := ev.Action; a != nil && a.Kind == parley.ActOffer {
			p.offer = a.Outcome
		}
	case protocol.EvClause:
		if c := ev.Clause; c != nil && c.Issue >= 0 && c.Issue < len(p.text) {
			p.text[c.Issue].State, p.text[c.Issue].Option = c.To, c.Option
		} else {
			p.resync = true
		}
	case protocol.EvCaucus, protocol.EvStart:
	default:
		p.resync = true
	}
}

// move is the seat's next action, as the body to post: in alternating
// offers it accepts a standing offer that meets its aspiration, else
// offers the outcome nearest above it; in the mediated protocol it
// accepts the proposed clauses whose option is near enough its best on
// that issue (nearer the deadline, further from it), keeps agreed ones
// and rejects the rest.
func (st *strategy) move(p *play) []byte {
	t := 0.0
	if p.deadline > 0 {
		t = float64(p.round) / float64(p.deadline)
	}
	if p.protocol == parley.ProtocolMediated {
		return st.answer(p.text, t)
	}
	a := st.aspiration(t)
	if p.offer != nil && st.utility(p.offer) >= a {
		return []byte(`{"kind":"accept"}`)
	}
	i, _ := slices.BinarySearchFunc(st.outcomes, a, func(s scoredOutcome, a float64) int { return cmp.Compare(s.u, a) })
	o := st.outcomes[min(i, len(st.outcomes)-1)].o
	b, _ := json.Marshal(map[string]any{"kind": "offer", "outcome": o})
	return b
}

func (st *strategy) answer(text []parley.Clause, t float64) []byte {
	b := append(make([]byte, 0, 32+10*len(text)), `{"kind":"answer","answers":[`...)
	for i, c := range text {
		answer := "none"
		switch {
		case !c.OnAgenda || i >= len(st.values) || c.Option < 0 || c.Option >= len(st.values[i]):
		case c.State == parley.ClauseAgreed:
			answer = "accept"
		case c.State == parley.ClauseProposed:
			answer = "reject"
			span := st.hi[i] - st.lo[i]
			if span <= 0 || (st.values[i][c.Option]-st.lo[i])/span >= 1-t-1e-9 || math.IsNaN(span) {
				answer = "accept"
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), answer...), '"')
	}
	return append(b, "]}"...)
}
