package agent

import (
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
	K int
	tradeoff
	opponents
}

var (
	_ parley.Agent    = (*Frequency)(nil)
	_ OpponentModeler = (*Frequency)(nil)
)

type oppModel struct {
	offers  int
	counts  [][]int32
	maxima  []int32
	weights []float64
	factor  []float64 // w_i/(max_i + 1), kept by update
	last    parley.Outcome
}

// reset empties the model for a space of the given issue sizes, reusing its
// storage.
func (om *oppModel) reset(sizes []int) {
	om.offers = 0
	if len(om.counts) != len(sizes) {
		om.counts = make([][]int32, len(sizes))
		om.maxima = make([]int32, len(sizes))
		om.weights = make([]float64, len(sizes))
		om.last = make(parley.Outcome, len(sizes))
	}
	for i, k := range sizes {
		if len(om.counts[i]) != k {
			om.counts[i] = make([]int32, k)
		}
		clear(om.counts[i])
		om.maxima[i] = 0
		om.weights[i] = 1 / float64(len(sizes))
	}
}

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *Frequency) Init(s *parley.Session) error {
	if a.K == 0 {
		a.K = 20
	}
	if a.E == 0 {
		a.E = 0.5
	}
	if err := a.start(s, a.E, a.K, "frequency"); err != nil {
		return err
	}
	a.reset(s.Model, s.Party)
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
	if len(om.factor) != len(om.weights) {
		om.factor = make([]float64, len(om.weights))
	}
	for i, w := range om.weights {
		om.factor[i] = w / float64(om.maxima[i]+1)
	}
	copy(om.last, o)
	om.offers++
}

// estimate returns Σ_i w_i·(count_i(o_i) + 1)/(max_i + 1), with the
// per-issue factors w_i/(max_i + 1) kept by update.
func (om *oppModel) estimate(o parley.Outcome) float64 {
	var u float64
	for i, v := range o {
		u += om.factor[i] * float64(om.counts[i][v]+1)
	}
	return u
}

// Act implements parley.Agent.
func (a *Frequency) Act(t *parley.Turn) parley.Action {
	if act, done := a.td.other(t); done {
		return act
	}
	a.observe(t, nil)
	return a.act(t, a.seen, a.score)
}

func init() {
	registerTradeoff("frequency", "time-dependent concession choosing among near-target offers by a frequency opponent model", 20,
		func(e float64, k int) parley.Agent { return &Frequency{E: e, K: k} })
}
