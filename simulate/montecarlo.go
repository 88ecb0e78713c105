package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/fixed"
	"github.com/parleyhq/parley/internal/parallel"
	"github.com/parleyhq/parley/protocol"
)

// MCConfig says how to run a Monte Carlo study.
type MCConfig struct {
	// Runs is the number of runs, 1..MaxRuns.
	Runs int
	// Workers is the number of worker goroutines: 0 means one per core;
	// more than parallel.MaxWorkers() is capped there.
	Workers int
	Seed    uint64 // the study's seed; run i gets a seed derived from it and i
	// Progress, when set, is called after each finished run with the number
	// done so far (from the worker goroutines, one call at a time, with
	// done increasing).
	Progress func(done, total int)
}

// MaxRuns bounds a Monte Carlo study: counts are written as JSON numbers,
// which readers hold exactly up to 2^53. Memory does not grow with the
// number of runs (see ExactQuantiles).
const MaxRuns = 1 << 53

// MCResult summarises a Monte Carlo study. It depends only on the scenario,
// the configuration and the seed — not on the number of workers.
type MCResult struct {
	Runs       int            `json:"runs"`
	Agreements int            `json:"agreements"`
	PAgreement float64        `json:"p_agreement"`
	CI95       [2]float64     `json:"ci95"` // Wilson score interval for PAgreement
	Ends       map[string]int `json:"ends"`
	// Utilities summarises what each party got over the runs that agreed:
	// its utility of the agreement, discounted at the agreement's time
	// when it discounts. UtilitiesUndiscounted summarises the same
	// undiscounted; it is present only when some run's parties discount.
	Utilities             []Dist `json:"utilities"`
	UtilitiesUndiscounted []Dist `json:"utilities_undiscounted,omitempty"`
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
	// Exact says whether the quantiles are exact: false beyond
	// ExactQuantiles values, where they are within QuantileError
	// (relative) of the exact ones. The mean is always exact.
	Exact bool `json:"exact"`
}

// Count is a labelled count.
type Count struct {
	What  string `json:"what"`
	Count int    `json:"count"`
}

// RunSeed derives run i's seed from the study's seed (splitmix64).
func RunSeed(seed uint64, i int) uint64 { return parallel.Seed(seed, i) }

type mcRun struct {
	end        parley.EndState
	utils      []float64
	undisc     []float64
	discounted bool
	rounds     int
	block      []string
}

// mcAcc accumulates runs as they finish, in memory that does not grow with
// their number. Adding commutes, so that a study's summary does not depend
// on the order in which runs finish, so not on the number of workers.
type mcAcc struct {
	runs, agreements int64
	ends             map[parley.EndState]int64
	rounds           fixed.Sum
	blocked          map[string]int64
	utils, undisc    []*distAcc
	discounted       bool
}

func newMCAcc(parties int) *mcAcc {
	a := &mcAcc{ends: map[parley.EndState]int64{}, blocked: map[string]int64{}}
	for range parties {
		a.utils = append(a.utils, newDistAcc())
		a.undisc = append(a.undisc, newDistAcc())
	}
	return a
}

func (a *mcAcc) add(r mcRun) {
	a.runs++
	a.ends[r.end]++
	a.rounds.AddQ(int64(r.rounds))
	if r.end == parley.Agreement {
		a.agreements++
		for i, u := range r.utils {
			a.utils[i].add(u)
			a.undisc[i].add(r.undisc[i])
		}
		a.discounted = a.discounted || r.discounted
		return
	}
	seen := map[string]bool{}
	for _, b := range r.block {
		// "below reservation (0.41 ≤ 0.50)" counts as one cause.
		if k := strings.Index(b, " ("); k > 0 {
			b = b[:k]
		}
		if !seen[b] {
			a.blocked[b]++
			seen[b] = true
		}
	}
}

// MonteCarlo runs the scenario mc.Runs times, each time drawing every
// ranged estimate from its range (Scenario.Sample), recompiling, and
// simulating under cfg with the run's own seed. The mediator of each run
// aims at that run's Nash point when its zone is open. Runs are summarised
// as they finish: memory does not grow with mc.Runs. When ctx is
// cancelled the study stops and returns ctx's error.
func MonteCarlo(ctx context.Context, s *parley.Scenario, cfg Config, mc MCConfig) (*MCResult, error) {
	if mc.Runs <= 0 {
		return nil, parley.Errorf(parley.EINVALID, "simulate: runs must be positive, got %d", mc.Runs)
	}
	if mc.Runs > MaxRuns {
		return nil, parley.Errorf(parley.EINVALID, "simulate: %d runs is more than a study can count exactly (at most %d, 2^53)", mc.Runs, int64(MaxRuns))
	}
	if mc.Workers < 0 {
		return nil, parley.Errorf(parley.EINVALID, "simulate: workers must not be negative, got %d", mc.Workers)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu     sync.Mutex // guards what follows, and orders Progress calls
		total  = newMCAcc(len(s.Parties))
		done   int
		failed error
	)
	start := time.Now()
	err := parallel.For(ctx, mc.Runs, mc.Workers, func(i int) {
		r, err := one(ctx, s, cfg, RunSeed(mc.Seed, i))
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if failed == nil && ctx.Err() == nil {
				failed = fmt.Errorf("simulate: run %d: %w", i, err)
				cancel(failed)
			}
			return
		}
		total.add(r)
		done++
		if mc.Progress != nil {
			mc.Progress(done, mc.Runs)
		}
	})
	if failed != nil {
		return nil, failed
	}
	if err != nil {
		return nil, err
	}
	return summarise(s, total, time.Since(start)), nil
}

func one(ctx context.Context, s *parley.Scenario, cfg Config, seed uint64) (mcRun, error) {
	r := rand.New(rand.NewPCG(seed, 1))
	m, err := s.Sample(r).Compile()
	if err != nil {
		return mcRun{}, err
	}
	c := cfg
	c.Seed = seed
	if info, err := protocol.Lookup(c.Protocol); err == nil && info.Mediated && c.Target == nil {
		c.Target = MediatorTarget(ctx, m)
	}
	run, err := OnceContext(ctx, m, c, false)
	if err != nil {
		return mcRun{}, err
	}
	return mcRun{end: run.Result.End, utils: run.Utilities, undisc: run.UtilitiesUndiscounted, discounted: m.Discounted(),
		rounds: run.Result.Rounds, block: run.Blocked}, nil
}

func summarise(s *parley.Scenario, a *mcAcc, elapsed time.Duration) *MCResult {
	res := &MCResult{Runs: int(a.runs), Agreements: int(a.agreements), Ends: map[string]int{}, Elapsed: elapsed.Seconds()}
	for e, c := range a.ends {
		res.Ends[e.String()] = int(c)
	}
	n := float64(a.runs)
	res.PAgreement = float64(a.agreements) / n
	res.CI95 = wilson(int(a.agreements), int(a.runs), 1.959963984540054)
	res.MeanRounds = a.rounds.Per(a.runs)
	for i, d := range a.utils {
		res.Utilities = append(res.Utilities, d.dist(s.Parties[i].Name))
		if a.discounted {
			res.UtilitiesUndiscounted = append(res.UtilitiesUndiscounted, a.undisc[i].dist(s.Parties[i].Name))
		}
	}
	for what, c := range a.blocked {
		res.Blocked = append(res.Blocked, Count{What: what, Count: int(c)})
	}
	sort.Slice(res.Blocked, func(i, j int) bool {
		if res.Blocked[i].Count != res.Blocked[j].Count {
			return res.Blocked[i].Count > res.Blocked[j].Count
		}
		return res.Blocked[i].What < res.Blocked[j].What
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
