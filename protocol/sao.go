package protocol

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// SAOConfig configures the (stacked) alternating offers protocol.
type SAOConfig struct {
	// Rounds is the deadline in rounds; a round is one turn of every
	// party. Required (> 0).
	Rounds int `json:"rounds"`
	// Order is the order in which parties take turns, a permutation of
	// 0..n-1; nil means 0, 1, ..., n-1.
	Order []int `json:"order,omitempty"`
	// MaxExtensions is how often the deadline may be extended by
	// agreement: when every party's action in the last round carries an
	// extension request (Action.Rounds > 0), the deadline moves by the
	// smallest request. Default 0: never.
	MaxExtensions int `json:"max_extensions,omitempty"`
}

// Name implements Config.
func (SAOConfig) Name() parley.ProtocolName { return parley.ProtocolSAO }

// DeadlineRounds implements Config.
func (c SAOConfig) DeadlineRounds() int { return c.Rounds }

// New implements Config.
func (c SAOConfig) New(m *parley.Model) (Protocol, error) { return NewSAO(m, c) }

// validate rejects bad settings and fills in defaults, like raft's
// Config.validate.
func (c *SAOConfig) validate(n int) error {
	if c.Rounds <= 0 || c.Rounds > MaxRounds {
		return invalid("sao: rounds must be in 1..%d, got %d", MaxRounds, c.Rounds)
	}
	if c.MaxExtensions < 0 || c.MaxExtensions > MaxRounds {
		return invalid("sao: max_extensions must be in 0..%d, got %d", MaxRounds, c.MaxExtensions)
	}
	if c.Order == nil {
		c.Order = make([]int, n)
		for i := range c.Order {
			c.Order[i] = i
		}
		return nil
	}
	if len(c.Order) != n {
		return invalid("sao: order lists %d parties, want %d", len(c.Order), n)
	}
	seen := make([]bool, n)
	for _, p := range c.Order {
		if p < 0 || p >= n {
			return invalid("sao: order: party %d out of range (%d parties)", p, n)
		}
		if seen[p] {
			return invalid("sao: order: party %d listed twice", p)
		}
		seen[p] = true
	}
	c.Order = append([]int(nil), c.Order...)
	return nil
}

// sao is the alternating offers protocol: bilateral for two parties,
// stacked (ANAC/NegMAS) for more.
type sao struct {
	base
	cfg     SAOConfig
	n       int
	turns   int // turns taken
	offer   parley.Outcome
	offerer int
	accepts int // consecutive acceptances of offer
	// deadline is the deadline in rounds, extensions included; asks[p] is
	// the extension party p asked for with its action in the current round.
	deadline, extensions int
	asks                 []int
}

var _ Protocol = (*sao)(nil)

// NewSAO returns the stacked alternating offers protocol on m: the first
// party in cfg.Order proposes (TurnPropose); each next party in turn
// (TurnRespond) accepts the standing offer or replaces it with its own. An
// offer is agreed when every other party has accepted it in sequence, and
// only if every party's model ratifies it (parley.PartyModel.Accepts: its
// principals under its rule, red lines and reservation values) and no
// third party withholds consent (parley.Model.Feasible). When the check
// fails a "ratification_failed" event names each failing party, the offer
// is void and the next party proposes afresh. The negotiation ends at the
// deadline after cfg.Rounds rounds, when a party walks away (WalkOut), or
// on an invalid action (Broken).
//
// SAO has no structural instructions: every instruction is delivered to
// the delegate in its next Turn.
//
// It returns EINVALID if cfg is invalid.
func NewSAO(m *parley.Model, cfg SAOConfig) (Protocol, error) {
	if m == nil || len(m.Parties) < 2 {
		return nil, invalid("sao: a model with at least two parties required")
	}
	if err := cfg.validate(len(m.Parties)); err != nil {
		return nil, err
	}
	s := &sao{base: newBase(m, cfg.Rounds*len(m.Parties)), cfg: cfg, n: len(m.Parties), offerer: NoActor}
	s.deadline, s.asks = cfg.Rounds, make([]int, s.n)
	s.emit(Event{Type: EvStart, Audience: public, Actor: NoActor, Note: fmt.Sprintf("sao: %d parties, %d rounds", s.n, cfg.Rounds)})
	return s, nil
}

// Forget implements Forgetter: the standing offer is the only outcome
// alternating offers needs.
func (s *sao) Forget() { s.forget = true }

// Next implements Protocol.
func (s *sao) Next() (parley.Turn, bool) {
	if s.ended() {
		return parley.Turn{}, false
	}
	actor := s.cfg.Order[s.turns%s.n]
	t := parley.Turn{
		Actor: actor,
		Kind:  parley.TurnPropose,
		Round: s.round,
		Time:  float64(s.turns) / float64(s.deadline*s.n),
	}
	if s.offer != nil {
		t.Kind = parley.TurnRespond
		t.Offer = s.offer // read-only for agents (parley.Turn); the recorded copy
		t.Offerer = s.offerer
	}
	return t, true
}

func (s *sao) check(t parley.Turn, a parley.Action) error {
	if a.Actor != t.Actor {
		return invalid("action by %s, but it is %s's turn", s.actorName(a.Actor), s.actorName(t.Actor))
	}
	ok := kindIn(a.Kind, parley.ActOffer, parley.ActWalkAway)
	if t.Kind == parley.TurnRespond {
		ok = ok || a.Kind == parley.ActAccept
	}
	if !ok {
		return invalid("%s: %s is not a valid answer to a %s turn", s.actorName(a.Actor), a.Kind, t.Kind)
	}
	if a.Rounds < 0 || a.Rounds > MaxRounds {
		return invalid("%s: an extension request must be in 0..%d rounds, got %d", s.actorName(a.Actor), MaxRounds, a.Rounds)
	}
	if a.Kind == parley.ActOffer {
		if err := s.checkOutcome(a.Outcome, false); err != nil {
			return invalid("offer by %s: %v", s.actorName(a.Actor), err)
		}
	}
	return nil
}

// Check implements Protocol.
func (s *sao) Check(a parley.Action) error {
	if s.ended() {
		return ErrEnded
	}
	t, _ := s.Next()
	return s.check(t, a)
}

// Step implements Protocol.
func (s *sao) Step(a parley.Action) error {
	if s.ended() {
		return ErrEnded
	}
	t, _ := s.Next()
	if err := s.check(t, a); err != nil {
		return s.broken(t.Actor, a, err)
	}
	rec := s.record(a)
	s.turns++
	switch a.Kind {
	case parley.ActWalkAway:
		s.finish(parley.WalkOut, a.Actor, s.actorName(a.Actor)+" walked away")
		return nil
	case parley.ActOffer:
		s.offer = rec.Outcome // the recorded copy
		s.offerer = a.Actor
		s.accepts = 0
		s.res.Offers++
	case parley.ActAccept:
		s.accepts++
		if s.accepts == s.n-1 {
			if s.ratify(s.offer) {
				s.res.Agreement = clone(s.offer)
				s.finish(parley.Agreement, NoActor, fmt.Sprintf("every party accepted the offer of %s", s.actorName(s.offerer)))
				return nil
			}
			s.offer, s.offerer, s.accepts = nil, NoActor, 0
		}
	}
	s.endTurn(a.Actor, a.Rounds)
	return nil
}

// endTurn closes a turn of actor that did not end the negotiation: its
// extension request is noted, a complete round may extend the deadline,
// and the deadline is checked.
func (s *sao) endTurn(actor, ask int) {
	s.asks[actor] = ask
	if s.turns%s.n == 0 { // a round is complete
		s.extendByAgreement()
	}
	if s.turns == s.deadline*s.n {
		s.finish(parley.Deadline, NoActor, fmt.Sprintf("deadline of %d rounds passed", s.deadline))
		return
	}
	s.round = s.turns / s.n
}

// Lapse implements Protocol: a lapse rejects the standing offer without
// a counter-offer, so the offer is void and the next party proposes
// afresh (were it to stand, its own author could come round to accept
// it in place of the party that let its turn pass).
func (s *sao) Lapse(actor int) error {
	t, _ := s.Next()
	if err := s.lapse(actor, t.Actor); err != nil {
		return err
	}
	s.turns++
	s.offer, s.offerer, s.accepts = nil, NoActor, 0
	s.endTurn(actor, 0)
	return nil
}

// Instruct implements Protocol.
func (s *sao) Instruct(party, faction int, in parley.Instruction) error {
	_, err := s.instruct(party, faction, in)
	return err
}

// Caucus implements Protocol: alternating offers has no mediator, so
// there is no caucus.
func (s *sao) Caucus(party, from int, msg string) error {
	if s.ended() {
		return ErrEnded
	}
	return invalid("sao: there is no mediator, so no caucus")
}

// extendByAgreement moves the deadline when every party asked for more
// rounds with its action in the round just completed, by the smallest
// request, if extensions are left. Requests are cleared every round.
func (s *sao) extendByAgreement() {
	ask, all := 0, true
	for p, r := range s.asks {
		s.asks[p] = 0
		if r <= 0 {
			all = false
		} else if ask == 0 || r < ask {
			ask = r
		}
	}
	if !all || s.turns != s.deadline*s.n {
		return
	}
	if s.extensions >= s.cfg.MaxExtensions {
		s.emit(Event{Type: EvExtend, Audience: public, Actor: NoActor, Note: fmt.Sprintf("every party asked for %d more rounds, but no extension is left (%d allowed)", ask, s.cfg.MaxExtensions)})
		return
	}
	s.extensions++
	s.deadline += ask
	s.emit(Event{Type: EvExtend, Audience: public, Actor: NoActor, Note: fmt.Sprintf("deadline extended by agreement of every party by %d to %d rounds", ask, s.deadline)})
}

// Deadline implements Deadliner.
func (s *sao) Deadline() int { return s.deadline }
