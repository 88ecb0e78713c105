package agent

import (
	"math/rand/v2"

	"github.com/parleyhq/parley"
)

// Random offers a candidate of its index drawn uniformly among those that
// beat its reservation, and accepts any offer that beats its reservation
// with probability P. All draws come from Session.Rand. It walks away only
// when nothing beats its reservation.
type Random struct {
	// P is the probability of accepting an acceptable offer, in [0, 1].
	P float64
	negotiator
	rng *rand.Rand
}

var _ parley.Agent = (*Random)(nil)

// Init implements parley.Agent. It needs Session.Rand; errors have code
// parley.EINVALID.
func (a *Random) Init(s *parley.Session) error {
	if !(a.P >= 0 && a.P <= 1) {
		return parley.Errorf(parley.EINVALID, "agent: random: acceptance probability must be in [0, 1], got %v", a.P)
	}
	if s == nil || s.Rand == nil {
		return parley.Errorf(parley.EINVALID, "agent: random: the session has no random source")
	}
	if err := a.init(s); err != nil {
		return err
	}
	a.rng = s.Rand
	return nil
}

// Act implements parley.Agent.
func (a *Random) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	if t.Kind == parley.TurnRespond && a.acceptable(a.u.Eval(t.Offer)) && a.rng.Float64() < a.P {
		return a.accept()
	}
	return a.offer(a.lo + a.rng.IntN(a.idx.Len()-a.lo))
}

func init() {
	Register(Info{Name: "random", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "random offers above its reservation; accepts acceptable offers with probability p",
		Params:  "p=0.5 (probability of accepting an offer above the reservation)"},
		func(p map[string]string) (parley.Agent, error) {
			v, err := FloatParam(p, "p", 0.5, 0, 1)
			if err != nil {
				return nil, err
			}
			return &Random{P: v}, nil
		})
}
