package agent

import (
	"math"

	"github.com/parleyhq/parley"
)

// Bayesian concedes like a TimeDependent agent (exponent E) and learns each
// opponent's preferences by Bayesian learning, after K. Hindriks and
// D. Tykhonov, "Opponent Modelling in Automated Multi-Issue Negotiation
// Using Bayesian Learning", AAMAS 2008, in the scalable form
// that learns every issue on its own (Genius's BayesianOpponentModelScalable).
// Like Frequency, it offers, among the K candidates nearest above its
// target, the one whose lowest estimated utility over the other parties is
// highest, and accepts an offer that beats its reservation and is at least
// as good as the offer it would make (AC_next). It uses no randomness.
//
// # The model
//
// The opponent's utility is assumed additive, u(o) = Σ_i w_i·e_i(o_i) / Σ_i w_i.
// For each issue of k options the hypotheses are pairs (w, p): a weight
// level w ∈ {0.1, 0.3, 0.5, 0.7, 0.9} and an evaluation shape with its peak
// at option p,
//
//	e_p(v) = 1 − |v − p| / max(p, k − 1 − p)
//
// (peaks at the first or last option are the paper's downhill and uphill
// shapes, the others its triangles; shapes follow the options' order, so
// for nominal issues whose options have no order this prior is coarse).
// Priors are uniform. For an offer b of the opponent at relative time t,
// each hypothesis h of issue i predicts the offer's utility with the other
// issues at their current expectations,
//
//	U_h(b) = (w·e_p(b_i) + Σ_{j≠i} E[w_j·e_j(b_j)]) / (w + Σ_{j≠i} E[w_j])
//
// and its posterior is multiplied by the likelihood of that prediction
// under the paper's assumption that the opponent concedes over time: a
// Gaussian exp(−(U_h(b) − u*(t))² / 2σ²) around u*(t) = 1 − 0.1·t, with
// σ = 0.15, then renormalised. The estimate is
// Σ_i E[w_i·e_i(o_i)] / Σ_i E[w_i], an additive function (OpponentValues).
//
// An update costs O(issues · options · 5); the estimate's per-option tables
// are recomputed, in O(issues · options) with prefix sums, only when asked
// for after an update. Nothing scans the outcome space.
//
// Simplified: the paper's concession assumption is reduced to the fixed
// line u*(t) above and σ is fixed (parley's choices); weights are learnt as
// independent levels per issue rather than as a ranking of the issues; with
// n > 2 parties each opponent has its own model.
type Bayesian struct {
	// E is the concession exponent of the time-dependent target (> 0;
	// 0 means 0.5).
	E float64
	// K is the number of candidates compared at each offer (≥ 1; 0 means
	// 20).
	K int
	tradeoff
	feed   offerFeed
	models []bayesModel // per party; unused for itself
	seen   bool
}

var (
	_ parley.Agent    = (*Bayesian)(nil)
	_ OpponentModeler = (*Bayesian)(nil)
)

// bayesLevels are the weight levels of every issue.
var bayesLevels = [...]float64{0.1, 0.3, 0.5, 0.7, 0.9}

const (
	bayesSigma = 0.15
	bayesSlope = 0.1 // u*(t) = 1 − bayesSlope·t
)

type bayesModel struct {
	offers int
	issues []bayesIssue
	stale  bool        // tables need recomputing
	m      []float64   // scratch: E[w_i·e_i(b_i)] per issue
	tables [][]float64 // the issues' tables
}

type bayesIssue struct {
	inv   []float64 // 1/max(p, k−1−p) per peak p (0 when k = 1)
	post  []float64 // P(level l, peak p) at [l·k + p]
	a     []float64 // A(p) = Σ_l P(l, p)·w_l
	ew    float64   // E[w] = Σ_p A(p)
	table []float64 // E[w·e(v)] per option v
}

func (bi *bayesIssue) reset(k int) {
	n := len(bayesLevels) * k
	if len(bi.post) != n {
		bi.post, bi.a, bi.table, bi.inv = make([]float64, n), make([]float64, k), make([]float64, k), make([]float64, k)
		for p := range k {
			if d := max(p, k-1-p); d > 0 {
				bi.inv[p] = 1 / float64(d)
			}
		}
	}
	for j := range bi.post {
		bi.post[j] = 1 / float64(n)
	}
	bi.summarise()
}

// summarise recomputes A and E[w] from the posterior.
func (bi *bayesIssue) summarise() {
	k := len(bi.a)
	clear(bi.a)
	for l, w := range bayesLevels {
		for p, pr := range bi.post[l*k : (l+1)*k] {
			bi.a[p] += pr * w
		}
	}
	bi.ew = 0
	for _, x := range bi.a {
		bi.ew += x
	}
}

// shape returns e_p(v) for an issue of k options.
func shape(k, p, v int) float64 {
	if k == 1 {
		return 1
	}
	d := max(p, k-1-p)
	return 1 - math.Abs(float64(v-p))/float64(d)
}

// expect returns E[w·e(v)] = Σ_p A(p)·e_p(v) for one option, in O(k).
func (bi *bayesIssue) expect(v int) float64 {
	var s float64
	for p, x := range bi.a {
		s += x * (1 - math.Abs(float64(v-p))*bi.inv[p])
	}
	return s
}

// tabulate fills table with E[w·e(v)] for every option in O(k):
// Σ_p A(p)·(1 − |v−p|/D_p) = ΣA − Σ_p B(p)·|v−p| with B = A/D, split at v
// into prefix sums of B and B·p.
func (bi *bayesIssue) tabulate() {
	k := len(bi.a)
	if k == 1 {
		bi.table[0] = bi.ew
		return
	}
	var totB, totBp float64
	for p, x := range bi.a {
		b := x / float64(max(p, k-1-p))
		totB += b
		totBp += b * float64(p)
	}
	var leB, leBp float64
	for v := range k {
		b := bi.a[v] / float64(max(v, k-1-v))
		leB += b
		leBp += b * float64(v)
		fv := float64(v)
		far := fv*leB - leBp + (totBp - leBp) - fv*(totB-leB)
		bi.table[v] = bi.ew - far
	}
}

func (bm *bayesModel) reset(sizes []int) {
	bm.offers, bm.stale = 0, true
	if len(bm.issues) != len(sizes) {
		bm.issues = make([]bayesIssue, len(sizes))
	}
	bm.tables = bm.tables[:0]
	for i, k := range sizes {
		bm.issues[i].reset(k)
		bm.tables = append(bm.tables, bm.issues[i].table)
	}
}

// update applies Bayes' rule to every issue for the offer b, whose
// predicted utility is target.
func (bm *bayesModel) update(b parley.Outcome, target float64) {
	var s, tw float64
	m := bm.m[:0]
	for i := range bm.issues {
		x := bm.issues[i].expect(b[i])
		m = append(m, x)
		s += x
		tw += bm.issues[i].ew
	}
	const inv = 1 / (2 * bayesSigma * bayesSigma)
	for i := range bm.issues {
		bi := &bm.issues[i]
		k := len(bi.a)
		rest, restW := s-m[i], tw-bi.ew
		var z float64
		v := b[i]
		for l, w := range bayesLevels {
			row := bi.post[l*k : (l+1)*k]
			norm := 1 / (w + restW)
			for p := range row {
				e := 1 - math.Abs(float64(v-p))*bi.inv[p] // shape(k, p, v)
				d := (w*e+rest)*norm - target
				row[p] *= math.Exp(-d * d * inv)
				z += row[p]
			}
		}
		if !(z > 0) || math.IsInf(z, 0) { // every hypothesis ruled out: keep the prior knowledge
			for j := range bi.post {
				bi.post[j] = 1 / float64(len(bi.post))
			}
		} else {
			for j := range bi.post {
				bi.post[j] /= z
			}
		}
		bi.summarise()
	}
	bm.m = m
	bm.offers++
	bm.stale = true
}

func (bm *bayesModel) refresh() {
	if !bm.stale {
		return
	}
	for i := range bm.issues {
		bm.issues[i].tabulate()
	}
	bm.stale = false
}

// estimate returns Σ_i E[w_i·e_i(o_i)] / Σ_i E[w_i] (tables fresh).
func (bm *bayesModel) estimate(o parley.Outcome) float64 {
	var s, tw float64
	for i := range bm.issues {
		s += bm.issues[i].table[o[i]]
		tw += bm.issues[i].ew
	}
	return s / tw
}

// Init implements parley.Agent. Errors have code parley.EINVALID.
func (a *Bayesian) Init(s *parley.Session) error {
	if a.K == 0 {
		a.K = 20
	}
	if a.E == 0 {
		a.E = 0.5
	}
	if err := a.start(s, a.E, a.K, "bayesian"); err != nil {
		return err
	}
	a.feed.init(s.Model, s.Party)
	if cap(a.models) < len(s.Model.Parties) {
		a.models = make([]bayesModel, len(s.Model.Parties))
	}
	a.models = a.models[:len(s.Model.Parties)]
	for p := range a.models {
		a.models[p].reset(s.Model.Sizes)
	}
	a.seen = false
	return nil
}

func (a *Bayesian) model(p int) *bayesModel {
	if p == a.td.party || p < 0 || p >= len(a.models) || a.models[p].offers == 0 {
		return nil
	}
	bm := &a.models[p]
	bm.refresh()
	return bm
}

// OpponentUtility implements OpponentModeler.
func (a *Bayesian) OpponentUtility(p int, o parley.Outcome) (float64, bool) {
	bm := a.model(p)
	if bm == nil || len(o) != len(bm.issues) {
		return 0, false
	}
	return bm.estimate(o), true
}

// OpponentValues implements OpponentModeler: the estimate is additive.
func (a *Bayesian) OpponentValues(p int, dst [][]float64) ([][]float64, bool) {
	bm := a.model(p)
	if bm == nil {
		return dst, false
	}
	var tw float64
	for i := range bm.issues {
		tw += bm.issues[i].ew
	}
	dst = shapeLike(dst, bm.tables)
	for i, row := range bm.tables {
		for v, x := range row {
			dst[i][v] = x / tw
		}
	}
	return dst, true
}

// score is the lowest estimated utility of o over the modelled parties.
func (a *Bayesian) score(o parley.Outcome) float64 {
	s := math.Inf(1)
	for p := range a.models {
		if bm := a.model(p); bm != nil {
			s = min(s, bm.estimate(o))
		}
	}
	return s
}

// Act implements parley.Agent.
func (a *Bayesian) Act(t *parley.Turn) parley.Action {
	if act, done := a.td.other(t); done {
		return act
	}
	target := 1 - bayesSlope*min(max(t.Time, 0), 1)
	a.feed.each(t, func(p int, o parley.Outcome) {
		a.models[p].update(o, target)
		a.seen = true
	})
	return a.act(t, a.seen, a.score)
}

func init() {
	registerTradeoff("bayesian", "time-dependent concession choosing among near-target offers by a Bayesian opponent model (Hindriks & Tykhonov)", 20,
		func(e float64, k int) parley.Agent { return &Bayesian{E: e, K: k} })
}
