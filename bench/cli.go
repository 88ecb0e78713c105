package main

// The command-line cases: one negotiation as a user runs it,
//
//	parley simulate --json --agents boulware,boulware --rounds 10000 --genius DOMAIN PROFILE PROFILE
//
// timed from exec to exit (the whole process: start, package init, loading
// the Genius files, the negotiation and the JSON), beside the same
// negotiation in-process (the loop alone, the model loaded once) and the
// NegMAS reference. A second figure, startup, is the same command with
// --rounds 1: a process that starts, loads the domain and answers.
//
// The binary is built as the README installs it, CGO_ENABLED=0 (parley
// needs no C; without it the binary is static and starts without loading
// the C library); a last line gives the figures of a plain 'go build',
// which links the C library for the net package's resolver.
//
//	go run ./bench -cli            # only these cases
//	go run ./bench -cli -cli-bin /tmp/parley-old  # time a binary built elsewhere

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/simulate"
)

var (
	cliOnly = flag.Bool("cli", false, "run only the command-line cases")
	cliBin  = flag.String("cli-bin", "", "time this parley binary instead of building ./cmd/parley")
	cliRuns = flag.Int("cli-runs", 30, "processes started per command-line case (and per startup figure)")
)

// cliCase is a Genius domain of NegMAS's tests and the NegMAS figure for
// two Boulware agents on it (rounds/s; 0: none measured).
type cliCase struct {
	name, dir, domain, p1, p2 string
	negmas                    float64
	negmasFrom                string
}

var cliCases = []cliCase{
	// issue 14: 77,000 rounds/s on Laptop was "20× NegMAS".
	{"Laptop", "Laptop", "Laptop-C-domain.xml", "Laptop-C-prof1.xml", "Laptop-C-prof2.xml", 77000.0 / 20, "issue 14"},
	{"Camera", "cameradomain", "Camera-A-domain.xml", "Camera-A-prof1.xml", "Camera-A-prof2.xml", 0, ""},
	// the brief: two NegMAS Boulware agents, about 240 rounds/s on Car.
	{"Car", "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml", 240, "brief"},
}

const (
	cliRounds     = 10000
	cliGoalRate   = 400000 // rounds/s of the whole command
	cliGoalStart  = 15e-3  // seconds to start, load and answer
	cliAgentsSpec = "boulware,boulware"
)

// runCLI prints the command-line table. geniusDir is the shared Genius
// folder; the module root is found from the working directory.
func runCLI(geniusDir string, minSec float64) error {
	bin, cgoBin, how := *cliBin, "", "given with -cli-bin"
	if bin == "" {
		tmp, err := os.MkdirTemp("", "parley-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		bin, cgoBin = filepath.Join(tmp, "parley"), filepath.Join(tmp, "parley-cgo")
		if err := buildParley(bin, "CGO_ENABLED=0"); err != nil {
			return err
		}
		if err := buildParley(cgoBin, ""); err != nil {
			return err
		}
		how = "built as the README installs it, CGO_ENABLED=0"
	}
	st, err := os.Stat(bin)
	if err != nil {
		return err
	}
	dir := filepath.Join(geniusDir, "..", "negmas-tests")
	fmt.Printf("\ncommand line: parley simulate --json --agents %s --rounds %d --genius DOMAIN PROFILE PROFILE\n", cliAgentsSpec, cliRounds)
	fmt.Printf("binary %s (%.1f MB, %s); %d processes per figure; wall-clock median (min), CPU = user+sys median\n\n", bin, float64(st.Size())/1e6, how, *cliRuns)
	fmt.Printf("%-7s %6s %14s %22s %10s %18s %12s %s\n", "domain", "rounds", "in-process", "command", "CPU", "startup", "NegMAS", "goal")
	for _, c := range cliCases {
		if err := c.run(bin, dir, minSec); err != nil {
			fmt.Printf("%-7s error: %v\n", c.name, err)
		}
	}
	if cgoBin != "" {
		if err := cliCases[0].plain(cgoBin, dir); err != nil {
			fmt.Printf("plain go build: error: %v\n", err)
		}
	}
	return nil
}

// buildParley builds ./cmd/parley into bin, with env (e.g. CGO_ENABLED=0)
// added to the environment.
func buildParley(bin, env string) error {
	build := exec.Command("go", "build", "-o", bin, "./cmd/parley")
	build.Dir = moduleRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if env != "" {
		build.Env = append(os.Environ(), env)
	}
	if err := build.Run(); err != nil {
		return fmt.Errorf("building ./cmd/parley (%s): %w", env, err)
	}
	return nil
}

// plain prints the command and startup figures of c for a binary of a
// plain 'go build' (cgo, dynamically linked where a C compiler is found).
func (c cliCase) plain(bin, dir string) error {
	files := []string{filepath.Join(dir, c.dir, c.domain), filepath.Join(dir, c.dir, c.p1), filepath.Join(dir, c.dir, c.p2)}
	args := append([]string{"simulate", "--json", "--agents", cliAgentsSpec, "--rounds", fmt.Sprint(cliRounds), "--genius"}, files...)
	wall, cpu, rounds, err := timeProcess(bin, args, *cliRuns)
	if err != nil {
		return err
	}
	args[5] = "1"
	start, _, _, err := timeProcess(bin, args, *cliRuns)
	if err != nil {
		return err
	}
	fmt.Printf("\nthe same binary from a plain 'go build' (cgo): %s %9.0f k/s (%4.0f k/s), CPU %.1f ms, startup %.1f ms (%.1f)\n",
		c.name, float64(rounds)/median(wall)/1e3, float64(rounds)/slices.Min(wall)/1e3, median(cpu)*1e3, median(start)*1e3, slices.Min(start)*1e3)
	return nil
}

func (c cliCase) run(bin, dir string, minSec float64) error {
	files := []string{filepath.Join(dir, c.dir, c.domain), filepath.Join(dir, c.dir, c.p1), filepath.Join(dir, c.dir, c.p2)}
	// In-process: the model loaded once, the negotiation alone.
	s, err := genius.Load(files[0], files[1:], genius.Options{})
	if err != nil {
		return err
	}
	m, err := s.Compile()
	if err != nil {
		return err
	}
	cfg := simulate.Config{Protocol: parley.ProtocolSAO, Rounds: cliRounds, Agents: []string{"boulware", "boulware"}, Seed: 1}
	var rounds int
	mean, err := measure(func() error {
		run, err := simulate.Once(m, cfg, false)
		if err == nil {
			rounds = run.Result.Rounds
		}
		return err
	}, minSec)
	if err != nil {
		return err
	}
	inProc := float64(rounds) / mean

	args := append([]string{"simulate", "--json", "--agents", cliAgentsSpec, "--rounds", fmt.Sprint(cliRounds), "--genius"}, files...)
	wall, cpu, got, err := timeProcess(bin, args, *cliRuns)
	if err != nil {
		return err
	}
	if got != rounds {
		return fmt.Errorf("the command ran %d rounds, in-process %d: not the same negotiation", got, rounds)
	}
	args[5] = "1"
	start, _, _, err := timeProcess(bin, args, *cliRuns)
	if err != nil {
		return err
	}
	med, low := median(wall), slices.Min(wall)
	rate := float64(rounds) / med
	neg := "—"
	if c.negmas > 0 {
		neg = fmt.Sprintf("%.0f× %s", rate/c.negmas, c.negmasFrom)
	}
	verdict := "met"
	if rate < cliGoalRate || median(start) > cliGoalStart {
		verdict = "MISSED"
	}
	fmt.Printf("%-7s %6d %10.0f k/s %9.0f k/s (%4.0f k/s) %7.1f ms %8.1f ms (%4.1f) %12s %s (≥ %d k/s, start < %.0f ms; command/in-process %.2f)\n",
		c.name, rounds, inProc/1e3, rate/1e3, float64(rounds)/low/1e3, median(cpu)*1e3, median(start)*1e3, slices.Min(start)*1e3,
		neg, verdict, cliGoalRate/1000, cliGoalStart*1e3, inProc/rate)
	return nil
}

// timeProcess runs bin n times (after one untimed run) and returns each
// run's wall-clock and CPU seconds and the rounds its JSON reports.
func timeProcess(bin string, args []string, n int) (wall, cpu []float64, rounds int, err error) {
	for i := -1; i < n; i++ {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, nil, 0, fmt.Errorf("%s: %v: %s", bin, err, errb.Bytes())
		}
		w := time.Since(t0).Seconds()
		var res struct {
			Rounds int `json:"rounds"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return nil, nil, 0, fmt.Errorf("%s: reading its JSON: %v", bin, err)
		}
		rounds = res.Rounds
		if i < 0 {
			continue
		}
		wall = append(wall, w)
		ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if ru != nil {
			cpu = append(cpu, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds())
		}
	}
	return wall, cpu, rounds, nil
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// moduleRoot is the working directory when it holds go.mod, else its
// parent (go run ./bench from the root, or go run . from bench/).
func moduleRoot() string {
	wd, _ := os.Getwd()
	if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
		return wd
	}
	return filepath.Dir(wd)
}

// cliTable prints the command-line table, or why it could not.
func cliTable(geniusDir string, minSec float64) {
	if err := runCLI(geniusDir, minSec); err != nil {
		fmt.Fprintln(os.Stderr, "bench: command line:", err)
		os.Exit(1)
	}
}
