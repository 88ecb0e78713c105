package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/geniusweb"
	"github.com/parleyhq/parley/scenario"
)

// ConvertCommand exports a scenario to another format.
type ConvertCommand struct {
	*Main
	input
	To  string
	Out string
}

// Run loads the scenario and writes it in the chosen format, printing the
// files written and every feature the format cannot express.
func (c *ConvertCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley convert", "--to genius|geniusweb|yaml --out DIR (FILE.yaml | --genius DOMAIN.xml PROFILE.xml ... | --geniusweb [DOMAIN.json] PROFILE.json ...)",
		"Writes the scenario in another format and says what the format cannot express.")
	fs.StringVar(&c.To, "to", "", "target format: genius, geniusweb or yaml (required)")
	fs.StringVar(&c.Out, "out", "", "output `DIR` (required; created if missing)")
	c.input.flags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if c.To == "" || c.Out == "" {
		return usagef("convert needs --to genius|geniusweb|yaml and --out DIR")
	}
	_, s, err := c.input.load(pos)
	if err != nil {
		return err
	}
	if _, err := s.Compile(); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return cannotWrite("--out "+c.Out, err)
	}
	var files, warnings []string
	switch c.To {
	case "genius":
		files, warnings, err = genius.Write(c.Out, s)
	case "geniusweb":
		files, warnings, err = geniusweb.Write(c.Out, s)
	case "yaml":
		path := filepath.Join(c.Out, s.ID+".yaml")
		err = writeFile(path, func(f *os.File) error { return scenario.Write(f, s) })
		files = []string{path}
		if len(s.Variants) > 0 {
			warnings = append(warnings, "variants are not written: the file holds the base (or the chosen --variant) only")
		}
	default:
		return usagef("--to %q: expected genius, geniusweb or yaml", c.To)
	}
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(c.Stdout, "wrote", f)
	}
	printWarnings(c.Stderr, s)
	for _, w := range warnings {
		fmt.Fprintln(c.Stderr, "warning:", w)
	}
	return nil
}
