package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/parallel"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/scenario"
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
	pos, err := c.parseFlags(args)
	if err != nil {
		return err
	}
	if !(c.SensitivityStep > 0) {
		return usagef("analyze: --sensitivity-step %v: must be a positive number", c.SensitivityStep)
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
	sens, err := c.sensitize(ctx, s, opt)
	if err != nil {
		return err
	}
	if c.HTML != "" {
		if err := writeHTML(c.HTML, rep, m, report.HTMLOptions{Seed: c.Seed, Sensitivity: sens}); err != nil {
			return err
		}
	}
	if c.JSON {
		return writeJSON(c.Stdout, struct {
			*analysis.Report
			Warnings    []string              `json:"warnings"`
			Sensitivity *analysis.Sensitivity `json:"sensitivity,omitempty"`
		}{rep, warnings(s), sens})
	}
	printWarnings(c.Stderr, s)
	rows, err := c.variants(ctx, file, opt)
	if err != nil {
		return err
	}
	if err := report.Text(c.Stdout, rep, m, rows); err != nil {
		return err
	}
	if sens != nil {
		return report.SensitivityText(c.Stdout, sens, c.SensitivityRows)
	}
	return nil
}

// parseFlags defines the flags and parses args into c, returning the
// positional arguments.
func (c *AnalyzeCommand) parseFlags(args []string) ([]string, error) {
	fs := c.flagSet("parley analyze", "[FILE.yaml | --genius DOMAIN.xml PROFILE.xml ... | --geniusweb [DOMAIN.json] PROFILE.json ...] [flags]",
		"Analyses a scenario (default: the built-in "+DefaultScenario+"): the outcome space, the Pareto frontier, the zone of\nagreement or why it is empty, who blocks and what it would take, the bargaining solutions, the variants.")
	fs.BoolVar(&c.JSON, "json", false, "write the report as JSON (schema: docs/analysis-json.md)")
	fs.StringVar(&c.HTML, "html", "", "also write a self-contained HTML report with plots to this `FILE`")
	c.input.flags(fs)
	fs.Int64Var(&c.MaxNodes, "max-nodes", 0, "branch-and-bound node budget per search (default: 4,000,000)")
	fs.BoolVar(&c.NoBlocking, "no-blocking", false, "skip the blocking analysis")
	fs.BoolVar(&c.NoVariants, "no-variants", false, "do not compare the scenario's variants in the text report")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for sampled estimates and plots")
	fs.BoolVar(&c.Sensitivity, "sensitivity", false, "move each estimate across its range, one at a time and the top ones in pairs, and rank them by what they change")
	fs.Float64Var(&c.SensitivityStep, "sensitivity-step", analysis.DefaultSensitivityStep, "with --sensitivity: how far to move an estimate that has no range, each way")
	fs.IntVar(&c.SensitivityPairs, "sensitivity-pairs", analysis.DefaultSensitivityPairs, "with --sensitivity: how many top estimates to combine in pairs (0: none)")
	fs.IntVar(&c.SensitivityRows, "sensitivity-rows", report.DefaultSensitivityRows, "with --sensitivity: how many ranked estimates the text report shows")
	return parseInterspersed(fs, args)
}

// sensitize runs the sensitivity analysis when --sensitivity asks for it;
// without, it returns nil.
func (c *AnalyzeCommand) sensitize(ctx context.Context, s *parley.Scenario, opt analysis.Options) (*analysis.Sensitivity, error) {
	if !c.Sensitivity {
		return nil, nil
	}
	pairs := c.SensitivityPairs
	if pairs == 0 {
		pairs = -1 // the flag's 0 means none; the library's 0 means its default
	}
	return analysis.Sensitize(ctx, s, analysis.SensitivityOptions{Options: opt, Step: c.SensitivityStep, Pairs: pairs, Each: onAllCores(ctx)})
}

// variants analyses each variant of file for the text report's
// comparison, unless a variant was chosen, --no-variants was given, or the
// scenario comes from no file.
func (c *AnalyzeCommand) variants(ctx context.Context, file *scenario.File, opt analysis.Options) ([]report.VariantRow, error) {
	if file == nil || c.Variant != "" || c.NoVariants {
		return nil, nil
	}
	var rows []report.VariantRow
	for _, v := range file.Variants() {
		vs, err := file.Scenario(v.Name)
		if err != nil {
			return nil, err
		}
		vm, err := vs.Compile()
		if err != nil {
			return nil, err
		}
		vr, err := analysis.Analyze(ctx, vm, opt)
		if err != nil {
			return nil, fmt.Errorf("variant %s: %w", v.Name, err)
		}
		rows = append(rows, report.VariantRow{Name: v.Name, Description: v.Description, Report: vr})
	}
	return rows, nil
}

// onAllCores returns a function that runs independent recomputations on
// all cores (the analysis package itself starts no goroutines); once ctx
// is done, the calls left are skipped (Sensitize then returns ctx's error).
func onAllCores(ctx context.Context) func(n int, do func(i int)) {
	return func(n int, do func(i int)) { _ = parallel.For(ctx, n, 0, do) }
}

func writeHTML(path string, rep *analysis.Report, m *parley.Model, opt report.HTMLOptions) error {
	return writeHTMLFile(path, func(w io.Writer) error { return report.HTML(w, rep, m, opt) })
}

// writeHTMLFile writes a page to the file --html names.
func writeHTMLFile(path string, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return cannotWrite("--html "+path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}
