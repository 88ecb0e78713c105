// Command parley is the command-line interface of the parley negotiation
// engine. It wires the scenario loaders, the analysis and the reports.
//
//	parley analyze [FILE.yaml] [--variant NAME] [--json] [--html FILE]
//	parley analyze --genius DOMAIN.xml PROFILE.xml [PROFILE.xml ...]
//	parley simulate [FILE.yaml | --genius DOMAIN.xml PROFILE.xml ...] [flags]
//	parley agents
//	parley audit verify (--db parley.db [--session ID] | FILE.jsonl)
//	parley replay FILE.jsonl
//	parley report FILE.jsonl [--html FILE]
//	parley serve [--addr HOST:PORT] [--db FILE]
//	parley connect --session ID [--server URL] COMMAND [ARGS...]
//	parley scenarios
//	parley validate FILE.yaml
//	parley tournament --agents a,b --scenarios PATH --out DIR
//	parley monitor sign|import|act|status|report|simulate
//	parley help [COMMAND]
//	parley version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/naming"
	_ "github.com/parleyhq/parley/internal/prefault" // map start-up pages in bulk: first, before the packages it serves
)

func main() {
	ctx, stop := interruptible(context.Background(), interruptAfter)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if msg := errorText(err); msg != "" {
			fmt.Fprintln(os.Stderr, msg)
		}
		os.Exit(exitCode(err))
	}
}

// interruptAfter is how long a command runs before an interrupt (Ctrl-C)
// cancels its context instead of ending the process at once.
const interruptAfter = 50 * time.Millisecond

// interruptible returns a context that an interrupt cancels, once the
// command has run for after: the first interrupt cancels it (a tournament
// then stops after the negotiations under way and says how to resume, the
// server shuts down in order), a second one ends the process. Catching
// signals costs a short command about a tenth of its run — the watcher
// goroutine blocks in the runtime and takes two threads with it, 2–4 ms
// on our virtual machines — so the handler goes in only if the command is
// still running after that; before, an interrupt ends the process as it
// would any program that has not set one, with nothing yet written.
func interruptible(parent context.Context, after time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	var mu sync.Mutex
	var sigs chan os.Signal
	t := time.AfterFunc(after, func() {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		sigs = make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt)
		go func(c chan os.Signal) {
			if _, ok := <-c; ok {
				signal.Stop(c) // a second interrupt ends the process
				cancel()
			}
		}(sigs)
	})
	return ctx, func() {
		t.Stop()
		mu.Lock()
		defer mu.Unlock()
		if sigs != nil {
			signal.Stop(sigs)
			close(sigs)
		}
		cancel()
	}
}

// errorText is what the user reads for err: one "parley: " prefix (never
// two, whatever the error carries), or "" for a help request.
func errorText(err error) string {
	if errors.Is(err, flag.ErrHelp) {
		return ""
	}
	msg := jsonTypeWords(err, err.Error())
	for strings.HasPrefix(msg, "parley: ") {
		msg = strings.TrimPrefix(msg, "parley: ")
	}
	return "parley: " + msg
}

// jsonTypeWords rewrites, in msg, an encoding/json type error found in
// err, which names Go types ("cannot unmarshal string into Go struct field
// Event.seq of type int"), as the field and what it should hold.
func jsonTypeWords(err error, msg string) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return msg
	}
	want := "another type"
	if te.Type != nil {
		switch te.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a whole number"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
	}
	field := te.Field
	if field == "" {
		field = "the value"
	}
	return strings.Replace(msg, te.Error(), fmt.Sprintf("%s: expected %s, got a JSON %s", field, want, te.Value), 1)
}

// exitCode maps errors to exit statuses: 2 for bad input and usage (an
// invalid, missing or conflicting input, or one beyond a limit: a file
// over --max-input-size, a tournament too large to number), 1 for anything
// else.
func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	switch parley.ErrorCode(err) {
	case parley.EINVALID, parley.ENOTFOUND, parley.ECONFLICT, parley.ELIMIT:
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
  parley audit verify --db FILE [--session ID] | FILE.jsonl   check hash chains: where one breaks, or that it holds
  parley replay FILE.jsonl                rebuild a negotiation from its transcript and check it
  parley report FILE.jsonl [--html FILE]  a negotiation's timeline and page, from its transcript
  parley serve [--addr 127.0.0.1:8080] [--db parley.db]   serve live sessions (docs/server.md)
  parley connect --session ID COMMAND [ARGS...]   play a remote seat of a live session with an agent program
  parley loadtest [--db FILE|URL] [--instances N] [--sessions N]   drive servers with load (docs/server.md)
  parley scenarios                        list the built-in scenarios
  parley validate FILE.yaml               check a scenario file (base and every variant)
  parley tournament --agents a,b --scenarios PATH --out DIR   run a tournament (also: run FILE.yaml, merge)
  parley monitor sign|import|act|status|report|simulate   follow an agreement into its implementation

  parley help [COMMAND]                   this text, or a command's usage and flags
  parley version                          the version of this build

Run 'parley help COMMAND' (or 'parley COMMAND -h') for a command's flags.
`

// commands are the command names, for "did you mean" and help.
var commands = []string{"analyze", "simulate", "convert", "agents", "audit", "replay", "report", "serve", "connect", "loadtest", "scenarios", "validate", "tournament", "monitor", "help", "version"}

// Run dispatches to a subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return usagef("no command given; 'parley help' lists the commands")
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
	case "audit":
		return (&AuditCommand{Main: m}).Run(ctx, args[1:])
	case "replay":
		return (&ReplayCommand{Main: m}).Run(ctx, args[1:])
	case "report":
		return (&ReportCommand{Main: m}).Run(ctx, args[1:])
	case "serve":
		return (&ServeCommand{Main: m}).Run(ctx, args[1:])
	case "connect":
		return (&ConnectCommand{Main: m}).Run(ctx, args[1:])
	case "loadtest":
		return (&LoadtestCommand{Main: m}).Run(ctx, args[1:])
	case "scenarios":
		return (&ScenariosCommand{Main: m}).Run(ctx, args[1:])
	case "validate":
		return (&ValidateCommand{Main: m}).Run(ctx, args[1:])
	case "tournament":
		return (&TournamentCommand{Main: m}).Run(ctx, args[1:])
	case "monitor":
		return (&MonitorCommand{Main: m}).Run(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		return m.help(ctx, args[1:])
	case "version", "-version", "--version":
		fmt.Fprintln(m.Stdout, versionLine())
		return nil
	}
	return unknownCommand(args[0])
}

func unknownCommand(name string) error {
	hint := ""
	if c := naming.Closest(name, commands); c != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", c)
	}
	return usagef("unknown command %q%s; 'parley help' lists the commands", name, hint)
}

// help prints the general usage, or a command's usage and flags (what
// 'parley COMMAND -h' prints), on standard output.
func (m *Main) help(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	if len(args) > 2 || !slices.Contains(commands, args[0]) {
		return unknownCommand(strings.Join(args, " "))
	}
	switch args[0] {
	case "help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	case "version":
		fmt.Fprintln(m.Stdout, "Usage: parley version\n\nPrints the version of this build (module version, or commit and date for a source build).")
		return nil
	}
	sub := args[:1]
	if len(args) == 2 {
		if args[0] != "tournament" && args[0] != "monitor" {
			return unknownCommand(strings.Join(args, " "))
		}
		sub = args // the command names an unknown subcommand itself
	}
	err := m.Run(ctx, append(slices.Clone(sub), "-h"))
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// flagSet returns a command's flag set. Its usage, printed on -h and by
// 'parley help', is "Usage: NAME SYNOPSIS", the about text and the flags.
func (m *Main) flagSet(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stdout)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s %s\n", name, synopsis)
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", about)
		}
		if hasFlags(fs) {
			fmt.Fprintln(w, "\nFlags:")
			printDefaults(fs)
		}
	}
	return fs
}

// versionLine says which build this is: the module version when installed
// with 'go install ...@version', else the VCS revision and time that 'go
// build' stamps, else "devel".
func versionLine() string {
	v, extra := "devel", []string{runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		var rev, when, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " (modified)"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			extra = append(extra, "commit "+rev+dirty)
		}
		if when != "" {
			extra = append(extra, when)
		}
	}
	return "parley " + v + " (" + strings.Join(extra, ", ") + ")"
}
