package agent

import (
	"math"

	"github.com/parleyhq/parley"
)

// TimeDependent is the time-dependent concession strategy of Genius
// (TimeDependentAgent) and NegMAS (TimeBasedConcedingNegotiator). At
// relative time t ∈ [0,1] its target utility is
//
//	target(t) = Pmin + (Pmax − Pmin)·(1 − t^(1/e))
//
// where e is Exponent, Pmax is the highest utility of its index (its best
// outcome) and Pmin = max(lowest utility of its index, reservation). When
// its party discounts (factor d < 1) it plans with discounted utilities:
// the surplus it asks for is discounted like the pie,
//
//	target(t) = Pmin + (Pmax − Pmin)·(1 − t^(1/e))·d^t
//
// so it concedes earlier the smaller d is (see Discount; Genius'
// TimeDependentAgent ignores the discount). The target is then raised to
// at least reservation + one quantum (2^-40): it
// never aims at what does not beat no agreement. (Taking Pmin at the
// reservation itself, not one quantum above, keeps targets on round numbers:
// with reservation 0, target(0.1) is exactly 0.9 for e = 1.) e < 1 concedes late
// (Boulware), e = 1 linearly, e > 1 early (Conceder). The target is
// monotone non-increasing in t.
//
// It offers Index.AtLeast(target(t)), the outcome of smallest utility at or
// above the target, and accepts a standing offer (whoever made it) whose
// utility beats its reservation and is at least the utility of the offer it
// would make instead (AC_next; discounted by the time a turn takes when
// its party discounts) or at least target(t) — the same test for an exact
// index. It walks away only when nothing beats its reservation.
// It uses no randomness.
type TimeDependent struct {
	// Exponent is e (> 0).
	Exponent float64
	negotiator
	pmin, pmax int64
}

var _ parley.Agent = (*TimeDependent)(nil)

// NewTimeDependent returns a time-dependent agent with exponent e.
func NewTimeDependent(e float64) *TimeDependent { return &TimeDependent{Exponent: e} }

// Boulware returns a time-dependent agent with e = 0.2 ("boulware").
func Boulware() *TimeDependent { return NewTimeDependent(0.2) }

// Linear returns a time-dependent agent with e = 1 ("linear").
func Linear() *TimeDependent { return NewTimeDependent(1) }

// Conceder returns a time-dependent agent with e = 2 ("conceder").
func Conceder() *TimeDependent { return NewTimeDependent(2) }

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *TimeDependent) Init(s *parley.Session) error {
	if !(a.Exponent > 0) || math.IsInf(a.Exponent, 0) {
		return parley.Errorf(parley.EINVALID, "agent: time-dependent exponent must be positive, got %v", a.Exponent)
	}
	if err := a.init(s); err != nil {
		return err
	}
	a.pmax = a.idx.Max()
	a.pmin = min(max(a.idx.Min(), a.res), a.pmax)
	return nil
}

// Target returns target(t) in fixed point, never below the reservation
// plus one quantum; t is clamped to [0, 1].
func (a *TimeDependent) Target(t float64) int64 {
	t = min(max(t, 0), 1)
	f := math.Pow(t, 1/a.Exponent)
	// pmin + (pmax−pmin)·(1−f)·d^t; t = 0 and t = 1 give pmax and pmin
	// exactly, also when utilities exceed float64's 53 bits (exact scales
	// may reach 2^61).
	var target int64
	switch {
	case f <= 0:
		target = a.pmax
	case f >= 1:
		target = a.pmin
	default:
		s := min(int64(math.Round(float64(a.pmax-a.pmin)*(1-f))), a.pmax-a.pmin)
		target = a.pmin + a.disc.Surplus(s, t)
	}
	return max(target, a.floor)
}

// Act implements parley.Agent.
func (a *TimeDependent) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	target := a.Target(t.Time)
	dt := a.turnTime(t.Time)
	r := a.idx.AtLeast(target)
	if t.Kind == parley.TurnRespond {
		v := a.u.Eval(t.Offer)
		if a.acceptable(v) && (v >= target || v >= a.disc.Later(a.idx.Utility(r), dt)) {
			return a.accept()
		}
	}
	return a.offer(r)
}

func init() {
	td := func(name string, e float64, summary string) {
		Register(Info{
			Name: name, Role: RoleNegotiator, Protocols: offerProtocols, Summary: summary,
			Params: "e=" + formatFloat(e) + " (concession exponent: <1 concedes late, >1 early)",
		}, func(p map[string]string) (parley.Agent, error) {
			e, err := FloatParam(p, "e", e, 1e-6, 1e6)
			if err != nil {
				return nil, err
			}
			return NewTimeDependent(e), nil
		})
	}
	td("boulware", 0.2, "time-dependent concession, late (Genius Boulware, e=0.2)")
	td("linear", 1, "time-dependent concession, linear in time (e=1)")
	td("conceder", 2, "time-dependent concession, early (Genius Conceder, e=2)")
	td("timedependent", 1, "time-dependent concession target(t) = Pmin + (Pmax−Pmin)(1 − t^(1/e))")
}
