// Command bench measures parley on the tasks the project's goals name and
// prints, per case, parley's time, the NegMAS reference on the same
// utilities (and which reading of the files that reference used) and the
// ratio.
//
//	go run ./bench              # needs ../shared/data/genius beside the repo
//	go run ./bench -shared DIR  # or point at the shared folder
//	go run ./bench -run KillerRobot  # only the cases whose name contains this
//
// Each case is timed over repeated runs (at least -min seconds and three
// runs; the slow nonlinear cases once) and the mean is reported, with the
// CPU time of the process over the same runs and the bytes allocated per
// run. The speed-up is NegMAS's time over parley's wall-clock time, and in
// brackets over its CPU time (the fairer one on a loaded machine; the goal
// is judged on the wall-clock ratio). It is a measuring tool, not a test: nothing here fails when a goal
// is missed; the table says so.
//
// The NegMAS references were measured with NegMAS 0.15.7 on the project's
// 2-core machine (issues 2 and 14 record them); NegMAS is not run here.
// "same utilities" means NegMAS was given the utilities Genius reads from
// the XML (parley's reading); where NegMAS's own reading of the files
// differs, its time on that reading is shown for information only.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/pareto"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/search"
	"github.com/parleyhq/parley/tournament"
)

// A reference is a NegMAS time for a case's work.
type reference struct {
	sec     float64 // seconds, 0 when there is none
	reading string  // which utilities NegMAS was given, and where the figure comes from
}

type benchCase struct {
	name string
	ref  reference
	goal float64 // the speed-up parley should reach over ref, or, without ref, the seconds it should stay under
	once bool    // time one run (slow cases)
	per  int     // runs do this many like tasks: figures are per task (0: one)
	// run does the work once and may return a detail for the table (points
	// found, a gap, a check against Genius).
	run func() (string, error)
}

// NegMAS references (seconds).
var (
	refSeven = reference{80, "issue 2's anchor for the 10^7-outcome frontier (80 s, 3.4 GB); the reading is not recorded"}
	refRobot = reference{16.0, "same utilities (issue 14); on NegMAS's own reading of the XML: 54 s"}
	refHp2   = reference{151, "same utilities (issue 14); on NegMAS's own reading: 42 s, with an empty frontier"}
	// NegMAS's tournament rate, 457/92 ≈ 4.97 negotiations/s: issue 14 gives
	// parley's 457 negotiations/s as 92× NegMAS on this tournament.
	negmasTournamentRate = 457.0 / 92
)

func main() {
	sharedDir := flag.String("shared", "", "the shared folder (default: ../shared beside the module root)")
	minSec := flag.Float64("min", 1, "time each case for at least this many seconds")
	only := flag.String("run", "", "run only the cases whose name contains this text")
	flag.Parse()
	g := geniusDir(*sharedDir)
	if *cliOnly {
		cliTable(g, *minSec)
		return
	}
	cases := analysisCases(g)
	cases = append(cases, nonlinearCases(g)...)
	cases = append(cases, tournamentCases(g)...)
	fmt.Printf("parley bench — %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("%-58s %10s %10s %10s %9s %20s  %s\n", "case", "parley", "CPU", "alloc/run", "NegMAS", "speed-up", "goal")
	var notes []string
	for _, c := range cases {
		if !strings.Contains(c.name, *only) {
			continue
		}
		r, err := measureCase(c, *minSec)
		if err != nil {
			fmt.Printf("%-58s error: %v\n", c.name, err)
			continue
		}
		neg, ratio, verdict := "—", "—", ""
		if c.ref.sec > 0 {
			x := c.ref.sec / r.wall
			neg, ratio = dur(c.ref.sec), fmt.Sprintf("%.0f× (%.0f× CPU)", x, c.ref.sec/r.cpu)
			verdict = fmt.Sprintf("%s (≥ %.0f×)", met(x >= c.goal), c.goal)
			notes = append(notes, fmt.Sprintf("%s: NegMAS %s — %s", c.name, dur(c.ref.sec), c.ref.reading))
		} else if c.goal > 0 {
			verdict = fmt.Sprintf("%s (< %s)", met(r.wall < c.goal), dur(c.goal))
		}
		fmt.Printf("%-58s %10s %10s %10s %9s %20s  %s\n", c.name, dur(r.wall), dur(r.cpu), memSize(r.alloc), neg, ratio, verdict)
		if r.detail != "" {
			fmt.Printf("    %s\n", r.detail)
		}
	}
	if len(notes) > 0 {
		fmt.Println("\nNegMAS references (NegMAS 0.15.7, same 2-core machine kind; not run here):")
		for _, n := range notes {
			fmt.Println("  " + n)
		}
	}
	if *only == "" || strings.Contains("command line", *only) {
		fmt.Println()
		cliTable(g, *minSec)
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// geniusDir finds the shared Genius templates, or exits.
func geniusDir(dir string) string {
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
	return g
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// load reads a Genius domain and profiles (paths under g) and compiles them.
func load(g, domain string, profiles ...string) *parley.Model {
	var ps []string
	for _, p := range profiles {
		ps = append(ps, filepath.Join(g, p))
	}
	s, err := genius.Load(filepath.Join(g, domain), ps, genius.Options{})
	if err != nil {
		fail(err)
	}
	m, err := s.Compile()
	if err != nil {
		fail(err)
	}
	return m
}

func front(m *parley.Model) func() (string, error) { return frontWith(m, pareto.Options{}) }

// frontAll is front with the large steps split over the CPUs, as the
// analysis runs it (pareto.Options.Parallel).
func frontAll(m *parley.Model) func() (string, error) {
	return frontWith(m, pareto.Options{Parallel: func(fs ...func()) {
		var wg sync.WaitGroup
		for _, f := range fs {
			wg.Go(f)
		}
		wg.Wait()
	}})
}

func frontWith(m *parley.Model, opt pareto.Options) func() (string, error) {
	return func() (string, error) {
		res, err := pareto.Frontier(m, opt)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d frontier points, largest intermediate frontier %d, %d candidates merged", len(res.Points), res.MaxIntermediate, res.Candidates), nil
	}
}

func analyze(m *parley.Model) func() (string, error) {
	return func() (string, error) {
		_, err := analysis.Analyze(context.Background(), m, analysis.Options{})
		return "", err
	}
}

// analysisCases are the additive frontiers and full analyses.
func analysisCases(g string) []benchCase {
	seven := load(g, "7issues/7issues.xml", "7issues/7issues_util1.xml", "7issues/7issues_util2.xml")
	kr := "ANAC2015/group9-killer_robot/"
	robot := load(g, kr+"KillerRobot.xml", kr+"KillerRobot_util1.xml", kr+"KillerRobot_util2.xml",
		kr+"KillerRobot_util3.xml", kr+"KillerRobot_util4.xml", kr+"KillerRobot_util5.xml")
	hp := "ANAC2016/AgentHp2/"
	hp2 := load(g, hp+"energy_grid_domain.xml", hp+"consumer.xml", hp+"producer.xml", hp+"provider.xml")
	ist, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		fail(err)
	}
	is, err := ist.Scenario("")
	if err != nil {
		fail(err)
	}
	im, err := is.Compile()
	if err != nil {
		fail(err)
	}
	return []benchCase{
		{"7issues frontier (10^7 outcomes, 2 parties)", refSeven, 300, false, 0, front(seven)},
		{"7issues full analysis", refSeven, 300, false, 0, analyze(seven)},
		{"KillerRobot frontier (240,000 outcomes, 5 parties)", refRobot, 1000, false, 0, front(robot)},
		{"KillerRobot frontier, steps split over the CPUs", refRobot, 1000, false, 0, frontAll(robot)},
		{"KillerRobot full analysis", refRobot, 1000, false, 0, analyze(robot)},
		{"AgentHp2 frontier (5.8·10^6 outcomes, 3 parties)", refHp2, 300, false, 0, front(hp2)},
		{"AgentHp2 full analysis", refHp2, 300, false, 0, analyze(hp2)},
		{"5 parties × 10 issues × 10 options frontier (10^10)", reference{}, 0, false, 0, front(random(5, 10, 10, 4))},
		{"5 parties × 10 issues × 10 options frontier, split over the CPUs", reference{}, 0, false, 0, frontAll(random(5, 10, 10, 4))},
		{"60 issues × 10 options frontier (10^60, 2 parties)", reference{}, 1, false, 0, front(random(2, 60, 10, 60))},
		{"istanbul-2025 full analysis with blocking", reference{}, 1, false, 0, analyze(im)},
	}
}

// anac2014 are the ANAC 2014 nonlinear domains, by size.
var anac2014 = map[string][]string{}

func init() {
	for _, n := range []string{"10", "30", "50"} {
		for _, v := range []string{"", "withRV", "Discounted", "DiscountedwithRV"} {
			anac2014[n] = append(anac2014[n], n+"issues"+v)
		}
	}
}

// nonlinearCases are the ANAC 2014 frontiers: 10 issues exactly; 30 and 50
// with the budget `parley analyze` uses, checked against Genius' pareto.xml.
func nonlinearCases(g string) []benchCase {
	var cases []benchCase
	for _, size := range []string{"10", "30", "50"} {
		var ms []*parley.Model
		var genius [][][]float64
		for _, n := range anac2014[size] {
			d := "anac/y2014/" + n + "/"
			ms = append(ms, load(g, d+n+"-domain.xml", d+"profile-1.xml", d+"profile-2.xml"))
			genius = append(genius, readPareto(filepath.Join(g, d, "pareto.xml")))
		}
		name := fmt.Sprintf("ANAC 2014 %s-issue nonlinear frontier, per domain (4)", size)
		budget := int64(analysis.DefaultMaxNodes)
		cases = append(cases, benchCase{name, reference{}, 10, size != "10", len(ms), func() (string, error) {
			var pts, dominated, points int
			gap := 0.0
			exact := 0
			for i, m := range ms {
				res, err := search.Frontier(m, false, search.Options{MaxNodes: budget})
				if err != nil {
					return "", err
				}
				if res.Exact {
					exact++
				}
				gap = math.Max(gap, gapOf(res))
				pts += len(res.Points)
				d, n := weaklyDominates(m, res.Points, genius[i])
				dominated += d
				points += n
			}
			return fmt.Sprintf("%d points in all, %d of 4 exact, largest gap bound %.4g; Genius' pareto.xml points weakly dominated: %d of %d",
				pts, exact, gap, dominated, points), nil
		}})
	}
	return cases
}

// gapOf is the frontier's gap bound as a utility (0 when exact, −1 when
// unknown).
func gapOf(res *search.FrontierResult) float64 { return res.Gap }

// weaklyDominates counts the Genius points some point of ours is at least
// as good as for both parties (within Genius' printed precision, 1e-6).
func weaklyDominates(m *parley.Model, ours []parley.FrontierPoint, genius [][]float64) (int, int) {
	n := 0
	for _, gp := range genius {
		for _, p := range ours {
			if m.Parties[0].Utility.F(p.U[0]) >= gp[0]-1e-6 && m.Parties[1].Utility.F(p.U[1]) >= gp[1]-1e-6 {
				n++
				break
			}
		}
	}
	return n, len(genius)
}

func readPareto(path string) [][]float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	ps, err := genius.ReadPareto(path, data)
	if err != nil {
		fail(err)
	}
	return ps
}

// tournamentCases are issue 14's small tournament (4 agents × Laptop and
// Camera, 1,000 rounds, 2 repetitions: 48 negotiations) on one and two
// workers, and the same with 100× the repetitions, output files included.
func tournamentCases(g string) []benchCase {
	y := filepath.Join(g, "anac", "y2012")
	def := tournament.Definition{
		Agents:    []string{"boulware", "linear", "conceder", "hardliner"},
		Scenarios: []string{filepath.Join(y, "Laptop", "Laptop-A-domain.xml"), filepath.Join(y, "Camera", "Camera-A-domain.xml")},
		Reps:      2, Rounds: 1000, Seed: 1,
	}
	tour := func(reps, workers int) func() (string, error) {
		return func() (string, error) {
			d := def
			d.Reps = reps
			dir, err := os.MkdirTemp("", "parley-bench-")
			if err != nil {
				return "", err
			}
			defer os.RemoveAll(dir)
			// Prepare is part of the work: a user's tournament loads its
			// scenarios each time.
			st, err := tournament.Run(context.Background(), d, tournament.Options{Out: dir, Workers: workers})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d negotiations", st.Ran), nil
		}
	}
	small, big := 48.0/negmasTournamentRate, 4800.0/negmasTournamentRate
	ref := func(sec float64) reference {
		return reference{sec, fmt.Sprintf("same utilities; %.2f negotiations/s, derived from issue 14 (parley's 457/s = 92× NegMAS)", negmasTournamentRate)}
	}
	return []benchCase{
		{"tournament 4 agents × Laptop, Camera, 2 reps (48), 1 worker", ref(small), 300, false, 0, tour(2, 1)},
		{"tournament … 2 reps (48), 2 workers", ref(small), 300, false, 0, tour(2, 2)},
		{"tournament … 200 reps (4,800), 1 worker", ref(big), 300, false, 0, tour(200, 1)},
		{"tournament … 200 reps (4,800), 2 workers", ref(big), 300, false, 0, tour(200, 2)},
	}
}

type result struct {
	wall, cpu float64 // seconds per run
	alloc     float64 // bytes allocated per run
	detail    string
}

// measureCase times c: its wall-clock time per run from measure (or one
// run), and its CPU time and allocation per run over every run, warm-up
// included.
func measureCase(c benchCase, minSec float64) (result, error) {
	var r result
	runs := 0
	f := func() error {
		runs++
		var err error
		r.detail, err = c.run()
		return err
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	if c.once {
		start := time.Now()
		if err := f(); err != nil {
			return r, err
		}
		r.wall = time.Since(start).Seconds()
	} else {
		var err error
		if r.wall, err = measure(f, minSec); err != nil {
			return r, err
		}
	}
	per := float64(max(c.per, 1))
	r.wall /= per
	r.cpu = (cpuTime() - cpu0) / float64(runs) / per
	runtime.ReadMemStats(&ms1)
	r.alloc = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(runs) / per
	return r, nil
}

// measure returns f's mean wall-clock time per run, after a warm-up run,
// over at least minSec seconds and three runs.
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

// cpuTime is the process's user and system CPU time in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
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

func memSize(b float64) string {
	switch {
	case b < 1<<20:
		return fmt.Sprintf("%.0f kB", b/1e3)
	case b < 1<<30:
		return fmt.Sprintf("%.0f MB", b/1e6)
	}
	return fmt.Sprintf("%.1f GB", b/1e9)
}

// random is an additive model of the given parties, issues and options
// with uniform random values from seed.
func random(parties, issues, options int, seed uint64) *parley.Model {
	r := rand.New(rand.NewPCG(seed, uint64(options)))
	m := &parley.Model{Scenario: &parley.Scenario{ID: "random"}}
	for range issues {
		m.Sizes = append(m.Sizes, options)
	}
	for p := range parties {
		u := parley.UtilityFn{}
		for range issues {
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
