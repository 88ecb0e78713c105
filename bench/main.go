// Command bench measures parley's analysis on the domains the project's
// goals name and prints the ratio to the NegMAS anchors measured on this
// kind of machine (see the issue "Scenario model … parley analyze").
//
//	go run ./bench              # needs ../shared/data/genius beside the repo
//	go run ./bench -shared DIR  # or point at the shared folder
//
// Each case is timed over repeated runs (at least -min seconds) and the
// mean is reported. It is a measuring tool, not a test: nothing here fails
// when a goal is missed; the table says so.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/pareto"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/search"
)

type benchCase struct {
	name   string
	anchor float64 // NegMAS seconds, 0 when there is none
	goal   float64 // seconds parley should stay under
	run    func() error
}

func main() {
	sharedDir := flag.String("shared", "", "the shared folder (default: ../shared beside the module root)")
	minSec := flag.Float64("min", 1, "time each case for at least this many seconds")
	flag.Parse()
	dir := *sharedDir
	if dir == "" {
		wd, _ := os.Getwd()
		dir = filepath.Join(filepath.Dir(wd), "shared")
		if _, err := os.Stat(filepath.Join(wd, "go.mod")); err != nil {
			dir = filepath.Join(filepath.Dir(filepath.Dir(wd)), "shared")
		}
	}
	g := filepath.Join(dir, "data", "genius", "genius-templates")
	if _, err := os.Stat(g); err != nil {
		fmt.Fprintf(os.Stderr, "bench: Genius data not found at %s (use -shared DIR): %v\n", g, err)
		os.Exit(2)
	}
	if *cliOnly {
		cliTable(g, *minSec)
		return
	}
	load := func(domain string, profiles ...string) *parley.Model {
		var ps []string
		for _, p := range profiles {
			ps = append(ps, filepath.Join(g, p))
		}
		s, err := genius.Load(filepath.Join(g, domain), ps, genius.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		m, err := s.Compile()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return m
	}
	seven := load("7issues/7issues.xml", "7issues/7issues_util1.xml", "7issues/7issues_util2.xml")
	robot := load("ANAC2015/group9-killer_robot/KillerRobot.xml", "ANAC2015/group9-killer_robot/KillerRobot_util1.xml",
		"ANAC2015/group9-killer_robot/KillerRobot_util2.xml", "ANAC2015/group9-killer_robot/KillerRobot_util3.xml",
		"ANAC2015/group9-killer_robot/KillerRobot_util4.xml", "ANAC2015/group9-killer_robot/KillerRobot_util5.xml")
	hp2 := load("ANAC2016/AgentHp2/energy_grid_domain.xml", "ANAC2016/AgentHp2/consumer.xml", "ANAC2016/AgentHp2/producer.xml", "ANAC2016/AgentHp2/provider.xml")
	var anac []*parley.Model
	for _, n := range []string{"10issues", "10issueswithRV", "10issuesDiscounted", "10issuesDiscountedwithRV"} {
		d := "anac/y2014/" + n + "/"
		anac = append(anac, load(d+n+"-domain.xml", d+"profile-1.xml", d+"profile-2.xml"))
	}
	big := synthetic(60, 10)
	ist, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	is, err := ist.Scenario("")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	im, err := is.Compile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	front := func(m *parley.Model) func() error {
		return func() error { _, err := pareto.Frontier(m, pareto.Options{}); return err }
	}
	cases := []benchCase{
		{"7issues frontier (10^7 outcomes, 2 parties)", 80, 80.0 / 300, front(seven)},
		{"KillerRobot frontier (240,000 outcomes, 5 parties)", 54, 54.0 / 300, front(robot)},
		{"AgentHp2 frontier (5.8·10^6 outcomes, 3 parties)", 42, 42.0 / 300, front(hp2)},
		{"60 issues × 10 options frontier (10^60, 2 parties)", 0, 1, front(big)},
		{"ANAC 2014 10-issue nonlinear frontiers, all four (10^10 each)", 0, 10, func() error {
			for _, m := range anac {
				res, err := search.Frontier(m, false, search.Options{})
				if err != nil {
					return err
				}
				if !res.Exact {
					return fmt.Errorf("not exact: %s", res.Note)
				}
			}
			return nil
		}},
		{"7issues full analysis (frontier, zone count, solutions)", 80, 80.0 / 300, func() error { _, err := analysis.Analyze(context.Background(), seven, analysis.Options{}); return err }},
		{"istanbul-2025 full analysis with blocking", 0, 1, func() error { _, err := analysis.Analyze(context.Background(), im, analysis.Options{}); return err }},
	}
	fmt.Printf("parley bench — %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("%-62s %12s %12s %10s %s\n", "case", "parley", "NegMAS", "speed-up", "goal")
	for _, c := range cases {
		mean, err := measure(c.run, *minSec)
		if err != nil {
			fmt.Printf("%-62s error: %v\n", c.name, err)
			continue
		}
		neg, ratio := "—", "—"
		if c.anchor > 0 {
			neg = fmt.Sprintf("%.0f s", c.anchor)
			ratio = fmt.Sprintf("%.0f×", c.anchor/mean)
		}
		verdict := "met"
		if mean > c.goal {
			verdict = "MISSED"
		}
		fmt.Printf("%-62s %12s %12s %10s %s (< %s)\n", c.name, dur(mean), neg, ratio, verdict, dur(c.goal))
	}
	cliTable(g, *minSec)
}

func measure(f func() error, minSec float64) (float64, error) {
	if err := f(); err != nil { // warm-up, and fail fast
		return 0, err
	}
	n := 0
	start := time.Now()
	for time.Since(start).Seconds() < minSec || n < 3 {
		if err := f(); err != nil {
			return 0, err
		}
		n++
	}
	return time.Since(start).Seconds() / float64(n), nil
}

func dur(s float64) string {
	switch {
	case s < 1e-3:
		return fmt.Sprintf("%.0f µs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1f ms", s*1e3)
	}
	return fmt.Sprintf("%.2f s", s)
}

// synthetic is a 2-party additive model with uniform random values.
func synthetic(issues, options int) *parley.Model {
	r := rand.New(rand.NewPCG(60, 10))
	m := &parley.Model{Scenario: &parley.Scenario{ID: "synthetic"}}
	for i := 0; i < issues; i++ {
		m.Sizes = append(m.Sizes, options)
	}
	for p := 0; p < 2; p++ {
		u := parley.UtilityFn{}
		for i := 0; i < issues; i++ {
			w := r.Float64() / float64(issues)
			row := make([]int64, options)
			for k := range row {
				row[k] = parley.Q(w * r.Float64())
			}
			u.Values = append(u.Values, row)
		}
		m.Parties = append(m.Parties, parley.PartyModel{Name: fmt.Sprint("p", p), Utility: u})
	}
	return m
}
