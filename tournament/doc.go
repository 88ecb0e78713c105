// Package tournament runs tournaments: every agent against every other on
// every scenario, in every seat, repeated — from a handful of negotiations
// to millions, on all cores, resumable after a crash, and split into
// shards that a cluster runs as independent jobs.
//
// # What runs
//
// A Definition names the agents, the scenarios, the repetitions, the
// deadline in rounds and the seed. For a scenario of n parties every
// assignment of agents to the n seats is played (role rotation): with
// self-play all k^n tuples of the k agents, without it the k!/(k−n)!
// tuples of distinct agents. Bilateral scenarios use the alternating
// offers protocol, scenarios of three or more parties its stacked form
// (protocol.NewSAO); the scenario's own simulation settings are not used.
//
// Negotiations have a deterministic global order (scenario, assignment,
// repetition), an index in it and an id "<scenario>/<agent+agent>/<rep>";
// each is seeded by Seed(tournament seed, id). Results therefore depend
// neither on the number of workers nor on the shard split; only the wall
// clock "time" column varies.
//
// # Output
//
// Run writes into a folder: tournament.json (the Manifest: definition,
// resolved scenarios with content fingerprints, size, shard), results.csv
// (one row per negotiation, appended as each ends, flushed and fsynced in
// batches), and at the end results.parquet (converted from the CSV) and
// summary.csv (agents ranked by mean utility with 95% confidence
// intervals). The columns are documented in docs/tournament.md.
//
// # Crashes and resumption
//
// results.csv is the durable log. Running the same tournament into the
// same folder again drops a partial last line left by a crash, skips
// every negotiation already recorded and plays the rest, so no negotiation
// is lost or counted twice. A folder that holds another tournament (other
// agents, scenarios, reps, rounds, seed, self-play, changed scenario files,
// or another shard) is refused with ECONFLICT.
//
// # Shards
//
// Options.Shard = {I, N} plays the negotiations whose index is ≡ I mod N.
// Merge checks that shard folders hold the same tournament, that no id
// appears twice and none is missing, and writes the joined folder.
//
// # Memory and speed
//
// The negotiation list is never materialised: workers receive indexes and
// decode them; only per-agent aggregates and a bitset of done indexes stay
// in memory. A scenario is compiled once, its analysis (Pareto frontier,
// Nash point) runs once, lazily, and agents share one outcome index per
// utility function through an agent.IndexCache — the per-negotiation
// set-up is the protocol and the agents' own state.
package tournament
