package mechsim

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parallel"
)

func est(v, lo, hi float64) *parley.Estimate {
	return &parley.Estimate{Value: v, Low: lo, High: hi, Ranged: hi > lo}
}

// accord is a two-party accord with one guarantee that has assumptions,
// and a mechanism with the given estimates.
func accord(detection, falseAttr, dispute *parley.Estimate, rate, look, force *parley.Estimate) *parley.Accord {
	return &parley.Accord{
		Scenario: "t", Signed: "2025-11-01", Parties: []string{"P", "A"}, Seats: []string{"A", "P"},
		Commitments: []parley.Commitment{{
			ID: "soil", Kind: parley.Guarantee, By: []string{"A"}, To: []string{"P"},
			OnBreach: &parley.Breach{Action: parley.Response, By: []string{"P"}},
			Assume:   parley.CommitmentAssumptions{Rate: rate, Lookalike: look, Force: force},
		}},
		Mechanism: parley.Mechanism{
			Investigate: parley.Investigation{By: []string{parley.BodyJoint}, OpenWithin: 7, ReportWithin: 21},
			Rule:        parley.Ruling{By: parley.BodyJoint, Within: 7},
			Assume:      parley.ProcedureAssumptions{Detection: detection, FalseAttribution: falseAttr, Dispute: dispute},
		},
	}
}

// TestWorkers: the results depend on the seed, not the worker count.
func TestWorkers(t *testing.T) {
	a := accord(est(0.5, 0.3, 0.7), est(0.2, 0.1, 0.4), est(0.3, 0.1, 0.5), est(2, 0.5, 5), est(1, 0.5, 3), est(0.3, 0.1, 0.5))
	b := accord(est(0.7, 0.5, 0.9), est(0.6, 0.4, 0.9), est(0.8, 0.6, 1), est(2, 0.5, 5), est(1, 0.5, 3), est(0.3, 0.1, 0.5))
	mechs := []Mechanism{{Name: "a", Accord: a}, {Name: "b", Accord: b}}
	var first []Result
	for _, w := range []int{1, 2, 5} {
		res, err := Run(context.Background(), mechs, Config{Runs: 500, Workers: w, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(res, first) {
			t.Errorf("workers=%d: results differ from workers=1", w)
		}
	}
	res, _ := Run(context.Background(), mechs, Config{Runs: 500, Workers: 2, Seed: 8})
	if reflect.DeepEqual(res, first) {
		t.Error("another seed gives the same results")
	}
}

// TestDetectionMonotone: with common random numbers, a higher detection
// probability never lowers the number of detected violations — in every
// run, so also in expectation — whatever the other estimates.
func TestDetectionMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		lo1 := r.Float64()
		hi1 := lo1 + (1-lo1)*r.Float64()
		lo2 := lo1 + (1-lo1)*r.Float64()
		hi2 := math.Max(hi1, lo2) + (1-math.Max(hi1, lo2))*r.Float64()
		fa, dp := est(r.Float64(), 0, 1), est(r.Float64(), 0, 1)
		rate, look, force := est(5*r.Float64(), 0, 10), est(5*r.Float64(), 0, 10), est(r.Float64(), 0, 1)
		m1, err := compile(Mechanism{Name: "low", Accord: accord(est(lo1, lo1, hi1), fa, dp, rate, look, force)}, 180)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := compile(Mechanism{Name: "high", Accord: accord(est(lo2, lo2, hi2), fa, dp, rate, look, force)}, 180)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Days: 1 + r.IntN(180), OpenStep: 30}
		for run := 0; run < 20; run++ {
			seed := parallel.Seed(uint64(trial), run)
			s1, s2 := simulate(m1, cfg, seed), simulate(m2, cfg, seed)
			if s2.detected < s1.detected {
				t.Fatalf("trial %d run %d: detection [%v,%v] finds %d, [%v,%v] finds %d", trial, run, lo1, hi1, s1.detected, lo2, hi2, s2.detected)
			}
			if s1.violations != s2.violations || s1.incidents != s2.incidents {
				t.Fatalf("trial %d run %d: the mechanisms saw different incidents", trial, run)
			}
		}
	}
}

// TestLimits checks the model's corners against what they must give.
func TestLimits(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Runs: 4000, Days: 90, Seed: 3, Points: true}
	// Perfect monitoring: every true breach ruled in time is attributed
	// with a finding; nothing false, nothing unsupported.
	res, err := Run(ctx, []Mechanism{{Name: "perfect", Accord: accord(est(1, 0, 0), est(0.5, 0, 0), est(0, 0, 0), est(2, 0, 0), est(1, 0, 0), est(0, 0, 0))}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := res[0]
	if p.FalseAttributions != 0 || p.Unsupported != 0 || p.Disputed != 0 || p.Responses != 0 || p.PHolds != 1 {
		t.Errorf("perfect monitoring: %+v", p)
	}
	// Poisson: 2 breaches and 1 lookalike per 30 days over 90 days.
	if se := math.Sqrt(6 / float64(cfg.Runs)); math.Abs(p.Violations-6) > 5*se || math.Abs(p.Incidents-9) > 5*math.Sqrt(9/float64(cfg.Runs)) {
		t.Errorf("violations %v incidents %v, want 6 and 9", p.Violations, p.Incidents)
	}
	// A finding comes before its ruling: some findings within the horizon
	// are ruled after it.
	if p.Attributed > p.Detected || p.Detected > p.Violations || p.Attributed < 0.7*p.Detected {
		t.Errorf("attributed %v detected %v violations %v", p.Attributed, p.Detected, p.Violations)
	}
	// Blind monitoring and a ruler who always attributes: every ruling
	// attributes, every attribution is disputed, every lookalike ruled is
	// a false attribution; with force 1 the ceasefire holds only in runs
	// without a ruling.
	res, err = Run(ctx, []Mechanism{{Name: "blind", Accord: accord(est(0, 0, 0), est(1, 0, 0), est(0, 0, 0), est(2, 0, 0), est(1, 0, 0), est(1, 0, 0))}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := res[0]
	if b.Detected != 0 || b.Attributed != b.Rulings || b.Disputed != b.Rulings || math.Abs(b.FalseAttributions+b.Unsupported-b.Attributed) > 1e-9 || b.Responses != b.Attributed {
		t.Errorf("blind monitoring: %+v", b)
	}
	if b.PHolds > 0.01 {
		t.Errorf("blind monitoring with force 1 holds in %v of runs", b.PHolds)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	a := accord(nil, est(0.1, 0, 0), est(0.1, 0, 0), est(1, 0, 0), nil, nil)
	a.Mechanism.InvestigateFrom = "monitoring=cell"
	if _, err := Run(ctx, []Mechanism{{Name: "x", Accord: a}}, Config{}); err == nil || !strings.Contains(err.Error(), "no detection estimate; add verification.assume.detection to monitoring=cell") {
		t.Errorf("missing detection: %v", err)
	}
	for _, cfg := range []Config{{Days: -1}, {Runs: -5}, {Workers: -1}, {Days: 5000}} {
		if _, err := Run(ctx, []Mechanism{{Name: "x", Accord: accord(est(1, 0, 0), est(0, 0, 0), est(0, 0, 0), nil, nil, nil)}}, cfg); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	if _, err := Run(ctx, nil, Config{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("no mechanism: %v", err)
	}
}
