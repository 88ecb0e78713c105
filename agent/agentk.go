package agent

import (
	"math"
	"math/rand/v2"

	"github.com/parleyhq/parley"
)

// AgentK is the strategy of AgentK, winner of ANAC 2010: S. Kawaguchi,
// K. Fujita, T. Ito, "AgentK: Compromising Strategy Based on Estimated
// Maximum Utility for Automated Negotiating Agents", in New Trends in
// Agent-Based Complex Automated Negotiations, SCI 383, Springer 2012; the
// constants are those of its Genius implementation
// (agents.anac.y2010.AgentK.Agent_K), as described in the ANAC 2010 report
// (Baarslag et al., same volume, pp. 113–135). Utilities x are on the unit
// scale of this package's ANAC agents (best outcome 1; see scale).
//
// It keeps the mean μ and variance σ² of the utilities, to itself, of the
// offers it receives, and estimates the most the opponent will concede to
// as emax = μ + (1 − μ)·d with d = √(12σ²) (the width of a uniform
// distribution of that variance). At relative time t its acceptance
// target aims at emax along
//
//	α = 1 + τ + 10μ − 2τμ                     (τ = Tremor, 2)
//	pre(t) = 1 − t^α·(1 − emax)
//	r = min((d + 0.1) / (1 − pre), 2)
//	target = r·pre + 1 − r
//
// then, when target > emax, is pulled towards it: by δ = target − emax
// when δ ≤ 1/√m, else by 1/(δ·m), with m = 400 − 300·t³ (so it snaps to emax
// once near it); below emax it is emax. Its bidding target is the same with
// β = α + τ·(U − ½), U uniform in [0, 1), in place of α: the tremor makes its
// offers wander. Targets are recomputed at each turn after a new offer.
//
// It accepts the standing offer, of utility x, with probability
// p = t^α/5 + (x − emax) + (x − target) (0 when p < 0.1). It offers, when
// some offers it received are worth more than its target, one of them drawn
// at random; otherwise a candidate drawn uniformly among those worth at
// least its bidding target (AgentK samples random bids until one reaches
// the target, which draws uniformly from the same set; over a binned or
// sampled index the draw is uniform over candidates, not outcomes). Its
// first offer is its best outcome.
//
// Simplified: the targets are recomputed once per turn, from every offer
// received since the last one, rather than once per received offer (the
// same in bilateral negotiation); with n > 2 parties all other parties'
// offers feed one set of statistics. It keeps this package's contract on
// reservation values (it never offers or accepts what does not beat its
// reservation; see anac.go), which AgentK, written before ANAC had
// reservation values, did not need. Draws come from Session.Rand (Init
// fails without one).
type AgentK struct {
	// Tremor is τ, the randomness of the bidding target (≥ 0; 2 in
	// AgentK).
	Tremor float64
	negotiator
	sc   scale
	feed offerFeed
	log  bidLog
	rng  *rand.Rand

	sum, sum2            float64 // of received offers' utilities (unit scale)
	count                int
	target, bidTarget    float64
	alpha, emax, nowTime float64
}

var _ parley.Agent = (*AgentK)(nil)

// Init implements parley.Agent. It needs Session.Rand; errors have code
// parley.EINVALID.
func (a *AgentK) Init(s *parley.Session) error {
	if !(a.Tremor >= 0) || math.IsInf(a.Tremor, 0) {
		return parley.Errorf(parley.EINVALID, "agent: agentk: tremor must be a number ≥ 0, got %v", a.Tremor)
	}
	if err := needRand(s, "agentk"); err != nil {
		return err
	}
	if err := a.init(s); err != nil {
		return err
	}
	a.rng = s.Rand
	a.sc = newScale(a.idx)
	a.feed.init(s.Model, s.Party)
	a.log.init(len(s.Model.Sizes))
	a.sum, a.sum2, a.count = 0, 0, 0
	a.target, a.bidTarget, a.alpha, a.emax = 1, 1, 1, 1
	return nil
}

// Act implements parley.Agent.
func (a *AgentK) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	fresh := false
	a.feed.each(t, func(_ int, o parley.Outcome) {
		u := a.u.Eval(o)
		x := min(a.sc.unit(u), 1)
		a.sum += x
		a.sum2 += x * x
		a.count++
		a.log.add(o, u)
		fresh = true
	})
	if fresh {
		a.update(min(max(t.Time, 0), 1))
	}
	if t.Kind == parley.TurnRespond {
		if v := a.u.Eval(t.Offer); a.acceptable(v) {
			x := a.sc.unit(v)
			p := math.Pow(a.nowTime, a.alpha)/5 + (x - a.emax) + (x - a.target)
			if p >= 0.1 && a.rng.Float64() < p {
				return a.accept()
			}
		}
	}
	return a.bid()
}

// update recomputes the targets at time t from the statistics.
func (a *AgentK) update(t float64) {
	n := float64(a.count)
	mean := a.sum / n
	dev := math.Sqrt(max(a.sum2/n-mean*mean, 0) * 12)
	emax := mean + (1-mean)*dev
	tau := a.Tremor
	alpha := 1 + tau + 10*mean - 2*tau*mean
	beta := alpha + a.rng.Float64()*tau - tau/2
	m := 400 - 300*t*t*t
	aim := func(exp float64) float64 {
		pre := 1 - math.Pow(t, exp)*(1-emax)
		r := (dev + 0.1) / (1 - pre)
		if math.IsNaN(r) || r > 2 {
			r = 2
		}
		tg := r*pre + 1 - r
		if tg <= emax {
			return emax
		}
		d := tg - emax
		f := 1 / (d * d)
		if math.IsNaN(f) || f > m {
			f = m
		}
		return tg - d*f/m
	}
	a.target, a.bidTarget = aim(alpha), aim(beta)
	a.alpha, a.emax, a.nowTime = alpha, emax, t
}

// bid offers one of the received offers worth more than the target, else a
// random candidate at or above the bidding target.
func (a *AgentK) bid() parley.Action {
	if a.log.Len() > 0 {
		above := a.log.above(max(a.sc.fixed(a.target), a.res))
		if above < a.log.Len() {
			a.buf = a.log.outcome(randomIn(a.rng, above, a.log.Len()), a.buf)
			return parley.Action{Actor: a.party, Kind: parley.ActOffer, Outcome: a.buf}
		}
	}
	lo, hi := a.band(a.sc.fixed(a.bidTarget), a.idx.Max())
	return a.offer(randomIn(a.rng, lo, hi))
}

func init() {
	Register(Info{Name: "agentk", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "AgentK (ANAC 2010 winner): concedes towards the estimated best the opponent will give, accepts probabilistically",
		Params:  "tremor=2 (randomness of the bidding target)"},
		func(p map[string]string) (parley.Agent, error) {
			tr, err := FloatParam(p, "tremor", 2, 0, 100)
			if err != nil {
				return nil, err
			}
			return &AgentK{Tremor: tr}, nil
		})
}
