package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/simulate"
)

// ScenariosCommand lists the built-in scenarios.
type ScenariosCommand struct{ *Main }

// Run prints one line per built-in scenario: its name, title and variants.
func (c *ScenariosCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley scenarios", "", "Lists the built-in scenarios and their variants.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("scenarios takes no arguments, got %q", pos)
	}
	for _, name := range scenario.BuiltinNames() {
		f, err := scenario.Builtin(name)
		if err != nil {
			return err
		}
		s, err := f.Scenario("")
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "%-16s %s\n", name, s.Title)
		for _, v := range f.Variants() {
			kind := ""
			switch {
			case v.Prior != nil:
				kind = "account: "
			case v.Assumption != "" && !strings.HasPrefix(v.Description, "What-if"):
				kind = "what-if: "
			}
			fmt.Fprintf(c.Stdout, "  --variant %-20s %s\n", v.Name, oneLine(kind+v.Description, 80))
		}
	}
	return nil
}

// ValidateCommand checks scenario files.
type ValidateCommand struct{ *Main }

// Run validates each file given, base and every variant.
func (c *ValidateCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley validate", "FILE.yaml [FILE.yaml ...]",
		"Checks scenario files, the base and every variant, with every check a command would run on them\n(the simulation settings too); problems are listed as file:line:column: field: what is wrong.")
	var maxInput int64
	maxInputFlag(fs, &maxInput)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("validate needs a scenario file: parley validate FILE.yaml")
	}
	for _, path := range files {
		f, err := scenario.ReadFileMax(path, maxInput)
		if err != nil {
			return wrongFormat(inputHint(err), fmtYAML, []string{path})
		}
		if err := scenario.Validate(f, simulate.Check); err != nil {
			return err
		}
		// A scenario that declares sources claims to be sourced: say
		// where it is not.
		var warns scenario.Errors
		if s, err := f.Scenario(""); err == nil && len(s.Sources) > 0 {
			if warns, err = scenario.Unsourced(f); err != nil {
				return err
			}
			for _, w := range warns {
				fmt.Fprintf(c.Stderr, "warning: %s\n", w)
			}
		}
		msg := ""
		if len(warns) > 0 {
			msg = fmt.Sprintf(", %d unsourced estimates or choices", len(warns))
		}
		fmt.Fprintf(c.Stdout, "%s: ok (%d variants%s)\n", path, len(f.Variants()), msg)
	}
	return nil
}

func oneLine(s string, n int) string {
	out := make([]rune, 0, n)
	space := false
	for _, r := range s {
		if r == '\n' || r == ' ' || r == '\t' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	if len(out) > n {
		return string(out[:n-1]) + "…"
	}
	return string(out)
}
