package simulate

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parallel"
)

// MCConfig says how to run a Monte Carlo study.
type MCConfig struct {
	Runs    int
	Workers int    // 0: all cores
	Seed    uint64 // the study's seed; run i gets a seed derived from it and i
	// Progress, when set, is called after each finished run with the number
	// done so far (from the worker goroutines; it must be safe for that).
	Progress func(done, total int)
}

// MCResult summarises a Monte Carlo study. It depends only on the scenario,
// the configuration and the seed — not on the number of workers.
type MCResult struct {
	Runs       int            `json:"runs"`
	Agreements int            `json:"agreements"`
	PAgreement float64        `json:"p_agreement"`
	CI95       [2]float64     `json:"ci95"` // Wilson score interval for PAgreement
	Ends       map[string]int `json:"ends"`
	// Utilities summarises each party's utility over the runs that agreed.
	Utilities []Dist `json:"utilities"`
	// Blocked counts, over runs without agreement, who rejected the last
	// proposal and why (a faction, a red line, a withheld consent).
	Blocked []Count `json:"blocked"`
	// MeanRounds is the mean number of rounds a run took.
	MeanRounds float64 `json:"mean_rounds"`
	// Elapsed is the wall-clock time of the study; RunsPerSecond follows.
	Elapsed       float64 `json:"elapsed_s"`
	RunsPerSecond float64 `json:"runs_per_second"`
}

// Dist is a distribution summary.
type Dist struct {
	Party string  `json:"party"`
	N     int     `json:"n"`
	Mean  float64 `json:"mean"`
	P10   float64 `json:"p10"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
}

// Count is a labelled count.
type Count struct {
	What  string `json:"what"`
	Count int    `json:"count"`
}

// RunSeed derives run i's seed from the study's seed (splitmix64).
func RunSeed(seed uint64, i int) uint64 { return parallel.Seed(seed, i) }

type mcRun struct {
	end    parley.EndState
	utils  []float64
	rounds int
	block  []string
	err    error
}

// MonteCarlo runs the scenario mc.Runs times, each time drawing every
// ranged estimate from its range (Scenario.Sample), recompiling, and
// simulating under cfg with the run's own seed. The mediator of each run
// aims at that run's Nash point when its zone is open.
func MonteCarlo(ctx context.Context, s *parley.Scenario, cfg Config, mc MCConfig) (*MCResult, error) {
	if mc.Runs <= 0 {
		return nil, parley.Errorf(parley.EINVALID, "simulate: runs must be positive, got %d", mc.Runs)
	}
	runs := make([]mcRun, mc.Runs)
	var mu sync.Mutex
	done := 0
	start := time.Now()
	err := parallel.For(ctx, mc.Runs, mc.Workers, func(i int) {
		runs[i] = one(s, cfg, RunSeed(mc.Seed, i))
		if mc.Progress != nil {
			mu.Lock()
			done++
			d := done
			mu.Unlock()
			mc.Progress(d, mc.Runs)
		}
	})
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if runs[i].err != nil {
			return nil, runs[i].err
		}
	}
	return summarise(s, runs, time.Since(start)), nil
}

func one(s *parley.Scenario, cfg Config, seed uint64) mcRun {
	r := rand.New(rand.NewPCG(seed, 1))
	m, err := s.Sample(r).Compile()
	if err != nil {
		return mcRun{err: err}
	}
	c := cfg
	c.Seed = seed
	if c.Protocol == parley.ProtocolMediated && c.Target == nil {
		c.Target = MediatorTarget(m)
	}
	run, err := Once(m, c, false)
	if err != nil {
		return mcRun{err: err}
	}
	return mcRun{end: run.Result.End, utils: run.Utilities, rounds: run.Result.Rounds, block: run.Blocked}
}

func summarise(s *parley.Scenario, runs []mcRun, elapsed time.Duration) *MCResult {
	res := &MCResult{Runs: len(runs), Ends: map[string]int{}, Elapsed: elapsed.Seconds()}
	blocked := map[string]int{}
	var rounds int
	utils := make([][]float64, len(s.Parties))
	for _, r := range runs {
		res.Ends[r.end.String()]++
		rounds += r.rounds
		if r.end == parley.Agreement {
			res.Agreements++
			for i, u := range r.utils {
				utils[i] = append(utils[i], u)
			}
			continue
		}
		seen := map[string]bool{}
		for _, b := range r.block {
			// "below reservation (0.41 ≤ 0.50)" counts as one cause.
			if k := strings.Index(b, " ("); k > 0 {
				b = b[:k]
			}
			if !seen[b] {
				blocked[b]++
				seen[b] = true
			}
		}
	}
	n := float64(len(runs))
	res.PAgreement = float64(res.Agreements) / n
	res.CI95 = wilson(res.Agreements, len(runs), 1.959963984540054)
	res.MeanRounds = float64(rounds) / n
	for i, us := range utils {
		res.Utilities = append(res.Utilities, dist(s.Parties[i].Name, us))
	}
	for what, c := range blocked {
		res.Blocked = append(res.Blocked, Count{What: what, Count: c})
	}
	sort.Slice(res.Blocked, func(a, b int) bool {
		if res.Blocked[a].Count != res.Blocked[b].Count {
			return res.Blocked[a].Count > res.Blocked[b].Count
		}
		return res.Blocked[a].What < res.Blocked[b].What
	})
	if elapsed > 0 {
		res.RunsPerSecond = n / elapsed.Seconds()
	}
	return res
}

// wilson returns the Wilson score interval for k successes in n trials.
func wilson(k, n int, z float64) [2]float64 {
	if n == 0 {
		return [2]float64{0, 1}
	}
	p := float64(k) / float64(n)
	nn := float64(n)
	den := 1 + z*z/nn
	c := (p + z*z/(2*nn)) / den
	h := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn)) / den
	lo, hi := math.Max(0, c-h), math.Min(1, c+h)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return [2]float64{lo, hi}
}

func dist(party string, us []float64) Dist {
	d := Dist{Party: party, N: len(us)}
	if len(us) == 0 {
		return d
	}
	sorted := append([]float64(nil), us...)
	sort.Float64s(sorted)
	var sum float64
	for _, u := range sorted {
		sum += u
	}
	d.Mean = sum / float64(len(sorted))
	q := func(p float64) float64 { return sorted[int(p*float64(len(sorted)-1)+0.5)] }
	d.P10, d.P50, d.P90 = q(0.1), q(0.5), q(0.9)
	return d
}
