/*
Package verify runs an accord's verification mechanism as a deterministic
state machine, in the manner of package protocol: it starts no goroutine,
reads no clock and does no I/O. Time is an input: every input carries the
day (days after signature) it happens on.

An allegation moves through the steps the agreed text sets up:

	allege → open (investigation by a joint team, the mediators or one
	party) → find (the finding) → rule (attributed / not attributable /
	unfounded) → consequence (what a ruled breach triggers) → apply

Who may take each step comes from the accord's Mechanism. A joint body's
members each submit their view; the step stands when they agree, or when
the chair (investigation) or the casting seat (ruling) decides a split.
Under a party's ruling that party rules alone and the seats in
Ruling.Dissent may only file a dissent. Under consensus a split stays
deadlocked. Every step has a deadline from the text; once a deadline
passes the machine records the step as overdue and, when the text names
someone to escalate to, hands the step to that seat.

Obligations are verified too: an ower reports an instance fulfilled, a
verifier confirms it or a verifier or beneficiary contests it, and an
instance whose due day passes unreported is missed.

# The loop

Build a machine from an accord, then step it with inputs and append the
events it returns to the log:

	m, err := verify.New(accord)
	evs, err := m.Step(parley.CaseEvent{Day: 3, Kind: parley.CaseAllege, By: "Pakistan",
		Case: "c1", Accused: "Afghanistan", Commitments: []string{"soil-not-used"}})
	log = append(log, evs...)

Step first lets time pass up to the input's day (overdue steps, escalations
and missed obligations, each on the day it happened), then applies the
input. An input the text does not allow — a party ruling where the text
does not let it, a finding before an investigation — is recorded as a
"rejected" event (so that the log shows the attempt) and Step returns an
EINVALID error saying why; it wraps a *Refusal whose Code tells a seat the
text does not let act (EFORBIDDEN) from a step that does not fit the
case (ECONFLICT) or an unknown case (ENOTFOUND). An input that cannot be recorded at all (an
unknown seat, a day before the machine's clock, a kind that is not an
input) returns an EINVALID error and no event.

Every event has an Audience: the seats that may see it. Allegations,
rulings, dissents, consequences and escalations go to every seat; evidence
and members' views go to the investigating body (confidential evidence to
the mediators alone); a party that investigates and rules alone keeps its
finding to itself. A seat's view is the events whose audience holds it
(see View).

Replay rebuilds a machine from a log and checks that the log is exactly
what the machine produces from the inputs in it: the log is evidence.
*/
package verify
