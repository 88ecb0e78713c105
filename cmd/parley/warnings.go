package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/parleyhq/parley"
)

// warnings returns what the importer noticed about the scenario's files
// (Scenario.Warnings), never nil: JSON output always has its "warnings"
// array, empty when there is nothing to say.
func warnings(s *parley.Scenario) []string {
	if s == nil || len(s.Warnings) == 0 {
		return []string{}
	}
	return s.Warnings
}

// printWarnings writes the importer's warnings, one "warning: " line each,
// beside a text result (on standard error, like every diagnostic).
func printWarnings(w io.Writer, s *parley.Scenario) {
	for _, msg := range warnings(s) {
		fmt.Fprintln(w, "warning:", msg)
	}
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
