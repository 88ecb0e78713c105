// Package scenario reads parley's YAML scenario format: issues and their
// options, parties (single actors or delegations of factions with a
// ratification rule), mediators and other roles, preferences with estimates
// and their sources, red lines, and named variants that override parts of the
// base scenario.
//
// Parse (or ReadFile) checks a file's syntax and structure; File.Scenario
// applies a variant, decodes the result into a parley.Scenario and compiles
// it, reporting every problem with its file:line:column and field path as
// *parley.PosError values (see Errors). Builtin returns the scenarios that
// ship with parley.
//
// The format is documented in docs/scenario-format.md; docs/scenario.schema.json
// is a JSON Schema of it for editors.
package scenario
