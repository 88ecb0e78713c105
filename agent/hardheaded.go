package agent

import (
	"math"

	"github.com/parleyhq/parley"
)

// HardHeaded is the strategy of HardHeaded, winner of ANAC 2011:
// T. van Krimpen, D. Looije, S. Hajizadeh, "HardHeaded", in Complex
// Automated Negotiations: Theories, Models, and Software Competitions, SCI
// 435, Springer 2013, with the constants of its Genius
// implementation (agents.anac.y2011.HardHeaded.KLH) as the ANAC 2011
// report describes them (Baarslag et al., "Evaluating practical negotiating
// agents: Results and analysis of the 2011 international competition",
// Artificial Intelligence 198, 2013). Utilities x are on the unit scale of
// this package's ANAC agents (best outcome 1; see scale).
//
// It concedes very late: its target at relative time t is
//
//	p(t) = Pmin + (1 − F(t))·(Pmax − Pmin),  F(t) = Ka + (1 − Ka)·t^(1/e)
//
// with Ka = 0.05, e = E (0.05), Pmax = 1 and Pmin = max(0.585, reservation):
// it drops 5% of the way at once, then hardly moves until the last tenth of
// the negotiation. Its offers never rise: the target is capped at the
// utility of its previous offer. It learns each opponent with the
// frequency model it introduced (see Frequency: option counts, and issue
// weights that grow when the opponent keeps an issue's option) and offers,
// among its candidates worth target ± 0.01, the one the model rates best
// for the opponents (the lowest estimate over them, with n > 2 parties),
// comparing at most K candidates spread over the band. When the best offer
// it has received beats its target, it offers that instead. Its first offer
// is its best outcome.
//
// It accepts an offer at least as good as the worst it has offered itself,
// or as the offer it would make now (AC_next).
//
// Simplified: no discounting (parley's protocols do not discount, so
// HardHeaded's discount-dependent step point is 1); the weight cap of
// Genius's learner (an issue weight stops growing at 1 − 0.2/(1 + Σ…)) is
// left out; with n > 2 parties each opponent gets its own model. It keeps
// this package's contract on reservation values (anac.go). It uses no
// randomness.
type HardHeaded struct {
	// E is the concession exponent e (> 0; 0.05 in HardHeaded).
	E float64
	// K is the number of candidates compared at each offer (≥ 1; 0
	// means 32).
	K int
	learner
	pmin    float64 // unit scale
	last    int64   // utility of its previous offer
	lowest  int64   // utility of its worst offer so far
	offered bool
}

var (
	_ parley.Agent    = (*HardHeaded)(nil)
	_ OpponentModeler = (*HardHeaded)(nil)
)

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *HardHeaded) Init(s *parley.Session) error {
	if a.E == 0 {
		a.E = 0.05
	}
	if !(a.E > 0) || math.IsInf(a.E, 0) {
		return parley.Errorf(parley.EINVALID, "agent: hardheaded: e must be positive, got %v", a.E)
	}
	if err := defaultK(&a.K, 32, "hardheaded"); err != nil {
		return err
	}
	if err := a.start(s); err != nil {
		return err
	}
	a.pmin = max(0.585, a.sc.unit(a.res))
	a.offered = false
	return nil
}

// Target returns p(t) in fixed point, never below the reservation plus one
// quantum.
func (a *HardHeaded) Target(t float64) int64 {
	t = min(max(t, 0), 1)
	const ka = 0.05
	f := ka + (1-ka)*math.Pow(t, 1/a.E)
	return max(a.sc.fixed(a.pmin+(1-f)*(1-a.pmin)), a.floor)
}

// Act implements parley.Agent.
func (a *HardHeaded) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	a.opponents.observe(t, func(_ int, o parley.Outcome) { a.log.add(o, a.u.Eval(o)) })
	if !a.offered {
		r := a.idx.Best()
		if t.Kind == parley.TurnRespond {
			if v := a.u.Eval(t.Offer); a.acceptable(v) && v >= a.idx.Utility(r) {
				return a.accept()
			}
		}
		return a.record(a.offer(r), a.idx.Utility(r))
	}
	next, u := a.next(t.Time)
	if t.Kind == parley.TurnRespond {
		if v := a.u.Eval(t.Offer); a.acceptable(v) && (v >= a.lowest || v >= u) {
			return a.accept()
		}
	}
	return a.record(next, u)
}

// next returns the offer HardHeaded would make at time t, and its utility.
func (a *HardHeaded) next(t float64) (parley.Action, int64) {
	target := min(a.Target(t), a.last)
	if i, ok := a.log.best(); ok && a.log.utils[i] > target && a.log.utils[i] > a.res {
		a.buf = a.log.outcome(i, a.buf)
		return parley.Action{Actor: a.party, Kind: parley.ActOffer, Outcome: a.buf}, a.log.utils[i]
	}
	tol := a.sc.fixed(0.01) - a.sc.fixed(0)
	lo, hi := a.band(target-tol, target+tol)
	r := lo
	if a.opponents.seen {
		r, a.scratch = pickBy(a.idx, lo, hi, a.K, a.scratch, a.opponents.score)
	}
	return a.offer(r), a.idx.Utility(r)
}

func (a *HardHeaded) record(act parley.Action, u int64) parley.Action {
	if !a.offered || u < a.lowest {
		a.lowest = u
	}
	a.last, a.offered = u, true
	return act
}

func init() {
	Register(Info{Name: "hardheaded", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "HardHeaded (ANAC 2011 winner): very late concession, frequency opponent model picks among near-target offers",
		Params:  "e=0.05 (concession exponent); k=32 (candidates compared per offer)"},
		func(p map[string]string) (parley.Agent, error) {
			e, err := FloatParam(p, "e", 0.05, 1e-6, 1e6)
			if err != nil {
				return nil, err
			}
			k, err := IntParam(p, "k", 32, 1, 1<<20)
			if err != nil {
				return nil, err
			}
			return &HardHeaded{E: e, K: k}, nil
		})
}
