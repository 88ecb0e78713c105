package agent

import (
	"github.com/parleyhq/parley"
)

// negotiator is the state every offer-based agent shares: its index, its
// reservation floor and the buffer its offers are written into.
type negotiator struct {
	cache    *IndexCache
	party    int
	u        *parley.UtilityFn
	idx      *Index
	res      int64
	floor    int64 // the least utility worth agreeing to: Reservation + one quantum
	lo       int   // rank of the first candidate at or above floor
	hopeless bool  // no candidate beats the reservation: walk away
	buf      parley.Outcome
	// disc is the party's discounting (Session.Discount); prevT the time
	// of its previous turn, which tells how long a turn takes.
	disc  Discount
	prevT float64
}

// UseIndexCache makes the agent take its index from c rather than from
// DefaultCache. Call it before Init; runners that own a cache use it so that
// all agents of a tournament share one index per utility function.
func (n *negotiator) UseIndexCache(c *IndexCache) { n.cache = c }

// Index returns the agent's index (nil before Init).
func (n *negotiator) Index() *Index { return n.idx }

func (n *negotiator) init(s *parley.Session) error {
	if s == nil || s.Model == nil || s.Utility == nil {
		return parley.Errorf(parley.EINVALID, "agent: a negotiator needs a session with a model and a utility")
	}
	if s.Party < 0 || s.Party >= len(s.Model.Parties) {
		return parley.Errorf(parley.EINVALID, "agent: a negotiator plays a party; got actor %d", s.Party)
	}
	c := n.cache
	if c == nil {
		c = DefaultCache
	}
	n.party = s.Party
	n.u = s.Utility
	n.idx = c.Get(s.Model, s.Utility)
	n.res = s.Reservation
	n.disc = NewDiscount(s.Discount)
	n.prevT = -1
	n.floor = s.Reservation
	if n.floor < 1<<62 {
		n.floor++
	}
	n.hopeless = n.idx.Max() < n.floor
	n.lo = n.idx.AtLeast(n.floor)
	if cap(n.buf) < len(s.Model.Sizes) {
		n.buf = make(parley.Outcome, len(s.Model.Sizes))
	}
	n.buf = n.buf[:len(s.Model.Sizes)]
	return nil
}

// offer writes the candidate of the given rank into the agent's buffer and
// offers it. The runner copies Action.Outcome before the next call.
func (n *negotiator) offer(rank int) parley.Action {
	n.buf = n.idx.Outcome(rank, n.buf)
	return parley.Action{Actor: n.party, Kind: parley.ActOffer, Outcome: n.buf}
}

func (n *negotiator) accept() parley.Action {
	return parley.Action{Actor: n.party, Kind: parley.ActAccept}
}

func (n *negotiator) walkAway(reason string) parley.Action {
	return parley.Action{Actor: n.party, Kind: parley.ActWalkAway, Reason: reason}
}

// turnTime returns how long a turn takes, in relative time: the time since
// the agent's previous turn (0 at its first), and remembers t.
func (n *negotiator) turnTime(t float64) float64 {
	dt := 0.0
	if n.prevT >= 0 && t > n.prevT {
		dt = t - n.prevT
	}
	n.prevT = t
	return dt
}

// acceptable reports whether an offer of own utility v beats no agreement.
func (n *negotiator) acceptable(v int64) bool { return v >= n.floor }

// other answers the turns an offer-based agent cannot play (single-text
// turns) and the hopeless case; ok is false when the agent should proceed.
func (n *negotiator) other(t *parley.Turn) (a parley.Action, done bool) {
	switch {
	case n.hopeless:
		return n.walkAway("nothing beats the reservation value"), true
	case t.Kind != parley.TurnPropose && t.Kind != parley.TurnRespond:
		return n.walkAway("an offer-based agent cannot answer a " + t.Kind.String() + " turn"), true
	}
	return parley.Action{}, false
}
