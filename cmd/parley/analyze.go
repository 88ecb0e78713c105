package main

import (
	"context"
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
	fs := c.flagSet("parley analyze", "[FILE.yaml | --genius DOMAIN.xml PROFILE.xml ... | --geniusweb [DOMAIN.json] PROFILE.json ...] [flags]",
		"Analyses a scenario (default: the built-in "+DefaultScenario+"): the outcome space, the Pareto frontier, the zone of\nagreement or why it is empty, who blocks and what it would take, the bargaining solutions, the variants.")
	fs.BoolVar(&c.JSON, "json", false, "write the report as JSON (schema: docs/analysis-json.md)")
	fs.StringVar(&c.HTML, "html", "", "also write a self-contained HTML report with plots to this `FILE`")
	c.input.flags(fs)
	fs.Int64Var(&c.MaxNodes, "max-nodes", 0, "branch-and-bound node budget per search (default: 4,000,000)")
	fs.BoolVar(&c.NoBlocking, "no-blocking", false, "skip the blocking analysis")
	fs.BoolVar(&c.NoVariants, "no-variants", false, "do not compare the scenario's variants in the text report")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for sampled estimates and plots")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
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
		return writeJSON(c.Stdout, struct {
			*analysis.Report
			Warnings []string `json:"warnings"`
		}{rep, warnings(s)})
	}
	printWarnings(c.Stderr, s)
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
		return cannotWrite("--html "+path, err)
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
