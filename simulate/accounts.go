package simulate

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/parallel"
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

type accountRun struct {
	account int
	mcRun
	zoneEmpty bool
}

// AccountSeed derives the seed with which run i draws its account; the
// run's numbers and agents then use RunSeed(seed, i), as in MonteCarlo.
func AccountSeed(seed uint64, i int) uint64 { return RunSeed(seed^0xa5a5a5a5a5a5a5a5, i) }

// Accounts runs mc.Runs negotiations. Run i draws an account with
// probability proportional to its weight (from AccountSeed), draws that
// account's ranged estimates and uncertain consents (Scenario.Sample with
// RunSeed), compiles, finds whether the zone is empty, and simulates with
// the account's configuration and the run's seed.
func Accounts(ctx context.Context, accounts []Account, mc MCConfig) (*AccountsResult, error) {
	if mc.Runs <= 0 {
		return nil, parley.Errorf(parley.EINVALID, "simulate: runs must be positive, got %d", mc.Runs)
	}
	if len(accounts) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "simulate: no accounts to sample")
	}
	var total float64
	for _, a := range accounts {
		if !(a.Weight >= 0) {
			return nil, parley.Errorf(parley.EINVALID, "simulate: account %s has weight %v; weights must not be negative", a.Name, a.Weight)
		}
		total += a.Weight
	}
	if !(total > 0) {
		return nil, parley.Errorf(parley.EINVALID, "simulate: the accounts' weights sum to %v; at least one must be positive", total)
	}
	cum := make([]float64, len(accounts))
	acc := 0.0
	for i, a := range accounts {
		acc += a.Weight / total
		cum[i] = acc
	}
	runs := make([]accountRun, mc.Runs)
	var mu sync.Mutex
	done := 0
	start := time.Now()
	err := parallel.For(ctx, mc.Runs, mc.Workers, func(i int) {
		runs[i] = oneAccount(accounts, cum, mc.Seed, i)
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
	res := &AccountsResult{Runs: mc.Runs, Elapsed: time.Since(start).Seconds()}
	var all []accountRun
	for k, a := range accounts {
		var mine []accountRun
		for _, r := range runs {
			if r.account == k {
				mine = append(mine, r)
			}
		}
		all = append(all, mine...)
		sum := summariseAccount(mine)
		sum.Name, sum.Prior = a.Name, a.Weight/total
		res.Accounts = append(res.Accounts, sum)
	}
	res.Pooled = summariseAccount(all)
	res.Pooled.Prior = 1
	if res.Elapsed > 0 {
		res.RunsPerSecond = float64(mc.Runs) / res.Elapsed
	}
	return res, nil
}

func oneAccount(accounts []Account, cum []float64, seed uint64, i int) accountRun {
	// The first account whose cumulative weight exceeds the draw: one with
	// weight 0 has the cumulative weight of the one before it and is never
	// picked; a draw at the top (rounding) goes to the last weighted one.
	pick := rand.New(rand.NewPCG(AccountSeed(seed, i), 2)).Float64()
	k := sort.Search(len(cum), func(k int) bool { return cum[k] > pick })
	for k == len(cum) || accounts[k].Weight == 0 {
		k--
	}
	a := &accounts[k]
	rs := RunSeed(seed, i)
	m, err := a.Scenario.Sample(rand.New(rand.NewPCG(rs, 1))).Compile()
	if err != nil {
		return accountRun{account: k, mcRun: mcRun{err: err}}
	}
	cfg := a.Config
	cfg.Seed = rs
	out := accountRun{account: k}
	rep, err := analysis.Analyze(m, analysis.Options{NoBlocking: true})
	if err != nil {
		return accountRun{account: k, mcRun: mcRun{err: err}}
	}
	out.zoneEmpty = rep.Zone.Empty
	if cfg.Protocol == parley.ProtocolMediated && cfg.Target == nil {
		if rep.Nash != nil {
			cfg.Target = rep.Nash.Raw()
		} else {
			cfg.Target = MediatorTarget(m)
		}
	}
	run, err := Once(m, cfg, false)
	if err != nil {
		return accountRun{account: k, mcRun: mcRun{err: err}}
	}
	out.mcRun = mcRun{end: run.Result.End, utils: run.Utilities, rounds: run.Result.Rounds, block: run.Blocked}
	return out
}

func summariseAccount(runs []accountRun) AccountSummary {
	s := AccountSummary{Runs: len(runs), Ends: map[string]int{}, Failures: map[string]int{FailZone: 0, FailAgents: 0}, Blocked: []Count{}}
	blocked := map[string]int{}
	rounds := 0
	for _, r := range runs {
		s.Ends[r.end.String()]++
		rounds += r.rounds
		if r.end == parley.Agreement {
			s.Agreements++
			continue
		}
		if r.zoneEmpty {
			s.Failures[FailZone]++
		} else {
			s.Failures[FailAgents]++
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
	if len(runs) > 0 {
		s.PAgreement = float64(s.Agreements) / float64(len(runs))
		s.MeanRounds = float64(rounds) / float64(len(runs))
	}
	s.CI95 = wilson(s.Agreements, len(runs), 1.959963984540054)
	if f := len(runs) - s.Agreements; f > 0 {
		s.AgentsShare = float64(s.Failures[FailAgents]) / float64(f)
	}
	for what, c := range blocked {
		s.Blocked = append(s.Blocked, Count{What: what, Count: c})
	}
	sort.Slice(s.Blocked, func(a, b int) bool {
		if s.Blocked[a].Count != s.Blocked[b].Count {
			return s.Blocked[a].Count > s.Blocked[b].Count
		}
		return s.Blocked[a].What < s.Blocked[b].What
	})
	return s
}
