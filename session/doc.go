/*
Package session drives negotiations: it is the one loop that every runner
shares — package simulate (one run, Monte Carlo), package tournament, and
the server — in the manner of etcd raft's node driving a RawNode. A Driver
holds a protocol state machine (package protocol), the built-in agents, and
every seat's view.

The driver is push-driven. Built-in agents are stepped inline; a seat
played from outside (a person at a browser, a remote agent) is simply
waited for: the driver reports that it awaits that seat, and the caller
later submits the seat's action. Every call returns the events it caused,
each with its audience (who may see it).

The driver owns no goroutine and reads no clock of its own: wall-clock
time comes from Config.Clock, and cancellation from the context of each
call. Given the same seed and the same inputs it produces the same events,
so a session can be rebuilt by replaying its inputs.

# Running built-in agents

A runner whose seats are all built-in agents (simulate, tournaments):

	d, err := session.New(model, session.Config{
		Protocol: protocol.SAOConfig{Rounds: 100},
		Parties:  []session.Player{{Agent: a, Name: "boulware"}, {Agent: b, Name: "conceder"}},
		Seed:     seed,
		Discard:  true, // no transcript: keep no events
	})
	_, err = d.Run(ctx) // returns when the negotiation ends (or ctx is cancelled)
	res := d.Result()

# Seats played from outside

A server seats people or remote agents by leaving their Player zero, and
loops on what the driver awaits:

	events, err := d.Run(ctx)            // built-in agents act; store and publish events
	seat, ok := d.Awaiting()             // ok: waiting for seat (its turn: d.Turn(seat))
	...                                  // later, the seat's request arrives:
	events, err = d.Submit(ctx, seat, action)

Submit refuses an action out of turn (ECONFLICT, wrapping ErrNotYourMove)
and one the protocol would not accept (EINVALID), changing nothing. A
principal played from outside instructs its delegate with Instruct; a party
and the mediator talk in private with Caucus. A server calls Tick from a
timer so that a wall-clock deadline (Config.Deadline) ends a session that
waits for a seat that never acts.

# The wall clock

Config.Hour puts the protocol's calendar (protocol.Calendar: the
scenario's sessions per day) on the wall clock: each round must be over
when the next one starts, and a seat played from outside that has not
acted by then has its turn lapse (protocol.Protocol.Lapse, a "lapse"
event) at the next call. Clock says where the session stands (the turn's
deadline, the negotiation's, the day and hour of session), and NextTick
when a timer should next call Tick. The clock is Config.Clock, injected,
so tests move time by hand.

# Rebuilding a session

A server that stores every event it was given can rebuild a session after a
restart: a driver fresh from New (same model, protocol, players and seed)
and Restore(ctx, storedEvents). Built-in agents act again — rebuilding
their state — and must produce exactly the stored events; inputs from
outside (and from ContextAgents) are applied as recorded. The session then
goes on from where it was.

# Views and confidentiality

Every event has an audience (parley.Audience): everyone, one seat, a caucus
(a party's side and the mediator), or a party's delegation (its negotiator
and principals). A seat's view is computed from the events it may see
(protocol.View; Driver.View adds its turn and the text): nobody receives
another party's preferences, reservation value, red lines, instructions or
caucus. The turns handed to agents are views too: Turn.History holds the
actions the actor may see (a party never sees another party's answers to
the mediator), Turn.Instructions its principals' instructions since it last
acted.

# Agent failures

An agent that implements parley.ContextAgent is called through ActContext.
When it returns an error (a crashed subprocess, a dropped connection) the
driver ends the negotiation with parley.AgentError and a Result.Why naming
the seat, the agent and the fault; the transcript records it as an
"agent_error" event, so that it replays. An error caused by the cancelled
context leaves the negotiation open instead.
*/
package session
