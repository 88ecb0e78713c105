package agent

import (
	"math/rand/v2"

	"github.com/parleyhq/parley"
)

// AgentGG is the strategy of AgentGG, winner of the ANAC 2019 automated
// negotiation league (R. Aydoğan et al., "Challenges and Main Results of the
// Automated Negotiating Agents Competition (ANAC) 2019", EUMAS/AT 2020,
// LNCS 12520, Springer), as its team described it and with the constants of
// its Genius implementation (agents.anac.y2019.agentgg.AgentGG).
//
// AgentGG works on an importance ratio r ∈ [0, 1]: where a bid stands
// between the worst (0) and the best (1) bid of its own preferences. Its
// target band [l(t), l(t) + 0.1] follows a piecewise-linear schedule
// anchored on N, its estimate of the Nash point's ratio:
//
//	t:    0.01   0.02   0.2   0.5     0.9      0.98     0.995   0.999
//	l:    0.9999 0.99 ↘ 0.9 ↘ g(0.3) ↘ g(0.15) ↘ g(0.05) ↘ g(0) ↘ g(−0.35),  then g(−0.4)
//
// with g(c) = N + c·(1 − N) (↘: linear in between; 0.9999 before t = 0.01,
// 0.99 until 0.02), floored from t = 0.9 at the reservation's ratio plus
// 0.3, from 0.98 plus 0.25 and from 0.999 plus 0.2. N is estimated once,
// shortly (0.003 of the time) after the opponent's second offer, from the
// best ratio m the opponent has offered so far: N = m + (1 − m)/1.7 (N =
// 0.8 until then).
//
// Until t = 0.2 it offers a random candidate of its band; then the one its
// model of the opponent's importances rates best (a frequency model of the
// opponent's options; at most K candidates spread over the band are
// compared). It accepts an offer whose ratio is at least l(t), and in its
// last turn any offer that beats its reservation. Its first offer is its
// best outcome.
//
// Simplified: AgentGG was written for ANAC 2019's uncertain preferences and
// estimates its own importance map from a ranking of bids; parley agents
// know their utility, so its own ratio here is the utility rescaled to
// [Min, Max] of its index. Its opponent importance map is the frequency
// model of HardHeaded (see Frequency). Genius's final acceptance starts at
// t = 0.999; here it is the agent's last turn (estimated from the clock),
// so that it also happens with round deadlines. It keeps this package's
// contract on reservation values (anac.go). Random draws come from
// Session.Rand (Init fails without one).
type AgentGG struct {
	// K is the number of candidates compared at each offer (≥ 1; 0 means
	// 32).
	K int
	learner
	rng      *rand.Rand
	offers   int
	nash     float64
	estimate int8    // 0: waiting for a second offer, 1: timing, 2: done
	since    float64 // time of the opponent's second offer
}

var (
	_ parley.Agent    = (*AgentGG)(nil)
	_ OpponentModeler = (*AgentGG)(nil)
)

// Init implements parley.Agent. It needs Session.Rand; errors have code
// parley.EINVALID.
func (a *AgentGG) Init(s *parley.Session) error {
	if err := defaultK(&a.K, 32, "agentgg"); err != nil {
		return err
	}
	if err := needRand(s, "agentgg"); err != nil {
		return err
	}
	if err := a.start(s); err != nil {
		return err
	}
	a.rng = s.Rand
	a.offers, a.nash, a.estimate, a.since = 0, 0.8, 0, 0
	return nil
}

// ratio places u between the index's worst (0) and best (1) candidates.
func (a *AgentGG) ratio(u int64) float64 {
	lo, hi := a.idx.Min(), a.idx.Max()
	if hi <= lo {
		return 1
	}
	return float64(u-lo) / float64(hi-lo)
}

// utility is the inverse of ratio, within ±2^62.
func (a *AgentGG) utility(r float64) int64 {
	return scale{lo: a.idx.Min(), span: a.idx.Max() - a.idx.Min()}.fixed(r)
}

// ggKnots are AgentGG's schedule from t = 0.02 on: l(t) is linear between
// knots; c holds g's argument (−1: the fixed ratio f).
var ggKnots = []struct{ t, c, f float64 }{
	{0.02, -1, 0.99}, {0.2, -1, 0.9}, {0.5, 0.3, 0}, {0.9, 0.15, 0},
	{0.98, 0.05, 0}, {0.995, 0, 0}, {0.999, -0.35, 0},
}

// Lower returns l(t), the lower end of AgentGG's band as a ratio.
func (a *AgentGG) Lower(t float64) float64 {
	g := func(c float64) float64 { return a.nash + c*(1-a.nash) }
	at := func(i int) float64 {
		if k := ggKnots[i]; k.c != -1 {
			return g(k.c)
		}
		return ggKnots[i].f
	}
	var l float64
	switch {
	case t < 0.01:
		return 0.9999
	case t < 0.02:
		return 0.99
	case t >= 0.999:
		l = g(-0.4)
	default:
		i := 1
		for t >= ggKnots[i].t {
			i++
		}
		k0, k1 := ggKnots[i-1], ggKnots[i]
		l = at(i-1) + (at(i)-at(i-1))*(t-k0.t)/(k1.t-k0.t)
	}
	res := a.ratio(a.res)
	switch {
	case t >= 0.999:
		l = max(l, res+0.2)
	case t >= 0.98:
		l = max(l, res+0.25)
	case t >= 0.9:
		l = max(l, res+0.3)
	}
	return l
}

// Act implements parley.Agent.
func (a *AgentGG) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	now := min(max(t.Time, 0), 1)
	a.clock.tick(now)
	a.opponents.observe(t, func(_ int, o parley.Outcome) {
		a.offers++
		a.log.add(o, a.u.Eval(o))
	})
	a.estimateNash(now)
	if a.offers == 0 {
		return a.offer(a.idx.Best())
	}
	lower := a.Lower(now)
	if t.Kind == parley.TurnRespond {
		v := a.u.Eval(t.Offer)
		if a.acceptable(v) && (a.ratio(v) >= lower || a.clock.after() == 0) {
			return a.accept()
		}
	}
	lo, hi := a.band(a.utility(lower), a.utility(lower+0.1))
	if now < 0.2 {
		return a.offer(randomIn(a.rng, lo, hi))
	}
	r, buf := pickBy(a.idx, lo, hi, a.K, a.scratch, a.opponents.score)
	a.scratch = buf
	return a.offer(r)
}

// estimateNash sets N once, 0.003 of the time after the opponent's second
// offer.
func (a *AgentGG) estimateNash(t float64) {
	switch {
	case a.estimate == 0 && a.offers > 1:
		a.estimate, a.since = 1, t
	case a.estimate == 1 && t-a.since > 0.003:
		i, _ := a.log.best()
		m := min(max(a.ratio(a.log.utils[i]), 0), 1)
		a.nash, a.estimate = m+(1-m)/1.7, 2
	}
}

func init() {
	Register(Info{Name: "agentgg", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "AgentGG (ANAC 2019 winner): piecewise schedule anchored on an estimated Nash point, frequency opponent model",
		Params:  "k=32 (candidates compared per offer)"},
		func(p map[string]string) (parley.Agent, error) {
			k, err := IntParam(p, "k", 32, 1, 1<<20)
			if err != nil {
				return nil, err
			}
			return &AgentGG{K: k}, nil
		})
}
