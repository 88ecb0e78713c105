package agent

import (
	"math"

	"github.com/parleyhq/parley"
)

// Frequency concedes like a TimeDependent agent (exponent E) and uses the
// classic frequency opponent model (HardHeaded, ANAC 2011; NegMAS
// FrequencyUFun) to choose what to offer at its target.
//
// For each other party it counts how often each option of each issue appears
// in that party's offers. Its estimate of the party's utility is
//
//	Û(o) = Σ_i w_i · (count_i(o_i) + 1) / (max_k count_i(k) + 1)
//
// where the issue weights w_i start equal and, whenever the party repeats
// an issue's option from its previous offer, grow by 0.2/n (n issues) before
// renormalising to sum 1: options offered often are valued more, and issues
// whose option rarely changes weigh more. Offers are read from
// Turn.History (every ActOffer by another party, each once) or, when the
// runner gives no history, from the standing offer of each TurnRespond.
//
// Among the K candidates of smallest own utility at or above its target
// (Index.Around) it offers the one whose lowest estimated utility over the
// other parties is highest (the nearest to its target on ties; before any
// opponent offer that is Index.AtLeast(target)). It accepts an offer that
// beats its reservation and is at least as good as the offer it would make
// (AC_next), and walks away only when nothing beats its reservation. It uses
// no randomness.
type Frequency struct {
	// E is the concession exponent of the time-dependent target (> 0;
	// 0 means 0.5).
	E float64
	// K is the number of candidates compared at each offer (≥ 1; 0 means
	// 20).
	K       int
	td      TimeDependent
	models  []oppModel // per party; unused for itself
	cursor  int        // history entries already read
	scratch parley.Outcome
}

var _ parley.Agent = (*Frequency)(nil)

type oppModel struct {
	offers  int
	counts  [][]int32
	maxima  []int32
	weights []float64
	last    parley.Outcome
}

// UseIndexCache makes the agent take its index from c (call before Init).
func (a *Frequency) UseIndexCache(c *IndexCache) { a.td.UseIndexCache(c) }

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *Frequency) Init(s *parley.Session) error {
	if a.K == 0 {
		a.K = 20
	}
	if a.E == 0 {
		a.E = 0.5
	}
	if a.K < 1 {
		return parley.Errorf(parley.EINVALID, "agent: frequency: k must be at least 1, got %d", a.K)
	}
	a.td.Exponent = a.E
	if err := a.td.Init(s); err != nil {
		return err
	}
	m := s.Model
	a.models = make([]oppModel, len(m.Parties))
	for p := range a.models {
		om := &a.models[p]
		om.counts = make([][]int32, len(m.Sizes))
		for i, k := range m.Sizes {
			om.counts[i] = make([]int32, k)
		}
		om.maxima = make([]int32, len(m.Sizes))
		om.weights = make([]float64, len(m.Sizes))
		for i := range om.weights {
			om.weights[i] = 1 / float64(len(m.Sizes))
		}
		om.last = make(parley.Outcome, len(m.Sizes))
	}
	a.cursor = 0
	a.scratch = make(parley.Outcome, len(m.Sizes))
	return nil
}

func (om *oppModel) update(o parley.Outcome) {
	if om.offers > 0 {
		step := 0.2 / float64(len(o))
		sum := 0.0
		for i, v := range o {
			if v == om.last[i] {
				om.weights[i] += step
			}
			sum += om.weights[i]
		}
		for i := range om.weights {
			om.weights[i] /= sum
		}
	}
	for i, v := range o {
		om.counts[i][v]++
		om.maxima[i] = max(om.maxima[i], om.counts[i][v])
	}
	copy(om.last, o)
	om.offers++
}

func (om *oppModel) estimate(o parley.Outcome) float64 {
	var u float64
	for i, v := range o {
		u += om.weights[i] * float64(om.counts[i][v]+1) / float64(om.maxima[i]+1)
	}
	return u
}

func (a *Frequency) observe(t *parley.Turn) {
	self := a.td.party
	if len(t.History) > 0 {
		if len(t.History) < a.cursor {
			a.cursor = 0
		}
		for _, act := range t.History[a.cursor:] {
			if act.Kind == parley.ActOffer && act.Actor != self && act.Actor >= 0 && act.Actor < len(a.models) && len(act.Outcome) == len(a.scratch) {
				a.models[act.Actor].update(act.Outcome)
			}
		}
		a.cursor = len(t.History)
		return
	}
	if t.Kind == parley.TurnRespond && t.Offerer != self && t.Offerer >= 0 && t.Offerer < len(a.models) {
		a.models[t.Offerer].update(t.Offer)
	}
}

// score is the lowest estimated utility over the modelled parties.
func (a *Frequency) score(o parley.Outcome) float64 {
	s := math.Inf(1)
	for p := range a.models {
		if p != a.td.party && a.models[p].offers > 0 {
			s = min(s, a.models[p].estimate(o))
		}
	}
	return s
}

// Act implements parley.Agent.
func (a *Frequency) Act(t *parley.Turn) parley.Action {
	if act, done := a.td.other(t); done {
		return act
	}
	a.observe(t)
	x := a.td.idx
	target := a.td.Target(t.Time)
	lo, hi := x.Around(target, a.K)
	best, bestScore := lo, math.Inf(-1)
	if hi-lo > 1 {
		for r := lo; r < hi; r++ {
			a.scratch = x.Outcome(r, a.scratch)
			if s := a.score(a.scratch); s > bestScore {
				best, bestScore = r, s
			}
		}
	}
	if t.Kind == parley.TurnRespond {
		v := a.td.u.Eval(t.Offer)
		if a.td.acceptable(v) && v >= x.Utility(best) {
			return a.td.accept()
		}
	}
	return a.td.offer(best)
}

func init() {
	Register(Info{Name: "frequency", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "time-dependent concession choosing among near-target offers by a frequency opponent model",
		Params:  "e=0.5 (concession exponent); k=20 (candidates compared per offer)"},
		func(p map[string]string) (parley.Agent, error) {
			e, err := FloatParam(p, "e", 0.5, 1e-6, 1e6)
			if err != nil {
				return nil, err
			}
			k, err := IntParam(p, "k", 20, 1, 1<<20)
			if err != nil {
				return nil, err
			}
			return &Frequency{E: e, K: k}, nil
		})
}
