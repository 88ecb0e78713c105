package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/parallel"
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

	Sensitivity      bool
	SensitivityStep  float64
	SensitivityPairs int
	SensitivityRows  int
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
	fs.BoolVar(&c.Sensitivity, "sensitivity", false, "move each estimate across its range, one at a time and the top ones in pairs, and rank them by what they change")
	fs.Float64Var(&c.SensitivityStep, "sensitivity-step", analysis.DefaultSensitivityStep, "with --sensitivity: how far to move an estimate that has no range, each way")
	fs.IntVar(&c.SensitivityPairs, "sensitivity-pairs", analysis.DefaultSensitivityPairs, "with --sensitivity: how many top estimates to combine in pairs (0: none)")
	fs.IntVar(&c.SensitivityRows, "sensitivity-rows", report.DefaultSensitivityRows, "with --sensitivity: how many ranked estimates the text report shows")
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
	if !(c.SensitivityStep > 0) || math.IsInf(c.SensitivityStep, 0) {
		return usagef("--sensitivity-step must be a positive number, got %v", c.SensitivityStep)
	}
	if c.SensitivityPairs < 0 || c.SensitivityRows <= 0 {
		return usagef("--sensitivity-pairs must not be negative and --sensitivity-rows must be positive, got %d and %d", c.SensitivityPairs, c.SensitivityRows)
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
	report.Word(rep)
	var sens *analysis.Sensitivity
	if c.Sensitivity {
		pairs := c.SensitivityPairs
		if pairs == 0 {
			pairs = -1 // the flag's 0 means none; the library's 0 means its default
		}
		sens, err = analysis.Sensitize(ctx, s, analysis.SensitivityOptions{Options: opt, Step: c.SensitivityStep, Pairs: pairs, Each: onAllCores(ctx)})
		if err != nil {
			return err
		}
	}
	if c.HTML != "" {
		if err := writeHTML(c.HTML, rep, m, report.HTMLOptions{Seed: c.Seed, Sensitivity: sens}); err != nil {
			return err
		}
	}
	if c.JSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if sens != nil {
			return enc.Encode(struct {
				*analysis.Report
				Sensitivity *analysis.Sensitivity `json:"sensitivity"`
			}{rep, sens})
		}
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
	if err := report.Text(c.Stdout, rep, m, rows); err != nil {
		return err
	}
	if sens != nil {
		return report.SensitivityText(c.Stdout, sens, c.SensitivityRows)
	}
	return nil
}

// onAllCores returns a function that runs independent recomputations on
// all cores (the analysis package itself starts no goroutines); once ctx
// is done, the calls left are skipped (Sensitize then returns ctx's error).
func onAllCores(ctx context.Context) func(n int, do func(i int)) {
	return func(n int, do func(i int)) { _ = parallel.For(ctx, n, 0, do) }
}

func writeHTML(path string, rep *analysis.Report, m *parley.Model, opt report.HTMLOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := report.HTML(f, rep, m, opt); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}
