// Package agent holds parley's negotiating agents and the registry that
// makes them by name.
//
// # Offer-based negotiators
//
// The negotiators in this package play protocols of alternating offers
// (package protocol's SAO, and its stacked form with n > 2 parties): on a
// TurnPropose they offer, on a TurnRespond they accept the standing offer —
// whoever made it — or replace it. They are
//
//	boulware, linear, conceder   TimeDependent with e = 0.2, 1, 2 ("boulware:e=0.1")
//	timedependent:e=…            TimeDependent with any exponent
//	titfortat                    TitForTat, relative tit-for-tat in own utility
//	hardliner                    Hardliner, never concedes
//	random:p=…                   Random, random offers above the reservation
//	frequency:e=…,k=…            Frequency, time-dependent with an opponent model
//	agentk:tremor=…              AgentK, winner of ANAC 2010
//	hardheaded:e=…,k=…           HardHeaded, winner of ANAC 2011
//	cuhkagent:k=…                CUHKAgent, winner of ANAC 2012
//	agentgg:k=…                  AgentGG, winner of ANAC 2019
//	bayesian:e=…,k=…             Bayesian, time-dependent with a Bayesian opponent model
//
// The ANAC agents follow their papers and competition reports (each type's
// doc comment cites them and names what was simplified; docs/agents.md
// lists them). Agents that learn the other parties' preferences implement
// OpponentModeler, through which tournaments measure their models.
//
// Every negotiator offers only outcomes that beat its reservation value (own
// utility strictly above Session.Reservation, the test of
// parley.PartyModel.Accepts), accepts only such offers, and walks away only
// when nothing beats its reservation (for a sampled index: no candidate of
// the pool does) — that is, when no agreement could be worth more than no
// agreement. On turns they cannot play (TurnText, TurnAnswer) they walk
// away with a Reason saying so. They are deterministic given
// Session.Rand (only Random, AgentK and AgentGG draw from it) and start no
// goroutines.
//
// # Outcome buffers: the runner copies Action.Outcome before the next call
//
// To offer without allocating, a negotiator writes its offers into a buffer
// it owns and returns Action.Outcome aliasing that buffer. The runner (or
// any caller of Act) must copy Action.Outcome before it calls the same
// agent's Act again, and must not modify it. Agents in turn never keep
// Turn.Offer, Turn.History or any outcome in them beyond the call (they copy
// what they need), as parley.Agent requires.
//
// # The outcome index
//
// Agents never scan the outcome space per offer. Each builds, at Init, an
// Index of its own utility: all outcomes sorted by utility for spaces up to
// 2^22 outcomes, a binned dynamic programme for larger additive spaces
// (answers within (max−min)/4096 of exact), or a sampled pool for larger
// non-additive ones; see Index. Queries (AtLeast, Around, Best) are binary
// searches, and Outcome decodes a candidate into a reused buffer. Indexes are
// shared through an IndexCache keyed by the *parley.UtilityFn: agents use
// DefaultCache unless UseIndexCache gives them another, so a tournament
// builds one index per domain and profile.
//
// # The registry
//
// New("boulware:e=0.1") makes an agent from a spec; List describes every
// registered agent. Other files of this package register mediators and
// principals from their init functions with Register and RegisterPrincipal
// (NewPrincipal makes the latter). A new agent takes one small file: a type
// with Init and Act, and an init function calling Register (see
// Example_customAgent).
package agent
