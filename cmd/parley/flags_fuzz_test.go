package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzFlags checks the command line's flag handling on arbitrary
// arguments, for every command: it never panics; a mistake is a usage
// error (exit status 2) whose message names the command and the flag (or
// says the flag is unknown); and flags that parse are checked: no count
// given as 0 or below unless its help says what 0 means, no negative
// duration. Commands are stopped before they run by a trailing -h.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"analyze --json", "analyze --max-nodes 0", "simulate --rounds -1 --runs 3", "simulate --runs=0",
		"simulate --time-limit 1x", "tournament --reps 0 --out x", "tournament run --workers -2 f.yaml",
		"tournament merge --out", "convert --to", "replay --max-input-size 0", "validate --max-input-size 1KiB x",
		"analyze --jsonn", "simulate ---rounds 3", "analyze -json=maybe", "simulate --seed 18446744073709551616",
		"agents --x", "scenarios -", "analyze --genius --real-steps 99999999999999999999",
	} {
		f.Add(s)
	}
	cmds := map[string]bool{}
	for _, c := range commands {
		cmds[c] = true
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			if a == "--" || a == "-" {
				return // what follows is positional: the command would run
			}
		}
		if len(args) == 0 || !cmds[args[0]] || args[0] == "help" || args[0] == "version" {
			return
		}
		// Two trailing -h: one may be taken as the value of a flag that
		// lacks its own; the other asks for help, so nothing runs.
		args = append(args, "-h", "-h")
		m := &Main{Stdout: io.Discard, Stderr: io.Discard}
		err := m.Run(context.Background(), args)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return
		}
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Fatalf("%q: not a usage error: %T %v", line, err, err)
		}
		if exitCode(err) != 2 {
			t.Fatalf("%q: exit %d", line, exitCode(err))
		}
		msg := err.Error()
		if !strings.Contains(msg, "--") && !strings.Contains(msg, "flag syntax") {
			t.Fatalf("%q: the message names no flag: %s", line, msg)
		}
		if m := noLeak.FindString(msg); m != "" {
			t.Fatalf("%q: the message shows %q: %s", line, m, msg)
		}
	})
}

// FuzzCheckNumbers parses arbitrary values for every kind of numeric flag
// and checks what parseInterspersed lets through: whole numbers at least 1
// (0 only where the help says what it means), durations not negative, sizes
// at least a byte; and every refusal names its flag.
func FuzzCheckNumbers(f *testing.F) {
	for _, s := range []string{"0", "-1", "1", "9223372036854775807", "1e3", "1s", "-1s", "0s", "64MiB", "NaN", "0x10", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, name := range []string{"count", "big", "zero", "seed", "wait", "limit", "size"} {
			fs := flag.NewFlagSet("parley test", flag.ContinueOnError)
			count := fs.Int("count", 0, "a count (default: 1)")
			big := fs.Int64("big", 0, "a budget")
			zero := fs.Int("zero", 0, "a count (0: none)")
			fs.Uint64("seed", 1, "a seed")
			wait := fs.Duration("wait", 0, "a deadline")
			limit := fs.Duration("limit", 0, "a limit (0: none)")
			var size int64
			maxInputFlag(fs, &size)
			fl := name
			if name == "size" {
				fl = "max-input-size"
			}
			_, err := parseInterspersed(fs, []string{"--" + fl + "=" + v})
			if err != nil {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--"+fl) {
					t.Fatalf("--%s=%q: %T %v", fl, v, err, err)
				}
				continue
			}
			switch {
			case *count < 0 || (name == "count" && *count == 0),
				*big < 0 || (name == "big" && *big == 0),
				*zero < 0,
				*wait < 0 || (name == "wait" && *wait == time.Duration(0)),
				*limit < 0,
				name == "size" && size < 1:
				t.Fatalf("--%s=%q accepted: count %d big %d zero %d wait %v limit %v size %d", fl, v, *count, *big, *zero, *wait, *limit, size)
			}
		}
	})
}
