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
		var what []string
		for _, b := range res.Blocked {
			what = append(what, b.What)
		}
		bs := Blockers(s, what)
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
