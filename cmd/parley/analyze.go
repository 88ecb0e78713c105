package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/report"
)

// DefaultScenario is what "parley analyze" analyses without arguments.
const DefaultScenario = "istanbul-2025"

// AnalyzeCommand runs the bargaining analysis of a scenario.
type AnalyzeCommand struct {
	*Main
	input
	JSON       bool
	HTML       string
	MaxNodes   int64
	NoBlocking bool
	NoVariants bool
	Seed       uint64
}

// Run parses the flags, loads the scenario and writes the report.
func (c *AnalyzeCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("parley analyze", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.BoolVar(&c.JSON, "json", false, "write the report as JSON (schema: docs/analysis-json.md)")
	fs.StringVar(&c.HTML, "html", "", "also write a self-contained HTML report with plots to this `FILE`")
	c.input.flags(fs)
	fs.Int64Var(&c.MaxNodes, "max-nodes", 0, "branch-and-bound node budget per search (0: default)")
	fs.BoolVar(&c.NoBlocking, "no-blocking", false, "skip the blocking analysis")
	fs.BoolVar(&c.NoVariants, "no-variants", false, "do not compare the scenario's variants in the text report")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for sampled estimates and plots")
	fs.Usage = func() {
		fmt.Fprintln(c.Stderr, "Usage: parley analyze [FILE.yaml | --genius DOMAIN.xml PROFILE.xml ... | --geniusweb DOMAIN.json PROFILE.json ...] [flags]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if c.MaxNodes < 0 {
		return usagef("--max-nodes must be positive, got %d", c.MaxNodes)
	}
	file, s, err := c.input.load(pos)
	if err != nil {
		return err
	}
	m, err := s.Compile()
	if err != nil {
		return err
	}
	opt := analysis.Options{MaxNodes: c.MaxNodes, Seed: c.Seed, NoBlocking: c.NoBlocking}
	rep, err := analysis.Analyze(ctx, m, opt)
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
			vr, err := analysis.Analyze(ctx, vm, opt)
			if err != nil {
				return fmt.Errorf("variant %s: %w", v.Name, err)
			}
			rows = append(rows, report.VariantRow{Name: v.Name, Description: v.Description, Report: vr})
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
