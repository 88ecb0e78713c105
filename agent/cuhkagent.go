package agent

import (
	"math"
	"math/big"

	"github.com/parleyhq/parley"
)

// CUHKAgent is the strategy of CUHKAgent, winner of ANAC 2012: J. Hao,
// H. Leung, "ABiNeS: An Adaptive Bilateral Negotiating Strategy over
// Multiple Items", IEEE/WIC/ACM IAT 2012, and "CUHKAgent: An Adaptive
// Negotiation Strategy for Bilateral Negotiations over Multiple Items", in
// Novel Insights in Agent-based Complex Automated Negotiation, SCI 535,
// Springer 2014, with the constants of its Genius
// implementation (agents.anac.y2012.CUHKAgent). Utilities x are on the unit
// scale of this package's ANAC agents (best outcome 1; see scale).
//
// With discount factor δ, its acceptance threshold exploits the opponent
// until a non-exploitation point λ and then follows the discount:
//
//	l(t) = 1 − (1 − δ^(1−λ))·(t/λ)^α    for t ≤ λ  (α = 2)
//	l(t) = δ^(1−t)                       for t > λ
//
// with λ = λ0 + 0.1·(1 − λ0)·σ^10, λ0 = 0.08 + 0.92·δ^β (β = 1.8, 1.5 or 1.2
// as δ > 0.75, > 0.5 or less) and σ the opponent's concession degree, the
// share of its offers that were new: the more the opponent concedes, the
// longer it is exploited. Without discounting (δ = 1) the threshold stays at
// 1 on spaces up to 3,000 outcomes; on larger ones it is 0.95 (0.75 from
// t = 0.98 on spaces beyond 10,000).
//
// It offers the best offer it has received when that reaches the
// threshold; otherwise, among its candidates worth the threshold or more,
// the one its opponent model rates best (a frequency model of the
// opponent's options; at most K candidates are compared, spread over the
// band). It accepts an offer worth the threshold, or as much as the offer
// it would make (AC_next); otherwise, when the best offer received is worth
// more than 1·δ after λ, or more than l(t)·δ^t, it accepts offers within
// 0.01 of that best offer and else offers that best offer back once. In its
// last turns (it estimates the turns left from the clock: fewer than 5)
// it offers the best offer received — or, when that is worth less than 0.85,
// one of its candidates worth 0.85–0.98 chosen by the model, except in its
// very last turn — and accepts an offer worth as much, or any offer after
// having offered the opponent's best back. Its first offer is its best
// outcome.
//
// Simplified: δ = 1, since parley's protocols do not discount yet (the
// formulas above are implemented for any δ), so on small spaces CUHKAgent
// holds out for its best outcome until its last turns, as it does in Genius
// on undiscounted domains. Genius's final phase starts at t > 0.9985; parley
// counts turns instead, so that it also happens with round deadlines, and
// offers the opponent's best back in any turn before it (Genius not in its
// 5th to 10th last).
// CUHKAgent ranks candidates by raw value frequencies; here the frequency
// model of HardHeaded (see Frequency) ranks them. It keeps this package's
// contract on reservation values (anac.go). It uses no randomness.
type CUHKAgent struct {
	// K is the number of candidates compared at each offer (≥ 1; 0 means
	// 32).
	K int
	learner
	delta   float64 // discount factor (1: none)
	lambda0 float64 // λ0
	lambda  float64 // λ
	size    int64   // outcomes, capped at 2^62
	offers  int     // offers received
	tough   bool    // the last offer was the opponent's best, offered back
	started bool
}

var (
	_ parley.Agent    = (*CUHKAgent)(nil)
	_ OpponentModeler = (*CUHKAgent)(nil)
)

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *CUHKAgent) Init(s *parley.Session) error {
	if err := defaultK(&a.K, 32, "cuhkagent"); err != nil {
		return err
	}
	if err := a.start(s); err != nil {
		return err
	}
	a.delta = 1
	beta := 1.2
	switch {
	case a.delta > 0.75:
		beta = 1.8
	case a.delta > 0.5:
		beta = 1.5
	}
	a.lambda0 = 0.08 + 0.92*math.Pow(a.delta, beta)
	a.lambda = a.lambda0
	a.size = 1 << 62
	if z := s.Model.Size(); z.Cmp(big.NewInt(1<<62)) < 0 {
		a.size = z.Int64()
	}
	a.offers, a.tough, a.started = 0, false, false
	return nil
}

// threshold returns l(t) and the least utility of the offers it would make
// (the two differ only on large undiscounted spaces), on the unit scale.
func (a *CUHKAgent) threshold(t float64) (l, least float64) {
	if a.delta == 1 && a.size > 3000 {
		least = 0.95
		if a.size > 10000 && t >= 0.98 {
			least = 0.75
		}
		return least, least
	}
	if t <= a.lambda {
		l = 1 - (1-math.Pow(a.delta, 1-a.lambda))*math.Pow(t/a.lambda, 2)
	} else {
		l = math.Pow(a.delta, 1-t)
	}
	return l, l
}

// Act implements parley.Agent.
func (a *CUHKAgent) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	now := min(max(t.Time, 0), 1)
	a.clock.tick(now)
	a.opponents.observe(t, func(_ int, o parley.Outcome) {
		a.offers++
		a.log.add(o, a.u.Eval(o))
	})
	if a.offers > 0 { // σ: the share of the opponent's offers that were new
		sigma := float64(a.log.Len()) / float64(a.offers)
		a.lambda = min(a.lambda0+0.1*(1-a.lambda0)*math.Pow(sigma, 10), 1)
	}
	if !a.started || t.Kind != parley.TurnRespond || a.log.Len() == 0 {
		a.started = true
		return a.offer(a.idx.Best())
	}
	v := a.u.Eval(t.Offer)
	l, least := a.threshold(now)
	if left := a.clock.after() + 1; left < 5 {
		return a.final(v, l, now, left)
	}
	bid, bu := a.propose(l, least)
	if a.acceptable(v) && (v >= bu || a.sc.unit(v) >= l) {
		return a.accept()
	}
	ok, concede := a.lateAccept(v, l, now)
	switch {
	case ok:
		return a.accept()
	case concede:
		a.tough = true
		return a.offerBest()
	}
	a.tough = false
	return bid
}

// lateAccept is CUHKAgent's second acceptance test: when the opponent's
// best offer so far beats what CUHKAgent can still expect, accept an offer
// within 0.01 of it, or (concede) offer that best offer back.
func (a *CUHKAgent) lateAccept(v int64, l, t float64) (ok, concede bool) {
	i, _ := a.log.best()
	best := a.sc.unit(a.log.utils[i])
	if !(best > a.delta && t > a.lambda) && !(best > l*math.Pow(a.delta, t)) {
		return false, false
	}
	if a.acceptable(v) && a.sc.unit(v) >= best-0.01 {
		return true, false
	}
	return false, a.log.utils[i] > a.res
}

// final plays the last turns: offer the opponent's best offer (or, when that
// is poor and this is not the very last turn, a near-best candidate of its
// own chosen by the model) and accept as much.
func (a *CUHKAgent) final(v int64, l, t float64, left int) parley.Action {
	i, _ := a.log.best()
	bid, bu := parley.Action{}, a.log.utils[i]
	switch {
	case a.sc.unit(bu) < 0.85 && left >= 2:
		lo, hi := a.band(a.sc.fixed(0.85), a.sc.fixed(0.98))
		var r int
		r, a.scratch = pickBy(a.idx, lo, hi, a.K, a.scratch, a.opponents.score)
		bid, bu = a.offer(r), a.idx.Utility(r)
	case bu > a.res:
		bid = a.offerBest()
	default: // nothing the opponent offered beats the reservation
		_, least := a.threshold(t)
		bid, bu = a.propose(l, least)
	}
	if a.acceptable(v) && (v >= bu || a.sc.unit(v) >= l || a.tough) {
		return a.accept()
	}
	if ok, _ := a.lateAccept(v, l, t); ok {
		return a.accept()
	}
	return bid
}

// propose returns the offer CUHKAgent would make with threshold l and
// least offer utility least, and its utility.
func (a *CUHKAgent) propose(l, least float64) (parley.Action, int64) {
	if i, ok := a.log.best(); ok {
		u := a.sc.unit(a.log.utils[i])
		if (u >= l || u >= least) && a.log.utils[i] > a.res {
			return a.offerBest(), a.log.utils[i]
		}
	}
	lo, hi := a.band(a.sc.fixed(least), a.idx.Max())
	r, buf := pickBy(a.idx, lo, hi, a.K, a.scratch, a.opponents.score)
	a.scratch = buf
	return a.offer(r), a.idx.Utility(r)
}

// offerBest offers the best offer received.
func (a *CUHKAgent) offerBest() parley.Action {
	i, _ := a.log.best()
	a.buf = a.log.outcome(i, a.buf)
	return parley.Action{Actor: a.party, Kind: parley.ActOffer, Outcome: a.buf}
}

func init() {
	Register(Info{Name: "cuhkagent", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "CUHKAgent (ANAC 2012 winner, ABiNeS): exploits until an adaptive non-exploitation point, concedes to the opponent's best at the end",
		Params:  "k=32 (candidates compared per offer)"},
		func(p map[string]string) (parley.Agent, error) {
			k, err := IntParam(p, "k", 32, 1, 1<<20)
			if err != nil {
				return nil, err
			}
			return &CUHKAgent{K: k}, nil
		})
}
