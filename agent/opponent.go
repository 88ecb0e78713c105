package agent

import (
	"math"
	"strconv"

	"github.com/parleyhq/parley"
)

// An OpponentModeler learns the other parties' preferences while it
// negotiates. Runners may ask it, between turns or after the negotiation
// (never during a call to Act), how well it has learnt them: package
// tournament compares the estimates with the true utilities (see
// docs/tournament.md, opponent_model_*).
//
// Estimates are on the model's own scale (higher is better for the modelled
// party); only their order and relative spacing carry meaning, so a
// comparison with the true utility should be invariant to a positive affine
// change of either (Pearson correlation, or distances after min–max
// normalisation).
type OpponentModeler interface {
	// OpponentUtility returns the agent's estimate of party p's utility of
	// o, in O(issues). ok is false when the agent has no model of p: p is
	// the agent itself or out of range, or p has made no offer it saw.
	OpponentUtility(p int, o parley.Outcome) (u float64, ok bool)
	// OpponentValues returns the same estimate as per-issue, per-option
	// values — OpponentUtility(p, o) = Σ_i values[i][o[i]] up to rounding —
	// when the model is additive, writing into dst when its shape fits (so
	// that steady-state calls do not allocate). ok is false when the model
	// is not additive or OpponentUtility's ok would be false; callers then
	// evaluate OpponentUtility outcome by outcome.
	OpponentValues(p int, dst [][]float64) (values [][]float64, ok bool)
}

// offerFeed hands an agent each offer another party made since its last
// turn, once: from Turn.History when the runner passes it (every ActOffer
// by another party), otherwise the standing offer of a TurnRespond. Without
// a history, offers superseded before the agent's turn (n > 2 parties) go
// unseen.
type offerFeed struct {
	self, parties, issues int
	cursor                int // history entries already read
}

func (f *offerFeed) init(m *parley.Model, self int) {
	*f = offerFeed{self: self, parties: len(m.Parties), issues: len(m.Sizes)}
}

func (f *offerFeed) valid(p int, o parley.Outcome) bool {
	return p != f.self && p >= 0 && p < f.parties && len(o) == f.issues
}

// each calls fn with every new offer of another party, oldest first. fn
// must not keep o.
func (f *offerFeed) each(t *parley.Turn, fn func(p int, o parley.Outcome)) {
	if len(t.History) > 0 {
		if len(t.History) < f.cursor {
			f.cursor = 0 // another runner's history: start over
		}
		for _, act := range t.History[f.cursor:] {
			if act.Kind == parley.ActOffer && f.valid(act.Actor, act.Outcome) {
				fn(act.Actor, act.Outcome)
			}
		}
		f.cursor = len(t.History)
		return
	}
	if t.Kind == parley.TurnRespond && f.valid(t.Offerer, t.Offer) {
		fn(t.Offerer, t.Offer)
	}
}

// opponents keeps the frequency model of HardHeaded (oppModel, see
// Frequency) for every other party, fed by an offerFeed. Frequency,
// HardHeaded, CUHKAgent and AgentGG embed it, and so implement
// OpponentModeler.
type opponents struct {
	feed   offerFeed
	models []oppModel // per party; unused for the agent itself
	seen   bool       // some other party has offered
}

func (op *opponents) reset(m *parley.Model, self int) {
	op.feed.init(m, self)
	op.seen = false
	if cap(op.models) < len(m.Parties) {
		op.models = make([]oppModel, len(m.Parties))
	}
	op.models = op.models[:len(m.Parties)]
	for p := range op.models {
		op.models[p].reset(m.Sizes)
	}
}

// observe feeds the new offers of other parties into their models and, when
// fn is not nil, hands each to fn as well.
func (op *opponents) observe(t *parley.Turn, fn func(p int, o parley.Outcome)) {
	op.feed.each(t, func(p int, o parley.Outcome) {
		op.models[p].update(o)
		op.seen = true
		if fn != nil {
			fn(p, o)
		}
	})
}

// score is the lowest estimated utility of o over the parties that have
// offered (+Inf when none has).
func (op *opponents) score(o parley.Outcome) float64 {
	s := math.Inf(1)
	for p := range op.models {
		if p != op.feed.self && op.models[p].offers > 0 {
			s = min(s, op.models[p].estimate(o))
		}
	}
	return s
}

func (op *opponents) model(p int) *oppModel {
	if p == op.feed.self || p < 0 || p >= len(op.models) || op.models[p].offers == 0 {
		return nil
	}
	return &op.models[p]
}

// OpponentUtility implements OpponentModeler.
func (op *opponents) OpponentUtility(p int, o parley.Outcome) (float64, bool) {
	om := op.model(p)
	if om == nil || len(o) != len(om.counts) {
		return 0, false
	}
	return om.estimate(o), true
}

// OpponentValues implements OpponentModeler: the frequency model is
// additive.
func (op *opponents) OpponentValues(p int, dst [][]float64) ([][]float64, bool) {
	om := op.model(p)
	if om == nil {
		return dst, false
	}
	dst = shapeLike(dst, om.counts)
	for i, cs := range om.counts {
		for v, c := range cs {
			dst[i][v] = om.factor[i] * float64(c+1)
		}
	}
	return dst, true
}

// shapeLike returns dst resized to one row per issue of like's lengths,
// reusing its storage where it suffices.
func shapeLike[T any](dst [][]float64, like [][]T) [][]float64 {
	if cap(dst) < len(like) {
		dst = make([][]float64, len(like))
	}
	dst = dst[:len(like)]
	for i, row := range like {
		if cap(dst[i]) < len(row) {
			dst[i] = make([]float64, len(row))
		}
		dst[i] = dst[i][:len(row)]
	}
	return dst
}

// pickBy returns the rank in [lo, hi) whose outcome scores highest under
// score, comparing at most k ranks spread evenly over the range (all of them
// when hi−lo ≤ k); the lowest rank wins ties. buf is the decode buffer,
// returned for reuse. It costs O(k·issues), whatever the size of the range.
func pickBy(x *Index, lo, hi, k int, buf parley.Outcome, score func(parley.Outcome) float64) (int, parley.Outcome) {
	best, bestScore := lo, math.Inf(-1)
	n := hi - lo
	if n <= 1 {
		return lo, buf
	}
	steps := min(n, max(k, 1))
	for j := range steps {
		r := lo + int(int64(j)*int64(n)/int64(steps))
		buf = x.Outcome(r, buf)
		if s := score(buf); s > bestScore {
			best, bestScore = r, s
		}
	}
	return best, buf
}

// tradeoff is the strategy Frequency and Bayesian share: the target of a
// TimeDependent agent and, among the k candidates nearest above it
// (Index.Around), the one an opponent model rates best (the nearest to the
// target on ties, or before any opponent offer); it accepts an offer that
// beats its reservation and is at least as good as the offer it would make
// (AC_next).
type tradeoff struct {
	td      TimeDependent
	k       int
	scratch parley.Outcome
}

// UseIndexCache makes the agent take its index from c (call before Init).
func (tr *tradeoff) UseIndexCache(c *IndexCache) { tr.td.UseIndexCache(c) }

func (tr *tradeoff) start(s *parley.Session, e float64, k int, name string) error {
	if k < 1 {
		return parley.Errorf(parley.EINVALID, "agent: %s: k must be at least 1, got %d", name, k)
	}
	tr.td.Exponent, tr.k = e, k
	if err := tr.td.Init(s); err != nil {
		return err
	}
	tr.scratch = make(parley.Outcome, len(s.Model.Sizes))
	return nil
}

// act answers a turn the agent can play; seen says whether the model has
// heard an opponent, score rates an outcome for the opponents.
func (tr *tradeoff) act(t *parley.Turn, seen bool, score func(parley.Outcome) float64) parley.Action {
	x := tr.td.idx
	lo, hi := x.Around(tr.td.Target(t.Time), tr.k)
	best := lo
	if seen {
		best, tr.scratch = pickBy(x, lo, hi, tr.k, tr.scratch, score)
	}
	if t.Kind == parley.TurnRespond {
		if v := tr.td.u.Eval(t.Offer); tr.td.acceptable(v) && v >= x.Utility(best) {
			return tr.td.accept()
		}
	}
	return tr.td.offer(best)
}

// registerTradeoff registers a tradeoff agent with its e and k parameters.
func registerTradeoff(name, summary string, k int, mk func(e float64, k int) parley.Agent) {
	Register(Info{Name: name, Role: RoleNegotiator, Protocols: offerProtocols, Summary: summary,
		Params: "e=0.5 (concession exponent); k=" + strconv.Itoa(k) + " (candidates compared per offer)"},
		func(p map[string]string) (parley.Agent, error) {
			e, err := FloatParam(p, "e", 0.5, 1e-6, 1e6)
			if err != nil {
				return nil, err
			}
			k, err := IntParam(p, "k", k, 1, 1<<20)
			if err != nil {
				return nil, err
			}
			return mk(e, k), nil
		})
}

// defaultK fills in the default number of compared candidates and checks
// it.
func defaultK(k *int, def int, name string) error {
	if *k == 0 {
		*k = def
	}
	if *k < 1 {
		return parley.Errorf(parley.EINVALID, "agent: %s: k must be at least 1, got %d", name, *k)
	}
	return nil
}
