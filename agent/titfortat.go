package agent

import "github.com/parleyhq/parley"

// TitForTat is relative tit-for-tat in own utility: it starts from its best
// outcome and, each time it sees a new standing offer, moves its target by
// the change in its own utility between that offer and the previous one it
// saw (whoever made them, so with n > 2 parties the others count as one
// opponent): when the opponent concedes by d, it concedes by d; when the
// opponent retracts, it retracts. The target stays within [max(lowest
// utility, reservation + one quantum), best]. It offers
// Index.AtLeast(target) and accepts an offer that beats its reservation and
// is at least as good as the offer it would make (AC_next). It walks away
// only when nothing beats its reservation. It uses no randomness; two
// TitForTat agents never concede to each other.
type TitForTat struct {
	negotiator
	target, lowest int64
	last           int64
	seen           bool
}

var _ parley.Agent = (*TitForTat)(nil)

// Init implements parley.Agent.
func (a *TitForTat) Init(s *parley.Session) error {
	if err := a.init(s); err != nil {
		return err
	}
	a.target = a.idx.Max()
	a.lowest = max(a.idx.Min(), a.floor)
	a.seen = false
	return nil
}

// Act implements parley.Agent.
func (a *TitForTat) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	if t.Kind == parley.TurnRespond {
		v := a.u.Eval(t.Offer)
		if a.seen {
			a.target = min(max(a.target-(v-a.last), a.lowest), a.idx.Max())
		}
		a.last, a.seen = v, true
		r := a.idx.AtLeast(a.target)
		if a.acceptable(v) && v >= a.idx.Utility(r) {
			return a.accept()
		}
		return a.offer(r)
	}
	return a.offer(a.idx.AtLeast(a.target))
}

func init() {
	Register(Info{Name: "titfortat", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "relative tit-for-tat: mirrors the opponent's concession in own utility"},
		func(map[string]string) (parley.Agent, error) { return &TitForTat{}, nil })
}
