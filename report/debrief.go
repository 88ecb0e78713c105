package report

import (
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/simulate"
)

// A Debrief is one negotiation as its transcript records it, with what
// replaying the transcript establishes: what the simulation page and the
// text timeline show. It is built from the record alone (NewDebrief), never
// from a runner's memory, so that a file written by 'parley simulate
// --transcript', a session a server has stored and a run just finished
// give the same page.
type Debrief struct {
	// Header and Events are the transcript's.
	Header protocol.Header
	Events []protocol.Event
	// Model is the header's scenario, compiled.
	Model *parley.Model
	// Result is how the negotiation ended, as replay establishes it.
	Result protocol.Result
	// Utilities are what each party got: its utility of the agreement, or
	// its reservation value when there is none.
	Utilities []float64
	// UtilitiesUndiscounted are the same before discounting (equal to
	// Utilities on a domain without discount factors), and Time the
	// relative time, 0 to 1, the negotiation ended at.
	UtilitiesUndiscounted []float64
	Time                  float64
	// Blocked names, when there is no agreement, who rejected the last
	// proposal and why ("Kabul: red line us-guarantor-precondition").
	Blocked []string
}

// NewDebrief replays a transcript and returns its debrief. A transcript
// whose events the protocol does not reproduce is refused (ECONFLICT,
// naming the first differing event), one that cannot be replayed at all or
// whose header has no scenario with EINVALID. The events are kept, not
// copied.
func NewDebrief(h protocol.Header, events []protocol.Event) (*Debrief, error) {
	run, m, err := simulate.FromTranscript(h, events)
	if err != nil {
		return nil, err
	}
	return &Debrief{Header: run.Header, Events: run.Events, Model: m, Result: run.Result, Utilities: run.Utilities,
		UtilitiesUndiscounted: run.UtilitiesUndiscounted, Time: run.Time, Blocked: run.Blocked}, nil
}

// Scenario is the negotiated scenario.
func (d *Debrief) Scenario() *parley.Scenario { return d.Model.Scenario }

// mediated reports whether the protocol has a mediator.
func (d *Debrief) mediated() bool {
	info, _ := protocol.Lookup(d.Header.Protocol)
	return info.Mediated
}

// agreed reports whether the negotiation ended in a complete agreement.
func (d *Debrief) agreed() bool {
	return d.Result.End == parley.Agreement && len(d.Result.Agreement) == len(d.Model.Sizes)
}

// utilityOf returns party p's utility of outcome o.
func utilityOf(m *parley.Model, p int, o parley.Outcome) float64 {
	return m.Parties[p].Utility.F(m.Parties[p].Utility.Eval(o))
}

// utilitiesOf returns every party's utility of o.
func utilitiesOf(m *parley.Model, o parley.Outcome) []float64 {
	u := make([]float64, len(m.Parties))
	for p := range m.Parties {
		u[p] = utilityOf(m, p, o)
	}
	return u
}

// reservationOf returns party p's reservation value.
func reservationOf(m *parley.Model, p int) float64 {
	return m.Parties[p].Utility.F(m.Parties[p].Reservation)
}

// actorName names an actor: a party, "mediator", or "—".
func actorName(m *parley.Model, a int) string {
	switch {
	case a == parley.MediatorActor:
		return "mediator"
	case a >= 0 && a < len(m.Parties):
		return m.Parties[a].Name
	}
	return "—"
}
