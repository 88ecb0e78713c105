/*
Package protocol implements negotiation protocols as deterministic state
machines, in the manner of etcd raft's RawNode: the protocol never calls an
agent, starts no goroutine, reads no clock and draws no random number. Its
inputs are Step (an actor's action), Instruct (a principal's instruction to
its delegate), Caucus (a message between a party and the mediator), Timeout
(the runner's wall-clock deadline) and Fail (an agent's fault); its outputs
are the turns returned by Next and the events drained by Events (or, without
copying, Ready and Advance). Time is logical: rounds and steps.

Every event carries an Audience (parley.Audience): who may see it. Offers,
texts, clause moves, extensions, recalls and the end are public; a party's
answer to the text is a caucus between that party and the mediator;
instructions, and the reasons a party does not ratify, stay with the party's
delegation; caucus messages with the caucus. A seat's view is computed from
the events it may see (View, ViewOf); nothing is filtered after the fact.
Package session runs the loop below for every runner and keeps the views.

One table (Lookup, List) maps protocol names to their configurations;
runners, transcripts and the command line go through it.

Two protocols are provided:

  - NewSAO: (stacked) alternating offers, bilateral for two parties and as in
    ANAC/NegMAS for more. Every agreement is checked against every party's
    compiled model before it holds.
  - NewMediated: a mediator's single negotiating text, clause by clause, with
    an agenda, deadline extensions, a calendar of session days, and
    instructions that reopen clauses, add preconditions or recall a
    delegation.

# The loop

The caller (package simulate, or a test) drives a protocol like this.

1. Build it from a compiled model and a config; a bad config is rejected up
front with EINVALID (defaults are filled in as in raft's Config.validate):

	p, err := protocol.NewSAO(model, protocol.SAOConfig{Rounds: 30})

2. Drain the events the protocol has produced so far and append them to the
transcript. Do this after every input; the first call returns the "start"
event:

	w.Write(p.Events()...)

3. Ask whose turn it is. Next has no side effect; ok is false once the
negotiation has ended. The turn holds what is public (the standing offer or
text, the round); fill in the actor's view (Turn.History, Turn.Instructions)
from the events it may see:

	t, ok := p.Next()

4. Ask that actor's agent for an action (t.Actor is a party index or
parley.MediatorActor) and step the protocol with it:

	err := p.Step(agents[t.Actor].Act(&t))

An action from a person or a remote program can be checked first with
Check, which changes nothing; refusing it there spares the negotiation.

An invalid action does not panic and is not silently dropped: Step records
it, ends the negotiation with EndState Broken and returns an EINVALID error
saying what was wrong. The action still appears in the transcript, so that
replay reproduces the break.

5. Between steps, principals may instruct their delegates:

	err := p.Instruct(party, faction, in)

The instruction is an event; structural effects apply at once, and the
delegate sees it in Turn.Instructions on its next turn.

6. When the runner's wall clock passes its deadline it calls Timeout, which
ends the negotiation with EndState Deadline. When an agent fails (a
subprocess crashed), the runner calls Fail, which ends it with
parley.AgentError; both are recorded, so that replay reproduces them.

7. Repeat from 2 until Next returns ok == false, then read Result. After the
end, Step, Instruct and Timeout return ErrEnded.

Together:

	for {
		w.Write(p.Events()...)
		t, ok := p.Next()
		if !ok {
			break
		}
		t.History = protocol.ViewOf(events, parley.ActorSeat(t.Actor)).History // the actor's own view
		_ = p.Step(agents[t.Actor].Act(&t)) // an error ends the negotiation
	}
	res := p.Result()

(package session does this incrementally, without rescanning the events).

# Transcripts and replay

A transcript is JSON Lines: a Header (schema "parley.transcript/1", the
protocol and its config, the scenario, the seed, the agents) and then one
Event per line. Write it with NewWriter or WriteTranscript and read it with
ReadTranscript. Because inputs are events too, Replay can rebuild the
protocol from the header alone, re-apply the recorded actions, instructions
and timeouts, and check that it produces exactly the recorded events: the
protocol is deterministic, and a transcript is evidence of what happened.
*/
package protocol
