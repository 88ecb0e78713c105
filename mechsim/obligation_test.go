package mechsim

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parallel"
)

// withObligations adds a one-off obligation due on day 30 and a monthly
// report to an accord, each with an on-time estimate.
func withObligations(a *parley.Accord, oneOff, monthly *parley.Estimate) *parley.Accord {
	within := 30
	a.Commitments = append(a.Commitments,
		parley.Commitment{ID: "dismantle", Kind: parley.Obligation, By: []string{"A"}, To: []string{"P"}, Due: parley.Due{Within: &within},
			Assume: parley.CommitmentAssumptions{OnTime: oneOff}},
		parley.Commitment{ID: "report", Kind: parley.Obligation, By: []string{"A"}, To: []string{"P"}, Due: parley.Due{Every: 30},
			Assume: parley.CommitmentAssumptions{OnTime: monthly}})
	return a
}

// TestObligations: instances due within the horizon are counted, a missed
// share follows the on-time probability (within 4 standard errors of
// 1 − p), certain fulfilment misses none, and the obligations leave the
// incidents alone.
func TestObligations(t *testing.T) {
	base := func() *parley.Accord {
		return accord(est(0.5, 0, 0), est(0.2, 0, 0), est(0.3, 0, 0), est(1, 0, 0), est(0.5, 0, 0), est(0.3, 0, 0))
	}
	cfg := Config{Runs: 4000, Days: 95, Seed: 9, Points: true}
	res, err := Run(context.Background(), []Mechanism{
		{Name: "p", Accord: withObligations(base(), est(0.7, 0, 0), est(0.9, 0, 0))},
		{Name: "sure", Accord: withObligations(base(), est(1, 0, 0), est(1, 0, 0))},
		{Name: "none", Accord: base()},
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := res[0].Obligations
	if len(p) != 2 || p[0].ID != "dismantle" || p[0].Instances != 1 || p[1].Instances != 3 {
		t.Fatalf("obligations: %+v", p)
	}
	for i, want := range []float64{0.3, 3 * 0.1} {
		q := want / p[i].Instances // each instance's chance to be missed
		se := math.Sqrt(p[i].Instances * q * (1 - q) / float64(cfg.Runs))
		if math.Abs(p[i].Missed-want) > 4*se+1e-9 {
			t.Errorf("%s: %.4f missed, want %.4f ± %.4f", p[i].ID, p[i].Missed, want, 4*se)
		}
	}
	if want := math.Pow(0.9, 3); math.Abs(p[1].PAllOnTime-want) > 0.03 {
		t.Errorf("report: P(all on time) %.3f, want %.3f", p[1].PAllOnTime, want)
	}
	for _, o := range res[1].Obligations {
		if o.Missed != 0 || o.PAllOnTime != 1 {
			t.Errorf("certain fulfilment: %+v", o)
		}
	}
	if res[2].Obligations != nil || res[0].Incidents != res[2].Incidents || res[0].PHolds != res[2].PHolds {
		t.Errorf("obligations changed the incidents: %v vs %v", res[0].Incidents, res[2].Incidents)
	}
}

// TestOnTimeMonotone: with common random numbers, a higher on-time
// probability never misses more instances, in any run.
func TestOnTimeMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 100; trial++ {
		lo, hi := r.Float64(), 0.0
		hi = lo + (1-lo)*r.Float64()
		mk := func(p float64) *model {
			m, err := compile(Mechanism{Name: "m", Accord: withObligations(accord(est(0.5, 0, 0), est(0.2, 0, 0), est(0.3, 0, 0), nil, nil, nil), est(p, 0, 0), est(p, 0, 0))}, 365)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m1, m2 := mk(lo), mk(hi)
		cfg := Config{Days: 1 + r.IntN(365), Points: true}
		for run := 0; run < 20; run++ {
			seed := parallel.Seed(uint64(trial), run)
			s1, s2 := simulate(m1, cfg, seed), simulate(m2, cfg, seed)
			for i := range s1.perObligation {
				if s2.perObligation[i].missed > s1.perObligation[i].missed || s1.perObligation[i].instances != s2.perObligation[i].instances {
					t.Fatalf("trial %d run %d: on time %.3f misses %d, %.3f misses %d", trial, run, lo, s1.perObligation[i].missed, hi, s2.perObligation[i].missed)
				}
			}
		}
	}
}
