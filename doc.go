// Package parley holds the domain types of the parley negotiation engine:
// scenarios (issues, options, parties, delegations of factions with a
// ratification rule, mediators and guarantors, preferences, red lines,
// reservation values, sources and variants) and their compiled form, Model,
// which analysis and protocols evaluate.
//
// storage.go holds the storage contract (SessionStore, EventStore: sessions,
// seats with hashed tokens, hash-chained events) that package sqlite
// implements and package storetest checks; token.go the seat tokens.
//
// The root package imports only the standard library. Loaders for file
// formats (scenario YAML, Genius XML) live in their own packages and build a
// Scenario; analysis packages take a Model.
package parley
