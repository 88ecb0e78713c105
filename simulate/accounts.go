package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/parallel"
	"github.com/parleyhq/parley/protocol"
)

// This file is the Monte Carlo study over accounts: when the sources tell
// different stories, each run first draws whose account it plays (in
// proportion to the analyst's prior weights), then that account's numbers,
// and simulates. The result says how likely agreement is under each account
// and overall, what blocks it under each, and whether a failure came from
// the zone (no outcome acceptable to all under that run's draws) or from
// the agents (a zone existed and the negotiation missed it).

// An Account is one account a study samples: its scenario (a variant
// with a prior), the configuration its runs use, and its weight.
type Account struct {
	Name     string
	Scenario *parley.Scenario
	Config   Config
	// Weight is the account's prior weight (relative; Accounts normalises).
	Weight float64
}

// Failure kinds of a run without agreement.
const (
	FailZone   = "zone"   // no outcome was acceptable to all under the run's draws
	FailAgents = "agents" // a zone existed and the negotiation missed it
)

// AccountsResult summarises a Monte Carlo study over accounts. It depends
// only on the accounts, their configurations and the seed — not on the
// number of workers.
type AccountsResult struct {
	Runs int `json:"runs"`
	// Pooled is the study as a whole: since runs draw their account in
	// proportion to the priors, its agreement rate estimates the
	// prior-weighted probability of agreement.
	Pooled AccountSummary `json:"pooled"`
	// Accounts holds one summary per account, in the order given.
	Accounts      []AccountSummary `json:"accounts"`
	Elapsed       float64          `json:"elapsed_s"`
	RunsPerSecond float64          `json:"runs_per_second"`
}

// AccountSummary is the outcome of the runs that played one account (or of
// all runs, for the pooled summary).
type AccountSummary struct {
	Name string `json:"name,omitempty"`
	// Prior is the account's normalised prior weight (1 when pooled).
	Prior      float64        `json:"prior"`
	Runs       int            `json:"runs"`
	Agreements int            `json:"agreements"`
	PAgreement float64        `json:"p_agreement"`
	CI95       [2]float64     `json:"ci95"` // Wilson score interval
	Ends       map[string]int `json:"ends"`
	// Failures splits the runs without agreement by where they failed:
	// FailZone or FailAgents.
	Failures map[string]int `json:"failures"`
	// AgentsShare is the share of failures that are the agents' (a zone
	// existed), 0 without failures.
	AgentsShare float64 `json:"agents_share"`
	// Blocked counts, over runs without agreement, who rejected the last
	// proposal and why, most frequent first.
	Blocked    []Count `json:"blocked"`
	MeanRounds float64 `json:"mean_rounds"`
}

// accountAcc accumulates the runs of one account (or of all, pooled) as
// they finish: memory does not grow with the number of runs, and adding
// commutes, so the summary does not depend on the number of workers.
type accountAcc struct {
	*mcAcc
	zone, agents int64
}

func (a *accountAcc) add(r mcRun, zoneEmpty bool) {
	a.mcAcc.add(r)
	if r.end == parley.Agreement {
		return
	}
	if zoneEmpty {
		a.zone++
	} else {
		a.agents++
	}
}

func (a *accountAcc) summary(s *parley.Scenario) AccountSummary {
	if a.runs == 0 {
		return AccountSummary{Ends: map[string]int{}, Failures: map[string]int{FailZone: 0, FailAgents: 0}, Blocked: []Count{}, CI95: wilson(0, 0, 1.959963984540054)}
	}
	r := summarise(s, a.mcAcc, 0)
	out := AccountSummary{Runs: r.Runs, Agreements: r.Agreements, PAgreement: r.PAgreement, CI95: r.CI95, Ends: r.Ends,
		Failures: map[string]int{FailZone: int(a.zone), FailAgents: int(a.agents)}, Blocked: r.Blocked, MeanRounds: r.MeanRounds}
	if out.Blocked == nil {
		out.Blocked = []Count{}
	}
	if f := a.zone + a.agents; f > 0 {
		out.AgentsShare = float64(a.agents) / float64(f)
	}
	return out
}

// AccountSeed derives the seed with which run i draws its account; the
// run's numbers and agents then use RunSeed(seed, i), as in MonteCarlo.
func AccountSeed(seed uint64, i int) uint64 { return RunSeed(seed^0xa5a5a5a5a5a5a5a5, i) }

// Accounts runs mc.Runs negotiations. Run i draws an account with
// probability proportional to its weight (from AccountSeed), draws that
// account's ranged estimates and uncertain consents (Scenario.Sample with
// RunSeed), compiles, finds whether the zone is empty, and simulates with
// the account's configuration and the run's seed. Runs are summarised as
// they finish. When ctx is cancelled the study stops and returns ctx's
// error.
func Accounts(ctx context.Context, accounts []Account, mc MCConfig) (*AccountsResult, error) {
	total, cum, err := accountDraw(accounts, mc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu     sync.Mutex // guards what follows, and orders Progress calls
		each   = make([]*accountAcc, len(accounts))
		pooled = &accountAcc{mcAcc: newMCAcc(len(accounts[0].Scenario.Parties))}
		done   int
		failed error
	)
	for k, a := range accounts {
		each[k] = &accountAcc{mcAcc: newMCAcc(len(a.Scenario.Parties))}
	}
	start := time.Now()
	err = parallel.For(ctx, mc.Runs, mc.Workers, func(i int) {
		k, r, zoneEmpty, err := oneAccount(ctx, accounts, cum, mc.Seed, i)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if failed == nil && ctx.Err() == nil {
				failed = fmt.Errorf("simulate: run %d (account %s): %w", i, accounts[k].Name, err)
				cancel(failed)
			}
			return
		}
		each[k].add(r, zoneEmpty)
		// Pooled utilities mix accounts whose parties may differ: only the
		// counts are pooled.
		pr := r
		pr.utils, pr.undisc = nil, nil
		pooled.add(pr, zoneEmpty)
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
	res := &AccountsResult{Runs: mc.Runs, Elapsed: time.Since(start).Seconds()}
	for k, a := range accounts {
		sum := each[k].summary(a.Scenario)
		sum.Name, sum.Prior = a.Name, a.Weight/total
		res.Accounts = append(res.Accounts, sum)
	}
	res.Pooled = pooled.summary(accounts[0].Scenario)
	res.Pooled.Prior = 1
	if res.Elapsed > 0 {
		res.RunsPerSecond = float64(mc.Runs) / res.Elapsed
	}
	return res, nil
}

// accountDraw checks the study's settings and the accounts' weights and
// returns the weights' total and their cumulative shares, by which each
// run draws its account.
func accountDraw(accounts []Account, mc MCConfig) (total float64, cum []float64, err error) {
	if mc.Runs <= 0 {
		return 0, nil, parley.Errorf(parley.EINVALID, "simulate: runs must be positive, got %d", mc.Runs)
	}
	if mc.Runs > MaxRuns {
		return 0, nil, parley.Errorf(parley.EINVALID, "simulate: %d runs is more than a study can count exactly (at most %d, 2^53)", mc.Runs, int64(MaxRuns))
	}
	if mc.Workers < 0 {
		return 0, nil, parley.Errorf(parley.EINVALID, "simulate: workers must not be negative, got %d", mc.Workers)
	}
	if len(accounts) == 0 {
		return 0, nil, parley.Errorf(parley.EINVALID, "simulate: no accounts to sample")
	}
	for _, a := range accounts {
		if !(a.Weight >= 0) || math.IsInf(a.Weight, 0) {
			return 0, nil, parley.Errorf(parley.EINVALID, "simulate: account %s has weight %v; weights must be finite and not negative", a.Name, a.Weight)
		}
		total += a.Weight
	}
	if !(total > 0) {
		return 0, nil, parley.Errorf(parley.EINVALID, "simulate: the accounts' weights sum to %v; at least one must be positive", total)
	}
	cum = make([]float64, len(accounts))
	acc := 0.0
	for i, a := range accounts {
		acc += a.Weight / total
		cum[i] = acc
	}
	return total, cum, nil
}

// oneAccount plays run i: it draws the account, its numbers, and
// simulates; zoneEmpty says whether the run's draws left no outcome
// acceptable to all.
func oneAccount(ctx context.Context, accounts []Account, cum []float64, seed uint64, i int) (k int, r mcRun, zoneEmpty bool, err error) {
	// The first account whose cumulative weight exceeds the draw: one with
	// weight 0 has the cumulative weight of the one before it and is never
	// picked; a draw at the top (rounding) goes to the last weighted one.
	pick := rand.New(rand.NewPCG(AccountSeed(seed, i), 2)).Float64()
	k = sort.Search(len(cum), func(k int) bool { return cum[k] > pick })
	for k == len(cum) || accounts[k].Weight == 0 {
		k--
	}
	a := &accounts[k]
	rs := RunSeed(seed, i)
	m, err := a.Scenario.Sample(rand.New(rand.NewPCG(rs, 1))).Compile()
	if err != nil {
		return k, r, false, err
	}
	cfg := a.Config
	cfg.Seed = rs
	rep, err := analysis.Analyze(ctx, m, analysis.Options{NoBlocking: true})
	if err != nil {
		return k, r, false, err
	}
	zoneEmpty = rep.Zone.Empty
	if info, err := protocol.Lookup(cfg.Protocol); err == nil && info.Mediated && cfg.Target == nil {
		if rep.Nash != nil {
			cfg.Target = rep.Nash.Raw()
		} else {
			cfg.Target = MediatorTarget(ctx, m)
		}
	}
	run, err := OnceContext(ctx, m, cfg, false)
	if err != nil {
		return k, r, false, err
	}
	return k, mcRun{end: run.Result.End, utils: run.Utilities, undisc: run.UtilitiesUndiscounted, discounted: m.Discounted(),
		rounds: run.Result.Rounds, block: run.Blocked}, zoneEmpty, nil
}
