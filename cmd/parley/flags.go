package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/naming"
)

// sizeFlag is a byte count given as 64MiB, 1GiB or a number of bytes.
type sizeFlag struct{ n *int64 }

func (f sizeFlag) String() string {
	if f.n == nil || *f.n <= 0 {
		return limit.Size(limit.DefaultMaxInput)
	}
	return limit.Size(*f.n)
}

func (f sizeFlag) Set(s string) error {
	v, err := limit.ParseSize(s)
	if err != nil {
		return err
	}
	*f.n = v
	return nil
}

func (f sizeFlag) Get() any { return *f.n }

// maxInputFlag adds --max-input-size, the largest input file a command
// reads, to fs.
func maxInputFlag(fs *flag.FlagSet, p *int64) {
	fs.Var(sizeFlag{p}, "max-input-size", "largest input `SIZE` read from one file (scenario, domain, profile, transcript, tournament file, monitoring register), e.g. 64MiB, 1GiB")
}

// inputHint returns, for an input refused by package limit (too large, or
// not text), that refusal alone (whatever reader wrapped it), with how to
// raise the limit; other errors unchanged.
func inputHint(err error) error {
	if !errors.Is(err, limit.ErrTooLarge) && !errors.Is(err, limit.ErrNotText) {
		return err
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if pe, ok := e.(*parley.Error); ok && (errors.Is(pe.Err, limit.ErrTooLarge) || errors.Is(pe.Err, limit.ErrNotText)) {
			err = pe
		}
	}
	if errors.Is(err, limit.ErrTooLarge) {
		return &hinted{err, "; raise the limit with --max-input-size if the file is what you meant"}
	}
	return err
}

// hinted is an error with a hint for the command line appended.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + h.hint }
func (h *hinted) Unwrap() error { return h.err }

// parseInterspersed parses flags that may come after positional arguments
// (as in "analyze --genius d.xml p.xml --json") and returns the positional
// ones in order. The flag package prints nothing: -h or -help writes the
// command's usage to the flag set's output and returns flag.ErrHelp, and
// any other mistake comes back as a usage error naming the flag. Numeric
// flags given on the command line are checked by checkNumbers.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				printUsage(fs, usage)
				return nil, err
			}
			return nil, flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if err := checkNumbers(fs); err != nil {
		return nil, err
	}
	return pos, nil
}

// printUsage writes a command's usage: its own Usage function, or a usage
// line and the flags.
func printUsage(fs *flag.FlagSet, usage func()) {
	if usage != nil {
		usage()
		return
	}
	fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n", fs.Name())
	if hasFlags(fs) {
		fmt.Fprintln(fs.Output(), "\nFlags:")
		printDefaults(fs)
	}
}

// printDefaults lists the flags as the documentation writes them
// ("--rounds N"), with their help and non-zero defaults.
func printDefaults(fs *flag.FlagSet) {
	w := fs.Output()
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(help, "\n", "\n    \t"))
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && !strings.Contains(help, "(default") {
			fmt.Fprintf(w, " (default %s)", d)
		}
		fmt.Fprintln(w)
	})
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// command is the command's name for messages: "parley analyze" → "analyze".
func command(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "parley ") }

// The flag package's messages, compiled on the first bad flag rather
// than at every start.
var (
	reUndefined = lazyRegexp(`^flag provided but not defined: -+(.*)$`)
	reBadValue  = lazyRegexp(`^invalid (?:boolean )?value "((?s).*)" for (?:flag )?-+([^:]+): (.*)$`)
	reNoArg     = lazyRegexp(`^flag needs an argument: -+(.*)$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// flagError turns the flag package's messages into ours: the flag named
// with two dashes, a "did you mean" for an unknown flag, and the reason
// in words instead of strconv's.
func flagError(fs *flag.FlagSet, err error) error {
	cmd := command(fs)
	msg := err.Error()
	if m := reUndefined().FindStringSubmatch(msg); m != nil {
		name, _, _ := strings.Cut(m[1], "=")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		hint := ""
		if c := naming.Closest(name, names); c != "" {
			hint = fmt.Sprintf(" (did you mean --%s?)", c)
		}
		return usagef("%s: unknown flag --%s%s; 'parley help %s' lists its flags", cmd, name, hint, cmd)
	}
	if m := reBadValue().FindStringSubmatch(msg); m != nil {
		value, name, why := m[1], m[2], m[3]
		f := fs.Lookup(name)
		return usagef("%s: --%s %q: %s", cmd, name, value, valueWhy(f, why))
	}
	if m := reNoArg().FindStringSubmatch(msg); m != nil {
		return usagef("%s: --%s needs a value", cmd, m[1])
	}
	if strings.HasPrefix(msg, "bad flag syntax: ") {
		return usagef("%s: bad flag syntax %q", cmd, strings.TrimPrefix(msg, "bad flag syntax: "))
	}
	return usagef("%s: %s", cmd, msg)
}

// valueWhy says why a flag's value was refused, in words.
func valueWhy(f *flag.Flag, why string) string {
	kind := ""
	if f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case bool:
				return "expected true or false"
			case int, int64:
				kind = "a whole number"
			case uint, uint64:
				kind = "a whole number, 0 or more"
			case float64:
				kind = "a number"
			case time.Duration:
				return "expected a duration such as 90s, 3m or 1h30m"
			}
		}
	}
	switch {
	case strings.Contains(why, "out of range") && kind != "":
		return "out of range: expected " + kind + " of at most 19 digits"
	case strings.Contains(why, "parse error") && kind != "", strings.Contains(why, "invalid syntax") && kind != "":
		return "expected " + kind
	}
	return why
}

// zeroDocumented reports whether a flag's help text says what 0 means
// ("(0: none; ...)"): only then may 0 be given.
func zeroDocumented(f *flag.Flag) bool {
	return strings.Contains(f.Usage, "(0: ") || strings.Contains(f.Usage, "0 means")
}

// checkNumbers checks the numeric flags given on the command line: whole
// numbers must be at least 1 and durations positive, unless the flag's help
// says what 0 means; numbers must be finite. Flags left out keep their
// documented defaults: an explicit 0 never silently becomes a default.
func checkNumbers(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		cmd := command(fs)
		switch v := g.Get().(type) {
		case int:
			err = checkCount(cmd, f, int64(v))
		case int64:
			err = checkCount(cmd, f, v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = usagef("%s: --%s %s: expected a finite number", cmd, f.Name, f.Value)
			}
		case time.Duration:
			switch {
			case v < 0:
				err = usagef("%s: --%s %s: must not be negative", cmd, f.Name, f.Value)
			case v == 0 && !zeroDocumented(f):
				err = usagef("%s: --%s %s: must be positive; leave the flag out for the default", cmd, f.Name, f.Value)
			}
		}
	})
	return err
}

func checkCount(cmd string, f *flag.Flag, v int64) error {
	switch {
	case v < 0:
		return usagef("%s: --%s %d: must not be negative", cmd, f.Name, v)
	case v == 0 && !zeroDocumented(f):
		return usagef("%s: --%s 0: must be at least 1; leave the flag out for the default (%s)", cmd, f.Name, defaultText(f))
	}
	return nil
}

// defaultText words a flag's default for messages: the "(default: ...)"
// of its help text, else its default value.
func defaultText(f *flag.Flag) string {
	if i := strings.Index(f.Usage, "(default: "); i >= 0 {
		rest := f.Usage[i+len("(default: "):]
		if j := strings.IndexByte(rest, ')'); j >= 0 {
			return rest[:j]
		}
	}
	return f.DefValue
}

// cannotWrite is the error for an output file or folder that cannot be
// created where the user asked (a missing folder, a file in the way, no
// permission): a mistake in the command line, with the system's reason.
func cannotWrite(what string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &parley.Error{Code: parley.EINVALID, Message: "cannot write " + what, Err: err}
}

// openFile opens an input file for streaming, with the messages of
// limit.ReadFile: a missing file, a folder, an unreadable one.
func openFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, parley.Errorf(parley.ENOTFOUND, "no such file: %s", path)
		}
		return nil, &parley.Error{Code: parley.EINVALID, Message: "cannot read " + path, Err: err}
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, parley.Errorf(parley.EINVALID, "%s is a folder, not a file", path)
	}
	return f, nil
}
