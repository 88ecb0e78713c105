package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/geniusweb"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/parallel"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/simulate"
)

const simulateAbout = `Simulates the negotiation with agents (default: the scenario's simulation settings, else alternating
offers with boulware agents) and prints its timeline, or with --runs a Monte Carlo study over the
scenario's uncertainty ranges.`

// SimulateCommand runs negotiations between agents.
type SimulateCommand struct {
	*Main
	input
	Seed       uint64
	Protocol   string
	Agents     string
	Mediator   string
	Rounds     int
	Transcript string
	JSON       bool
	HTML       string
	Runs       int
	Workers    int
	TimeLimit  time.Duration
	Accounts   bool
}

// Run runs the simulation. Its steps: parse the flags, check them, load
// the scenario and check its settings, configure the run, and then run a
// Monte Carlo study (with or without accounts) or one negotiation.
func (c *SimulateCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.parseFlags(args)
	if err != nil {
		return err
	}
	if err := c.checkFlags(); err != nil {
		return err
	}
	file, s, err := c.input.load(pos)
	if err != nil {
		return err
	}
	if file != nil { // the file's own simulation settings, with positions
		if _, err := file.Check(c.Variant, simulate.Check); err != nil {
			return err
		}
	}
	cfg, err := c.configure(s)
	if err != nil {
		return err
	}
	if c.Runs == 0 { // checkFlags: --accounts comes with --runs
		return c.once(ctx, s, cfg)
	}
	if c.Transcript != "" || c.HTML != "" {
		return usagef("--transcript and --html describe one run; they do not go with --runs")
	}
	if c.Accounts {
		return c.accounts(ctx, file)
	}
	return c.monteCarlo(ctx, s, cfg)
}

// parseFlags defines the flags and parses args into c, returning the
// positional arguments.
func (c *SimulateCommand) parseFlags(args []string) ([]string, error) {
	fs := c.flagSet("parley simulate", "[FILE.yaml | --genius DOMAIN.xml PROFILE.xml ... | --geniusweb [DOMAIN.json] PROFILE.json ...] [flags]", simulateAbout)
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the agents' random sources (and of the Monte Carlo draws)")
	fs.StringVar(&c.Protocol, "protocol", "", protocolHelp()+"; default: the scenario's, else "+string(parley.ProtocolSAO))
	fs.StringVar(&c.Agents, "agents", "", "comma-separated agent specs, one per party in order (see 'parley agents'), e.g. boulware,conceder")
	fs.StringVar(&c.Mediator, "mediator", "", "the mediator's agent spec (mediated protocol)")
	fs.DurationVar(&c.TimeLimit, "time-limit", 0, "wall-clock deadline of a negotiation besides --rounds, e.g. 2s: agents see the nearer of the two in their time t, and what parties get is discounted at it (0 or left out: none)")
	fs.IntVar(&c.Rounds, "rounds", 0, fmt.Sprintf("deadline in rounds (default: the scenario's, else %d, or %d with a mediator)", simulate.DefaultRounds, simulate.DefaultMediatedRound))
	fs.StringVar(&c.Transcript, "transcript", "", "write the transcript as JSON Lines to this `FILE`")
	fs.BoolVar(&c.JSON, "json", false, "write the result as JSON")
	fs.StringVar(&c.HTML, "html", "", "write a self-contained HTML report of the run to this `FILE`")
	fs.IntVar(&c.Runs, "runs", 0, "Monte Carlo: run N times over the scenario's uncertainty ranges (default: one run, with its timeline)")
	fs.IntVar(&c.Workers, "workers", 0, "Monte Carlo worker goroutines (default: all cores; at most 8 per core)")
	fs.BoolVar(&c.Accounts, "accounts", false, "with --runs: each run first draws whose account it plays (the variants with a prior, in proportion to it), then its numbers")
	c.input.flags(fs)
	return parseInterspersed(fs, args)
}

// checkFlags rejects flag values that are out of range or do not go
// together, before any file is read.
func (c *SimulateCommand) checkFlags() error {
	if c.Rounds < 0 || c.Runs < 0 || c.Workers < 0 {
		return usagef("--rounds, --runs and --workers must not be negative")
	}
	if c.TimeLimit < 0 {
		return usagef("--time-limit must not be negative, got %s", c.TimeLimit)
	}
	if c.Accounts && c.Runs == 0 {
		return usagef("--accounts samples accounts over a Monte Carlo study: give --runs N")
	}
	if c.Accounts && c.Variant != "" {
		return usagef("--accounts samples the accounts itself; it does not go with --variant")
	}
	return nil
}

// once runs one negotiation of s and writes what the flags ask: the
// transcript, the JSON result, the HTML report, or the text timeline.
func (c *SimulateCommand) once(ctx context.Context, s *parley.Scenario, cfg simulate.Config) error {
	m, err := s.Compile()
	if err != nil {
		return err
	}
	if info, _ := protocol.Lookup(cfg.Protocol); info.Mediated {
		cfg.Target = simulate.MediatorTarget(ctx, m)
	}
	// The events are kept only for what shows them: the transcript, the
	// HTML report and the text timeline. --json alone needs the result.
	keep := c.Transcript != "" || c.HTML != "" || !c.JSON
	run, err := simulate.OnceContext(ctx, m, cfg, keep)
	if err != nil {
		return err
	}
	if c.Transcript != "" {
		if err := writeTranscript(c.Transcript, run); err != nil {
			return err
		}
	}
	if c.JSON && c.HTML == "" {
		return c.writeJSON(m, cfg, run)
	}
	return c.debrief(ctx, s, m, cfg, run)
}

// debrief renders the run's record: the HTML report when asked, then the
// JSON result or the text timeline.
func (c *SimulateCommand) debrief(ctx context.Context, s *parley.Scenario, m *parley.Model, cfg simulate.Config, run *simulate.Run) error {
	// The page and the timeline are rendered from the run's record, as
	// 'parley report' renders them from the transcript file: the same
	// bytes either way.
	d, err := report.NewDebrief(run.Header, run.Events)
	if err != nil {
		return fmt.Errorf("the run's own transcript does not replay: %w", err)
	}
	if c.HTML != "" {
		if err := writeDebriefHTML(ctx, c.HTML, d); err != nil {
			return err
		}
	}
	if c.JSON {
		return c.writeJSON(m, cfg, run)
	}
	printWarnings(c.Stderr, s)
	if err := report.Timeline(c.Stdout, d); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "Negotiation time: %s\n", run.Elapsed)
	return nil
}

func (c *SimulateCommand) writeJSON(m *parley.Model, cfg simulate.Config, run *simulate.Run) error {
	var agreement map[string]any
	if run.Result.End == parley.Agreement {
		agreement = analysis.Values(m, run.Result.Agreement)
	}
	out := struct {
		Scenario  string         `json:"scenario"`
		Variant   string         `json:"variant,omitempty"`
		Protocol  string         `json:"protocol"`
		Agents    []string       `json:"agents"`
		Mediator  string         `json:"mediator,omitempty"`
		Seed      uint64         `json:"seed"`
		End       string         `json:"end"`
		Agreement map[string]any `json:"agreement"`
		Utilities []float64      `json:"utilities"`
		Undisc    []float64      `json:"utilities_undiscounted"`
		T         float64        `json:"t"`
		Rounds    int            `json:"rounds"`
		Steps     int            `json:"steps"`
		Offers    int            `json:"offers"`
		ElapsedS  float64        `json:"elapsed_s"`
		Blocked   []string       `json:"blocked,omitempty"`
		Why       string         `json:"why,omitempty"`
		Warnings  []string       `json:"warnings"`
		provenance
		Blockers []report.Blocker `json:"blockers,omitempty"`
	}{
		Scenario: m.Scenario.ID, Variant: m.Scenario.Variant, Protocol: string(run.Header.Protocol), Agents: cfg.Agents,
		Mediator: cfg.Mediator, Seed: run.Header.Seed, End: run.Result.End.String(), Agreement: agreement,
		Utilities: run.Utilities, Undisc: run.UtilitiesUndiscounted, T: run.Time, Rounds: run.Result.Rounds, Steps: run.Result.Steps, Offers: run.Result.Offers,
		ElapsedS: run.Elapsed.Seconds(), Blocked: run.Blocked, Why: run.Result.Why, Warnings: warnings(m.Scenario),
		provenance: newProvenance(m.Scenario), Blockers: report.Blockers(m.Scenario, run.Blocked),
	}
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (c *SimulateCommand) monteCarlo(ctx context.Context, s *parley.Scenario, cfg simulate.Config) error {
	if c.Runs > simulate.MaxRuns {
		return usagef("--runs %d: a study counts at most %d runs (2^53)", c.Runs, int64(simulate.MaxRuns))
	}
	noteWorkers(c.Stderr, c.Workers)
	mc := simulate.MCConfig{Runs: c.Runs, Workers: c.Workers, Seed: c.Seed}
	bar := c.progress(&mc)
	res, err := simulate.MonteCarlo(ctx, s, cfg, mc)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(c.Stdout, struct {
			*simulate.MCResult
			Warnings []string `json:"warnings"`
			provenance
			Blockers []report.Blocker `json:"blockers,omitempty"`
		}{res, warnings(s), newProvenance(s), report.CountedBlockers(s, res.Blocked)})
	}
	printWarnings(c.Stderr, s)
	return report.MonteCarlo(c.Stdout, s, cfg, res)
}

// progress sets mc's progress report: a bar on a terminal, else a line
// every tenth of the runs. It returns the bar, to finish, or nil.
func (c *SimulateCommand) progress(mc *simulate.MCConfig) *progressbar.ProgressBar {
	var bar *progressbar.ProgressBar
	if f, ok := c.Stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		bar = progressbar.NewOptions(c.Runs, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("runs"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("runs"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
		var mu sync.Mutex
		mc.Progress = func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			_ = bar.Set(done)
		}
	} else {
		step := max(1, c.Runs/10)
		var mu sync.Mutex
		mc.Progress = func(done, total int) {
			if done%step == 0 || done == total {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(c.Stderr, "runs: %d/%d\n", done, total)
			}
		}
	}
	return bar
}

// configure builds the configuration of s's runs: the scenario's
// simulation set-up with the command line's overrides.
func (c *SimulateCommand) configure(s *parley.Scenario) (simulate.Config, error) {
	cfg, err := simulate.FromScenario(s, parley.ProtocolName(c.Protocol))
	if err != nil {
		return cfg, &usageError{msg: "--protocol: " + parley.ErrorMessage(err)}
	}
	if c.Rounds > 0 {
		cfg.Rounds = c.Rounds
	}
	if c.Mediator != "" {
		if cfg.Protocol != parley.ProtocolMediated {
			return cfg, usagef("--mediator %s: a mediator needs the mediated protocol; this simulation uses %s (add --protocol mediated)", c.Mediator, cfg.Protocol)
		}
		if err := agent.Check(c.Mediator, agent.RoleMediator, cfg.Protocol); err != nil {
			return cfg, usagef("--mediator: %s", parley.ErrorMessage(err))
		}
		cfg.Mediator = c.Mediator
	}
	if c.Agents != "" {
		specs := splitSpecs(c.Agents)
		if len(specs) != len(s.Parties) {
			return cfg, usagef("--agents gives %d agents for %d parties (%s)", len(specs), len(s.Parties), partyNames(s))
		}
		for i, sp := range specs {
			if err := agent.Check(sp, agent.RoleNegotiator, cfg.Protocol); err != nil {
				return cfg, usagef("--agents: party %s: %s", s.Parties[i].Name, strings.TrimPrefix(parley.ErrorMessage(err), "agent: "))
			}
			cfg.Agents[i] = sp
		}
	}
	cfg.WallClock = c.TimeLimit
	cfg.Seed = c.Seed
	cfg.Meta = map[string]string{"variant": s.Variant}
	return cfg, nil
}

// accounts runs the Monte Carlo study over the scenario's accounts: the
// variants with a prior weight, each with its own simulation set-up (and
// the command line's overrides).
func (c *SimulateCommand) accounts(ctx context.Context, file *scenario.File) error {
	if file == nil {
		return usagef("--accounts needs a scenario file with accounts (variants with a prior); Genius and GeniusWeb inputs have none")
	}
	if c.Runs > simulate.MaxRuns {
		return usagef("--runs %d: a study counts at most %d runs (2^53)", c.Runs, int64(simulate.MaxRuns))
	}
	var accs []simulate.Account
	var scens []*parley.Scenario
	for _, v := range file.Variants() {
		if v.Prior == nil {
			continue
		}
		s, err := file.Check(v.Name, simulate.Check)
		if err != nil {
			return err
		}
		cfg, err := c.configure(s)
		if err != nil {
			return fmt.Errorf("account %s: %w", v.Name, err)
		}
		accs = append(accs, simulate.Account{Name: v.Name, Scenario: s, Config: cfg, Weight: v.Prior.Value})
		scens = append(scens, s)
	}
	if len(accs) == 0 {
		return parley.Errorf(parley.EINVALID, "%s defines no accounts: give variants a prior weight (prior: in docs/scenario-format.md) to sample over them", file.Name())
	}
	noteWorkers(c.Stderr, c.Workers)
	mc := simulate.MCConfig{Runs: c.Runs, Workers: c.Workers, Seed: c.Seed}
	bar := c.progress(&mc)
	res, err := simulate.Accounts(ctx, accs, mc)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	if c.JSON {
		type account struct {
			simulate.AccountSummary
			provenance
			Blockers []report.Blocker `json:"blockers,omitempty"`
		}
		out := struct {
			Scenario string    `json:"scenario"`
			Runs     int       `json:"runs"`
			Pooled   any       `json:"pooled"`
			Accounts []account `json:"accounts"`
			Elapsed  float64   `json:"elapsed_s"`
			Rate     float64   `json:"runs_per_second"`
			Warnings []string  `json:"warnings"`
		}{Scenario: file.ID(), Runs: res.Runs, Pooled: res.Pooled, Elapsed: res.Elapsed, Rate: res.RunsPerSecond, Warnings: []string{}}
		for k, a := range res.Accounts {
			out.Accounts = append(out.Accounts, account{a, newProvenance(scens[k]), report.CountedBlockers(scens[k], a.Blocked)})
		}
		return writeJSON(c.Stdout, out)
	}
	return report.Accounts(c.Stdout, file.ID(), scens, res)
}

// provenance is what every simulation output says about whose account it
// plays: the account, how the sources say the talks ended, and the
// assumptions no source states that the run rests on.
type provenance struct {
	Account     parley.Account      `json:"account"`
	Reported    *parley.ReportedEnd `json:"reported,omitempty"`
	Assumptions []parley.Assumption `json:"assumptions,omitempty"`
}

func newProvenance(s *parley.Scenario) provenance {
	p := provenance{Account: s.Account(), Assumptions: report.SimAssumptions(s)}
	if s.Simulation != nil {
		p.Reported = s.Simulation.Reported
	}
	return p
}

// protocolHelp lists the protocols for --protocol, from package
// protocol's table: "sao (alternating offers ...) or mediated (...)".
func protocolHelp() string {
	var parts []string
	for _, in := range protocol.List() {
		parts = append(parts, string(in.Name)+" ("+in.Summary+")")
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// noteWorkers says on stderr when --workers is capped.
func noteWorkers(w io.Writer, n int) {
	if m, capped := parallel.Workers(n); capped {
		fmt.Fprintf(w, "parley: --workers %d capped at %d (%d per core): negotiations are CPU-bound, more workers only cost memory\n", n, m, parallel.PerCore)
	}
}

// input says where a command's scenario comes from.
type input struct {
	Genius, GeniusWeb bool
	Variant           string
	RealSteps         int
	MaxInput          int64 // bytes; 0: limit.DefaultMaxInput
}

func (in *input) flags(fs *flag.FlagSet) {
	fs.StringVar(&in.Variant, "variant", "", "use this named variant of the scenario instead of the base")
	fs.BoolVar(&in.Genius, "genius", false, "arguments are a Genius XML domain followed by its profiles")
	fs.BoolVar(&in.GeniusWeb, "geniusweb", false, "arguments are a GeniusWeb JSON domain followed by its profiles (or only profiles that embed their domain)")
	fs.IntVar(&in.RealSteps, "real-steps", 0, "intervals used to discretise Genius real issues (default: 10)")
	maxInputFlag(fs, &in.MaxInput)
}

// load reads the scenario named on the command line: a YAML file, a Genius
// or GeniusWeb domain and profiles, or by default the built-in scenario. The
// File is nil for imported formats (they have no variants).
func (in *input) load(pos []string) (*scenario.File, *parley.Scenario, error) {
	f, s, err := in.loadFiles(pos)
	return f, s, inputHint(err)
}

func (in *input) loadFiles(pos []string) (*scenario.File, *parley.Scenario, error) {
	if in.RealSteps < 0 {
		return nil, nil, usagef("--real-steps must not be negative, got %d", in.RealSteps)
	}
	if (in.Genius || in.GeniusWeb) && in.Variant != "" {
		return nil, nil, usagef("--variant does not apply to Genius or GeniusWeb files")
	}
	switch {
	case in.Genius && in.GeniusWeb:
		return nil, nil, usagef("--genius and --geniusweb exclude each other")
	case in.Genius:
		if len(pos) < 3 {
			return nil, nil, usagef("--genius needs a domain file and at least two profiles, got %d file(s)", len(pos))
		}
		s, err := genius.Load(pos[0], pos[1:], genius.Options{RealSteps: in.RealSteps, MaxFileSize: in.MaxInput})
		return nil, s, wrongFormat(err, fmtXML, pos)
	case in.GeniusWeb:
		if len(pos) < 2 {
			return nil, nil, usagef("--geniusweb needs at least two profiles (after the domain file, if it is separate), got %d file(s)", len(pos))
		}
		domain, profiles := pos[0], pos[1:]
		if isProfileJSON(domain, in.MaxInput) {
			domain, profiles = "", pos
		}
		s, err := geniusweb.Load(domain, profiles, geniusweb.Options{MaxFileSize: in.MaxInput})
		return nil, s, wrongFormat(err, fmtGeniusWeb, pos)
	case len(pos) > 1:
		return nil, nil, usagef("one scenario file expected, got %d; use --genius or --geniusweb for a domain and its profiles", len(pos))
	}
	var (
		f   *scenario.File
		err error
	)
	if len(pos) == 1 {
		f, err = scenario.ReadFileMax(pos[0], in.MaxInput)
		err = wrongFormat(err, fmtYAML, pos)
	} else {
		f, err = scenario.Builtin(DefaultScenario)
	}
	if err != nil {
		return nil, nil, err
	}
	s, err := f.Scenario(in.Variant)
	return f, s, err
}

// isProfileJSON reports whether a GeniusWeb file is a profile (it names a
// utility space) rather than a bare domain.
func isProfileJSON(path string, max int64) bool {
	b, err := limit.ReadFile(path, max)
	if err != nil {
		return false
	}
	return strings.Contains(string(b), "UtilitySpace")
}

// splitSpecs splits "a,b:x=1,y=2,c" into agent specs: a comma starts a new
// spec unless what follows it looks like a parameter (key=value).
func splitSpecs(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if len(out) > 0 && strings.Contains(part, "=") && !strings.Contains(part, ":") {
			out[len(out)-1] += "," + part
			continue
		}
		out = append(out, strings.TrimSpace(part))
	}
	return out
}

func partyNames(s *parley.Scenario) string {
	var names []string
	for _, p := range s.Parties {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func writeTranscript(path string, run *simulate.Run) error {
	h := run.Header
	h.Meta = map[string]any{}
	for k, v := range run.Header.Meta {
		h.Meta[k] = v
	}
	h.Meta[simulate.MetaTime] = run.Time // discounting needs the end's time; a wall clock leaves no other trace
	return writeFile(path, func(f *os.File) error { return protocol.WriteTranscript(f, h, run.Events) })
}

func writeFile(path string, write func(f *os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return cannotWrite(path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// inFile names the file an error is about: a position without a file gets
// it; any other error is prefixed with it, unless it names the file already.
func inFile(path string, err error) error {
	var pe *parley.PosError
	if errors.As(err, &pe) && pe.File == "" && pe == err {
		c := *pe
		c.File = path
		return &c
	}
	if strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// AgentsCommand lists the agents.
type AgentsCommand struct{ *Main }

// Run prints one line per agent: its name, role and summary.
func (c *AgentsCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley agents", "", "Lists the agents: negotiators, mediators and principals, with their parameters.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("agents takes no arguments")
	}
	role := ""
	for _, in := range agent.List() {
		if in.Role != role {
			role = in.Role
			fmt.Fprintf(c.Stdout, "%s:\n", role)
		}
		fmt.Fprintf(c.Stdout, "  %-12s %s\n", in.Name, in.Summary)
		if len(in.Protocols) > 0 && in.Role == agent.RoleNegotiator {
			fmt.Fprintf(c.Stdout, "  %-12s plays: %s\n", "", in.PlaysList())
		}
		if in.Params != "" {
			fmt.Fprintf(c.Stdout, "  %-12s params: %s\n", "", in.Params)
		}
	}
	return nil
}

// ReplayCommand rebuilds a negotiation from its transcript.
type ReplayCommand struct{ *Main }

// Run reads the transcript, checks its hash chain and trailer (a cut,
// edited or reordered file is refused with the line and the seq where the
// chain breaks), replays it through the protocol and checks the final
// state matches.
func (c *ReplayCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley replay", "FILE.jsonl", "Rebuilds a negotiation from its transcript through the protocol and checks its hash chain and that it matches.")
	var maxInput int64
	maxInputFlag(fs, &maxInput)
	legacy := fs.Bool("legacy", false, "also read a transcript written before transcripts were hash-chained (its integrity cannot be checked; it must end with its end event)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("replay needs one transcript file: parley replay FILE.jsonl")
	}
	t, err := readTranscript(pos[0], maxInput, *legacy)
	if err != nil {
		return err
	}
	res, err := protocol.Replay(t.Header, t.Events)
	if err != nil {
		return inFile(pos[0], err)
	}
	integrity := fmt.Sprintf("chain holds, head %s", t.Head.Hash)
	if t.Legacy {
		integrity = "an old transcript without a hash chain: its integrity is not checked"
	}
	fmt.Fprintf(c.Stdout, "%s: replayed %d events: %s after %d rounds; matches the transcript; %s\n", pos[0], len(t.Events), res.End, res.Rounds, integrity)
	return nil
}

// readTranscript reads a transcript file, checking its hash chain and
// trailer (with legacy, an old transcript without them is also read).
func readTranscript(path string, maxInput int64, legacy bool) (*protocol.Transcript, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := protocol.DecodeTranscript(limit.Reader(f, path, maxInput), protocol.ReadOptions{Legacy: legacy})
	if err != nil {
		if werr := wrongFormat(err, fmtTranscript, []string{path}); werr != err {
			return nil, werr
		}
		return nil, inFile(path, inputHint(err))
	}
	return t, nil
}
