package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/simulate"
)

// MonteCarlo writes the summary of a Monte Carlo study.
func MonteCarlo(w io.Writer, s *parley.Scenario, cfg simulate.Config, res *simulate.MCResult) error {
	p := &printer{w: w}
	title := s.ID
	if s.Variant != "" {
		title += " [variant " + s.Variant + "]"
	}
	p.f("%s — Monte Carlo, %d runs (%s protocol, %d rounds)\n", title, res.Runs, cfg.Protocol, cfg.Rounds)
	for _, l := range provenanceLines(s) {
		p.f("%s\n", l)
	}
	p.f("Each run draws every ranged estimate from its range (and every uncertain consent) and simulates with its own seed.\n\n")
	p.f("Agreement in %d of %d runs: p = %.3f (95%% Wilson interval %.3f–%.3f)\n", res.Agreements, res.Runs, res.PAgreement, res.CI95[0], res.CI95[1])
	var ends []string
	for _, e := range []parley.EndState{parley.Agreement, parley.Deadline, parley.WalkOut, parley.Broken} {
		if n := res.Ends[e.String()]; n > 0 {
			ends = append(ends, fmt.Sprintf("%s %d", e, n))
		}
	}
	p.f("Ends: %s; mean rounds %.1f\n", strings.Join(ends, ", "), res.MeanRounds)
	if res.Agreements > 0 {
		p.f("\nUtility of the agreements\n  %-22s %6s %6s %6s %6s\n", "party", "mean", "p10", "p50", "p90")
		for _, d := range res.Utilities {
			p.f("  %-22s %6.3f %6.3f %6.3f %6.3f\n", d.Party, d.Mean, d.P10, d.P50, d.P90)
		}
	}
	if len(res.Blocked) > 0 {
		p.f("\nWho blocked the last proposal, in runs without agreement\n")
		bs := CountedBlockers(s, res.Blocked)
		for i, b := range res.Blocked {
			p.f("  %5d  %5.1f%%  %s%s\n", b.Count, 100*float64(b.Count)/float64(res.Runs-res.Agreements), b.What, tags(bs[i].RestsOn))
		}
	}
	if as := assumptionLines(s); len(as) > 0 {
		p.f("\nAssumptions no source states\n")
		for _, a := range as {
			p.f("  - %s\n", a)
		}
	}
	p.f("\n%.0f runs/s over %.1f s\n", res.RunsPerSecond, res.Elapsed)
	return p.err
}

// Accounts writes the summary of a Monte Carlo study over accounts:
// P(agreement) per account and pooled with 95% Wilson intervals, where the
// failures came from (no zone under the run's draws, or agents that missed
// an existing zone), and the dominant blockers of each account with what
// they rest on. scens holds the accounts' scenarios, in the order of
// res.Accounts.
func Accounts(w io.Writer, id string, scens []*parley.Scenario, res *simulate.AccountsResult) error {
	p := &printer{w: w}
	p.f("%s — Monte Carlo over accounts, %d runs\n", id, res.Runs)
	p.f("Each run draws an account in proportion to its prior weight, then that account's ranged estimates and uncertain consents, and simulates it with its own set-up and seed.\n")
	p.f("Failures: \"zone\" when no outcome was acceptable to all under the run's draws; \"agents\" when one was and the negotiation missed it.\n\n")
	p.f("  %-16s %6s %6s %9s  %-13s %6s %6s %7s\n", "account", "prior", "runs", "P(agree)", "95% interval", "zone", "agents", "agents%")
	row := func(name string, s simulate.AccountSummary) {
		p.f("  %-16s %6.2f %6d %9.3f  %.3f–%.3f   %6d %6d %6.0f%%\n", name, s.Prior, s.Runs, s.PAgreement, s.CI95[0], s.CI95[1], s.Failures[simulate.FailZone], s.Failures[simulate.FailAgents], 100*s.AgentsShare)
	}
	for _, a := range res.Accounts {
		row(a.Name, a)
	}
	row("pooled", res.Pooled)
	for k, a := range res.Accounts {
		s := scens[k]
		acc := s.Account()
		p.f("\n%s — %s\n", a.Name, Sources(acc))
		if r := ReportedEnd(s); r != "" {
			p.f("  %s.\n", r)
		}
		var ends []string
		for _, e := range []parley.EndState{parley.Agreement, parley.Deadline, parley.WalkOut, parley.Broken} {
			if n := a.Ends[e.String()]; n > 0 {
				ends = append(ends, fmt.Sprintf("%s %d", e, n))
			}
		}
		p.f("  Ends: %s; mean rounds %.1f\n", strings.Join(ends, ", "), a.MeanRounds)
		if len(a.Blocked) == 0 {
			continue
		}
		bs := CountedBlockers(s, a.Blocked)
		p.f("  Who blocked the last proposal, in runs without agreement:\n")
		for i, b := range a.Blocked {
			if i == 5 {
				p.f("    ... and %d more\n", len(a.Blocked)-5)
				break
			}
			p.f("    %5d  %5.1f%%  %s%s\n", b.Count, 100*float64(b.Count)/float64(a.Runs-a.Agreements), b.What, tags(bs[i].RestsOn))
		}
	}
	p.f("\n%.0f runs/s over %.1f s\n", res.RunsPerSecond, res.Elapsed)
	return p.err
}

// CountedBlockers annotates a Monte Carlo study's blockers (counted by who
// and why) with the assumptions each rests on, in the same order.
func CountedBlockers(s *parley.Scenario, counts []simulate.Count) []Blocker {
	var what []string
	for _, b := range counts {
		what = append(what, b.What)
	}
	return Blockers(s, what)
}
