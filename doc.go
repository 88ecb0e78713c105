// Package parley holds the domain types of the parley negotiation engine:
// scenarios (issues, options, parties, delegations of factions with a
// ratification rule, mediators and guarantors, preferences, red lines,
// reservation values, sources and variants) and their compiled form, Model,
// which analysis and protocols evaluate.
//
// The root package imports only the standard library. Loaders for file
// formats (scenario YAML, Genius XML) live in their own packages and build a
// Scenario; analysis packages take a Model.
package parley
