package tournament

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/session"
)

// omSampleSize bounds the outcomes on which a non-additive opponent model,
// or a model of a party whose utility is not additive, is judged.
const omSampleSize = 10000

// omQuality is how well a seat's agent modelled its opponents: the mean,
// over the other parties it modelled, of the Pearson correlation and of
// the root-mean-square error between its estimates and their true
// utilities. NaN when undefined (no model, or a constant one).
type omQuality struct{ pearson, rmse float64 }

// omTruth is what opponent models are compared with in a scenario, built
// once and shared by all its negotiations: every party's utility as
// per-issue tables when it is additive, and, for the rest, a fixed set of
// outcomes (all of them up to omSampleSize, else a sample drawn with a
// fixed seed) with every party's utility of each, each party's on its own
// scale (UtilityFn.F; both measures are invariant to it).
type omTruth struct {
	once     sync.Once
	tables   [][][]float64 // per party; nil when not additive
	sOnce    sync.Once
	outcomes []parley.Outcome
	utils    [][]float64 // per party, per outcome
}

func (tr *omTruth) prepare(m *parley.Model) {
	tr.once.Do(func() {
		tr.tables = make([][][]float64, len(m.Parties))
		for p := range m.Parties {
			u := &m.Parties[p].Utility
			if !u.Additive() {
				continue
			}
			t := make([][]float64, len(u.Values))
			for i, vs := range u.Values {
				t[i] = make([]float64, len(vs))
				for v, x := range vs {
					t[i][v] = u.F(x)
				}
			}
			tr.tables[p] = t
		}
	})
}

func (tr *omTruth) sample(m *parley.Model) {
	tr.sOnce.Do(func() {
		if size := m.Size(); size.Cmp(big.NewInt(omSampleSize)) <= 0 {
			for o := range m.Outcomes() {
				tr.outcomes = append(tr.outcomes, slices.Clone(o))
			}
		} else {
			rng := rand.New(rand.NewPCG(0x6f70706d6f64656c, uint64(len(m.Sizes))))
			for range omSampleSize {
				o := make(parley.Outcome, len(m.Sizes))
				for i, k := range m.Sizes {
					o[i] = rng.IntN(k)
				}
				tr.outcomes = append(tr.outcomes, o)
			}
		}
		tr.utils = make([][]float64, len(m.Parties))
		for p := range m.Parties {
			tr.utils[p] = make([]float64, len(tr.outcomes))
			for k, o := range tr.outcomes {
				u := &m.Parties[p].Utility
				tr.utils[p][k] = u.F(u.Eval(o))
			}
		}
	})
}

// modelers returns, per seat, the agent's opponent model (nil when it has
// none), or nil when no seat has one.
func modelers(players []session.Player) []agent.OpponentModeler {
	var out []agent.OpponentModeler
	for i, p := range players {
		if m, ok := p.Agent.(agent.OpponentModeler); ok {
			if out == nil {
				out = make([]agent.OpponentModeler, len(players))
			}
			out[i] = m
		}
	}
	return out
}

// opponentModels measures, at the end of a negotiation, every seat's
// opponent model against the other parties' true utilities; nil when no
// seat has one. Additive models of parties with additive utilities are
// judged exactly over all outcomes, issue by issue; the others over
// omTruth's outcomes.
func (d *domain) opponentModels(ms []agent.OpponentModeler) []omQuality {
	if ms == nil {
		return nil
	}
	m := d.Model
	d.truth.prepare(m)
	out := make([]omQuality, len(ms))
	var tables [][]float64
	for i, om := range ms {
		out[i] = omQuality{math.NaN(), math.NaN()}
		if om == nil {
			continue
		}
		var sp, sr float64
		var np, nr int
		for j := range m.Parties {
			if j == i {
				continue
			}
			var q omQuality
			var ok bool
			tables, ok = om.OpponentValues(j, tables)
			switch {
			case ok && d.truth.tables[j] != nil:
				q = additiveQuality(tables, d.truth.tables[j])
			case ok: // an additive model of a non-additive utility
				q, _ = d.sampledQuality(func(o parley.Outcome) (float64, bool) { return sumTables(tables, o), true }, j)
			default:
				if q, ok = d.sampledQuality(func(o parley.Outcome) (float64, bool) { return om.OpponentUtility(j, o) }, j); !ok {
					continue // no model of j
				}
			}
			if !math.IsNaN(q.pearson) {
				sp, np = sp+q.pearson, np+1
			}
			if !math.IsNaN(q.rmse) {
				sr, nr = sr+q.rmse, nr+1
			}
		}
		if np > 0 {
			out[i].pearson = sp / float64(np)
		}
		if nr > 0 {
			out[i].rmse = sr / float64(nr)
		}
	}
	return out
}

// sampledQuality judges the estimate est of party j's utility over
// omTruth's outcomes; ok is false when est has no model of j.
func (d *domain) sampledQuality(est func(parley.Outcome) (float64, bool), j int) (omQuality, bool) {
	d.truth.sample(d.Model)
	var st pairStats
	for k, o := range d.truth.outcomes {
		e, ok := est(o)
		if !ok {
			return omQuality{}, false
		}
		st.add(e, d.truth.utils[j][k])
	}
	return st.quality(), true
}

// sumTables evaluates an additive estimate.
func sumTables(t [][]float64, o parley.Outcome) float64 {
	var s float64
	for i, v := range o {
		s += t[i][v]
	}
	return s
}

// pairStats accumulates the moments of (f, g) pairs (Welford's updates, for
// accuracy) and their ranges.
type pairStats struct {
	n                      float64
	mf, mg, sff, sgg, sfg  float64
	minF, maxF, minG, maxG float64
}

func (s *pairStats) add(f, g float64) {
	if s.n == 0 {
		s.minF, s.maxF, s.minG, s.maxG = f, f, g, g
	}
	s.n++
	df, dg := f-s.mf, g-s.mg
	s.mf += df / s.n
	s.mg += dg / s.n
	s.sff += df * (f - s.mf)
	s.sgg += dg * (g - s.mg)
	s.sfg += df * (g - s.mg)
	s.minF, s.maxF = min(s.minF, f), max(s.maxF, f)
	s.minG, s.maxG = min(s.minG, g), max(s.maxG, g)
}

func (s *pairStats) quality() omQuality {
	if s.n == 0 {
		return omQuality{math.NaN(), math.NaN()}
	}
	return quality(moments{
		meanF: s.mf, meanG: s.mg,
		varF: s.sff / s.n, varG: s.sgg / s.n, cov: s.sfg / s.n,
		minF: s.minF, maxF: s.maxF, minG: s.minG, maxG: s.maxG,
	})
}

// moments describe the joint distribution of two utilities f and g over
// equally likely outcomes (population variances).
type moments struct {
	meanF, meanG, varF, varG, cov float64
	minF, maxF, minG, maxG        float64
}

// quality computes, from the moments, the Pearson correlation of f and g,
// and the root-mean-square difference of f and g once each is min–max
// normalised to [0, 1] over the outcomes:
//
//	E[(f′ − g′)²] = Var f/a² + Var g/b² − 2 Cov(f, g)/(ab) + (E f′ − E g′)²
//
// with a, b the ranges of f and g. Each is NaN when f or g is constant.
func quality(m moments) omQuality {
	q := omQuality{math.NaN(), math.NaN()}
	if m.varF > 0 && m.varG > 0 {
		q.pearson = max(-1, min(1, m.cov/math.Sqrt(m.varF*m.varG)))
	}
	a, b := m.maxF-m.minF, m.maxG-m.minG
	if a > 0 && b > 0 {
		ef, eg := (m.meanF-m.minF)/a, (m.meanG-m.minG)/b
		mse := m.varF/(a*a) + m.varG/(b*b) - 2*m.cov/(a*b) + (ef-eg)*(ef-eg)
		q.rmse = math.Sqrt(max(mse, 0))
	}
	return q
}

// additiveQuality judges an additive estimate f against an additive true
// utility g (per-issue, per-option tables of the same shape) over every
// outcome of the space, without enumerating it: with outcomes equally
// likely, options are independent across issues, so means, variances,
// covariance, minimum and maximum are sums of per-issue ones.
func additiveQuality(f, g [][]float64) omQuality {
	var m moments
	for i := range f {
		fi, gi := f[i], g[i]
		if len(fi) != len(gi) || len(fi) == 0 {
			return omQuality{math.NaN(), math.NaN()}
		}
		k := float64(len(fi))
		var mf, mg float64
		minF, maxF, minG, maxG := fi[0], fi[0], gi[0], gi[0]
		for v := range fi {
			mf += fi[v]
			mg += gi[v]
			minF, maxF = min(minF, fi[v]), max(maxF, fi[v])
			minG, maxG = min(minG, gi[v]), max(maxG, gi[v])
		}
		mf, mg = mf/k, mg/k
		var vf, vg, c float64
		for v := range fi {
			df, dg := fi[v]-mf, gi[v]-mg
			vf += df * df
			vg += dg * dg
			c += df * dg
		}
		m.meanF += mf
		m.meanG += mg
		m.varF += vf / k
		m.varG += vg / k
		m.cov += c / k
		m.minF += minF
		m.maxF += maxF
		m.minG += minG
		m.maxG += maxG
	}
	return quality(m)
}
