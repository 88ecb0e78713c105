package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/parleyhq/parley/tournament"
)

// TournamentCommand runs a tournament (from flags or a YAML file) or
// merges shard folders.
//
//	parley tournament --agents a,b,c --scenarios PATH [PATH...] --out DIR [flags]
//	parley tournament run FILE.yaml [flags]
//	parley tournament merge --out DIR SHARD_DIR ...
type TournamentCommand struct {
	*Main
}

const tournamentUsage = `Usage:
  parley tournament --agents a,b,c --scenarios PATH [PATH...] --out DIR [flags]
  parley tournament run FILE.yaml [flags]     keys mirror the flags; flags given override the file
  parley tournament merge --out DIR SHARD_DIR ...

Scenarios: built-in names, scenario YAML files, Genius XML domain files
(profiles X-*.xml beside X-domain.xml), DOMAIN+PROFILE+PROFILE sets (Genius
XML or GeniusWeb JSON), GeniusWeb JSON domain files, or folders of these.
Re-running the same command into the same --out resumes it.

Flags:
`

// Run dispatches to run, merge or the flag form.
func (c *TournamentCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return c.merge(args[1:])
	}
	if len(args) > 0 && args[0] == "run" {
		return c.run(ctx, args[1:], true)
	}
	return c.run(ctx, args, false)
}

// run runs a tournament from flags, or from a YAML file (fromFile) that
// the flags given override. Its steps: define the flags, parse them,
// build the Config, validate it, prepare the tournament and play it.
func (c *TournamentCommand) run(ctx context.Context, args []string, fromFile bool) error {
	tf := c.flags(fromFile)
	pos, err := parseInterspersed(tf.fs, args)
	if err != nil {
		return err
	}
	cfg, err := tf.config(pos, fromFile)
	if err != nil {
		return err
	}
	sh, err := validateTournament(cfg)
	if err != nil {
		return err
	}
	pr, err := tournament.Prepare(cfg.Definition, tournament.Limits{MaxFileSize: tf.maxInput})
	if err != nil {
		return inputHint(err)
	}
	return c.play(ctx, pr, cfg, sh)
}

// tournamentFlags holds the flags of 'parley tournament' and 'parley
// tournament run'.
type tournamentFlags struct {
	fs                            *flag.FlagSet
	agents, scenarios, out, shard *string
	reps, rounds, workers         *int
	timeLimit                     *time.Duration
	seed                          *uint64
	selfPlay                      *bool
	maxInput                      int64
}

// flags defines the flags on a new flag set.
func (c *TournamentCommand) flags(fromFile bool) *tournamentFlags {
	name := "parley tournament"
	if fromFile {
		name += " run"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.Stdout)
	fs.Usage = func() { fmt.Fprint(fs.Output(), tournamentUsage); printDefaults(fs) }
	tf := &tournamentFlags{fs: fs}
	tf.agents = fs.String("agents", "", "comma-separated agent specs (see 'parley agents'), e.g. boulware,linear,conceder")
	tf.scenarios = fs.String("scenarios", "", "comma-separated scenarios: built-in names, files or folders")
	tf.reps = fs.Int("reps", tournament.DefaultReps, "repetitions of every pairing")
	tf.rounds = fs.Int("rounds", tournament.DefaultRounds, "deadline of every negotiation in rounds")
	tf.timeLimit = fs.Duration("time-limit", 0, "wall-clock deadline of every negotiation besides --rounds, e.g. 2s; agents see the nearer in their time t (0: none)")
	tf.seed = fs.Uint64("seed", tournament.DefaultSeed, "tournament seed; each negotiation's seed derives from it and the negotiation's id")
	tf.selfPlay = fs.Bool("self-play", false, "let agents meet themselves (all k^n seat assignments)")
	tf.workers = fs.Int("workers", 0, "worker goroutines (default: all cores; at most 8 per core)")
	tf.out = fs.String("out", "", "output `DIR` (results.csv, results.parquet, summary.csv, tournament.json)")
	tf.shard = fs.String("shard", "", "run only shard `i/N`: negotiations whose index ≡ i mod N (0-based i)")
	maxInputFlag(fs, &tf.maxInput)
	return tf
}

// config builds the Config: read from the file pos[0] when fromFile, else
// from the flags' defaults, then overridden by the flags given.
func (tf *tournamentFlags) config(pos []string, fromFile bool) (tournament.Config, error) {
	var cfg tournament.Config
	switch {
	case fromFile && len(pos) != 1:
		return cfg, usagef("tournament run: give one FILE.yaml")
	case fromFile:
		f, err := tournament.ReadConfig(pos[0])
		if err != nil {
			return cfg, inputHint(err)
		}
		cfg = *f
	case len(pos) > 0 && *tf.scenarios == "":
		return cfg, usagef("tournament: unexpected argument %q (scenarios go in --scenarios)", pos[0])
	default:
		cfg.Reps, cfg.Rounds, cfg.Seed = *tf.reps, *tf.rounds, *tf.seed
	}
	err := tf.override(&cfg, pos, fromFile)
	return cfg, err
}

// override sets in cfg the flags given on the command line; without a
// file, the flags with no file key to fall back on are set either way.
func (tf *tournamentFlags) override(cfg *tournament.Config, pos []string, fromFile bool) error {
	set := map[string]bool{}
	tf.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["agents"] || !fromFile {
		cfg.Agents = tournament.ParseAgents(*tf.agents)
	}
	if set["scenarios"] || !fromFile {
		// "--scenarios A B C": the paths after the flag's value are
		// scenarios too, as a shell glob gives them.
		cfg.Scenarios = append(tournament.SplitList(*tf.scenarios), pos...)
	}
	if set["reps"] {
		cfg.Reps = *tf.reps
	}
	if set["rounds"] {
		cfg.Rounds = *tf.rounds
	}
	if set["time-limit"] {
		if *tf.timeLimit <= 0 {
			return usagef("--time-limit must be positive, got %s; leave it out for none", *tf.timeLimit)
		}
		cfg.TimeLimit = tournament.Duration(*tf.timeLimit)
	}
	if set["seed"] {
		cfg.Seed = *tf.seed
	}
	if set["self-play"] || !fromFile {
		cfg.SelfPlay = *tf.selfPlay
	}
	if set["workers"] || !fromFile {
		cfg.Workers = *tf.workers
	}
	if set["out"] || !fromFile {
		cfg.Out = *tf.out
	}
	if set["shard"] || !fromFile {
		cfg.Shard = *tf.shard
	}
	return nil
}

// validateTournament checks what the command itself needs of cfg and
// parses its shard.
func validateTournament(cfg tournament.Config) (tournament.Shard, error) {
	var sh tournament.Shard
	if cfg.Out == "" {
		return sh, usagef("tournament: --out DIR required")
	}
	if cfg.Workers < 0 || cfg.Reps < 0 || cfg.Rounds < 0 {
		return sh, usagef("tournament: --workers, --reps and --rounds must not be negative")
	}
	if cfg.Shard != "" {
		var err error
		if sh, err = tournament.ParseShard(cfg.Shard); err != nil {
			return sh, usagef("--shard: %v", err)
		}
	}
	return sh, nil
}

// play runs the prepared tournament with progress on stderr and reports
// the figures on stdout.
func (c *TournamentCommand) play(ctx context.Context, pr *tournament.Prepared, cfg tournament.Config, sh tournament.Shard) error {
	noteWorkers(c.Stderr, cfg.Workers)
	opt := tournament.Options{Out: cfg.Out, Workers: cfg.Workers, Shard: sh}
	finish := c.progress(&opt)
	st, err := pr.Run(ctx, opt)
	finish()
	if err != nil {
		if st != nil && ctx.Err() != nil {
			fmt.Fprintf(c.Stderr, "interrupted after %d negotiations; run the same command again to resume\n", st.Resumed+st.Ran)
		}
		return err
	}
	rate := float64(st.Ran) / st.Elapsed.Seconds()
	fmt.Fprintf(c.Stdout, "%d negotiations in shard %s of %d (%d resumed, %d run in %s, %.0f/s); results in %s\n",
		st.InShard, sh.String(), st.Negotiations, st.Resumed, st.Ran, st.Elapsed.Round(time.Millisecond), rate, cfg.Out)
	return nil
}

// progress installs a progress bar with rate and ETA on a terminal, plain
// lines (every 10%) otherwise; the returned function ends it.
func (c *TournamentCommand) progress(opt *tournament.Options) func() {
	if f, ok := c.Stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		var bar *progressbar.ProgressBar
		opt.OnProgress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("negotiations"),
					progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("neg"),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set64(done)
		}
		return func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
	}
	start := time.Now()
	var next int64
	opt.OnProgress = func(done, total int64) {
		if done < next && done != total {
			return
		}
		next = done + max(1, total/10)
		el := time.Since(start).Seconds()
		fmt.Fprintf(c.Stderr, "%d/%d negotiations (%.0f%%), %.1fs elapsed\n", done, total, 100*float64(done)/float64(max(total, 1)), el)
	}
	return func() {}
}

func (c *TournamentCommand) merge(args []string) error {
	fs := c.flagSet("parley tournament merge", "--out DIR SHARD_DIR ...", "Joins the folders of a tournament's shards into one.")
	out := fs.String("out", "", "output `DIR` for the merged tournament")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) == 0 {
		return usagef("tournament merge: --out DIR and at least one SHARD_DIR required")
	}
	st, err := tournament.Merge(*out, pos)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "merged %d shard folders: %d negotiations into %s\n", st.Shards, st.Negotiations, *out)
	return nil
}
