package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/scenario"
)

// DefaultScenario is what "parley analyze" analyses without arguments.
const DefaultScenario = "istanbul-2025"

// AnalyzeCommand runs the bargaining analysis of a scenario.
type AnalyzeCommand struct {
	*Main
	Variant    string
	JSON       bool
	HTML       string
	Genius     bool
	RealSteps  int
	MaxNodes   int64
	NoBlocking bool
	NoVariants bool
	Seed       uint64
}

// Run parses the flags, loads the scenario and writes the report.
func (c *AnalyzeCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("parley analyze", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.StringVar(&c.Variant, "variant", "", "analyse this named variant of the scenario instead of the base")
	fs.BoolVar(&c.JSON, "json", false, "write the report as JSON (schema: docs/analysis-json.md)")
	fs.StringVar(&c.HTML, "html", "", "also write a self-contained HTML report with plots to this `FILE`")
	fs.BoolVar(&c.Genius, "genius", false, "arguments are a Genius XML domain followed by its profiles")
	fs.IntVar(&c.RealSteps, "real-steps", 0, "intervals used to discretise Genius real issues (0: the importer's default, 10)")
	fs.Int64Var(&c.MaxNodes, "max-nodes", 0, "branch-and-bound node budget per search (0: default)")
	fs.BoolVar(&c.NoBlocking, "no-blocking", false, "skip the blocking analysis")
	fs.BoolVar(&c.NoVariants, "no-variants", false, "do not compare the scenario's variants in the text report")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for sampled estimates and plots")
	fs.Usage = func() {
		fmt.Fprintln(c.Stderr, "Usage: parley analyze [FILE.yaml | --genius DOMAIN.xml PROFILE.xml ...] [flags]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if c.RealSteps < 0 {
		return usagef("--real-steps must be positive, got %d", c.RealSteps)
	}
	if c.MaxNodes < 0 {
		return usagef("--max-nodes must be positive, got %d", c.MaxNodes)
	}
	var (
		file *scenario.File
		s    *parley.Scenario
	)
	switch {
	case c.Genius:
		if len(pos) < 3 {
			return usagef("--genius needs a domain file and at least two profiles, got %d file(s)", len(pos))
		}
		if c.Variant != "" {
			return usagef("--variant does not apply to Genius files")
		}
		s, err = genius.Load(pos[0], pos[1:], genius.Options{RealSteps: c.RealSteps})
	case len(pos) > 1:
		return usagef("analyze takes one scenario file, got %d; use --genius for a domain and its profiles", len(pos))
	case len(pos) == 1:
		file, err = scenario.ReadFile(pos[0])
	default:
		file, err = scenario.Builtin(DefaultScenario)
	}
	if err != nil {
		return err
	}
	if file != nil {
		if s, err = file.Scenario(c.Variant); err != nil {
			return err
		}
	}
	m, err := s.Compile()
	if err != nil {
		return err
	}
	opt := analysis.Options{MaxNodes: c.MaxNodes, Seed: c.Seed, NoBlocking: c.NoBlocking}
	rep, err := analysis.Analyze(m, opt)
	if err != nil {
		return err
	}
	if c.HTML != "" {
		if err := writeHTML(c.HTML, rep, m, c.Seed); err != nil {
			return err
		}
	}
	if c.JSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var rows []report.VariantRow
	if file != nil && c.Variant == "" && !c.NoVariants {
		for _, v := range file.Variants() {
			vs, err := file.Scenario(v.Name)
			if err != nil {
				return err
			}
			vm, err := vs.Compile()
			if err != nil {
				return err
			}
			vr, err := analysis.Analyze(vm, opt)
			if err != nil {
				return fmt.Errorf("variant %s: %w", v.Name, err)
			}
			rows = append(rows, report.VariantRow{Name: v.Name, Description: v.Description, Report: vr, Model: vm})
		}
	}
	return report.Text(c.Stdout, rep, m, rows)
}

func writeHTML(path string, rep *analysis.Report, m *parley.Model, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := report.HTML(f, rep, m, report.HTMLOptions{Seed: seed}); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}
