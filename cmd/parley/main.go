// Command parley is the command-line interface of the parley negotiation
// engine. It wires the scenario loaders, the analysis and the reports.
//
//	parley analyze [FILE.yaml] [--variant NAME] [--json] [--html FILE]
//	parley analyze --genius DOMAIN.xml PROFILE.xml [PROFILE.xml ...]
//	parley simulate [FILE.yaml | --genius DOMAIN.xml PROFILE.xml ...] [flags]
//	parley agents
//	parley replay FILE.jsonl
//	parley scenarios
//	parley validate FILE.yaml
//	parley monitor sign|import|act|status|report|simulate
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/parleyhq/parley"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode maps errors to exit statuses: 2 for bad input and usage, 1 for
// anything else.
func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	switch parley.ErrorCode(err) {
	case parley.EINVALID, parley.ENOTFOUND, parley.ECONFLICT:
		return 2
	}
	return 1
}

// Main holds the program's outputs so that tests can run it in-process.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

const usage = `parley: mediated, multi-party, multi-issue negotiation analysis.

Usage:
  parley analyze [FILE.yaml] [flags]      analyse a scenario (default: the built-in istanbul-2025)
  parley analyze --genius DOMAIN.xml PROFILE.xml [PROFILE.xml ...] [flags]
  parley simulate [FILE.yaml] [flags]     simulate the talks (default: istanbul-2025's agents and protocol)
  parley simulate --genius DOMAIN.xml PROFILE.xml ... --agents boulware,conceder
  parley simulate --runs N                Monte Carlo over the scenario's uncertainty ranges
  parley convert --to genius|geniusweb|yaml --out DIR (FILE.yaml | --genius ... | --geniusweb ...)
  parley agents                           list the agents
  parley replay FILE.jsonl                rebuild a negotiation from its transcript and check it
  parley scenarios                        list the built-in scenarios
  parley validate FILE.yaml               check a scenario file (base and every variant)
  parley tournament --agents a,b --scenarios PATH --out DIR   run a tournament (also: run FILE.yaml, merge)
  parley monitor sign|import|act|status|report|simulate   follow an agreement into its implementation

Run 'parley COMMAND -h' for a command's flags.
`

// Run dispatches to a subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return usagef("no command given")
	}
	switch args[0] {
	case "analyze", "analyse":
		return (&AnalyzeCommand{Main: m}).Run(ctx, args[1:])
	case "simulate":
		return (&SimulateCommand{Main: m}).Run(ctx, args[1:])
	case "convert":
		return (&ConvertCommand{Main: m}).Run(ctx, args[1:])
	case "agents":
		return (&AgentsCommand{Main: m}).Run(ctx, args[1:])
	case "replay":
		return (&ReplayCommand{Main: m}).Run(ctx, args[1:])
	case "scenarios":
		return (&ScenariosCommand{Main: m}).Run(ctx, args[1:])
	case "validate":
		return (&ValidateCommand{Main: m}).Run(ctx, args[1:])
	case "tournament":
		return (&TournamentCommand{Main: m}).Run(ctx, args[1:])
	case "monitor":
		return (&MonitorCommand{Main: m}).Run(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return usagef("unknown command %q", args[0])
}

// parseInterspersed parses flags that may come after positional arguments
// (as in "analyze --genius d.xml p.xml --json") and returns the positional
// ones in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
