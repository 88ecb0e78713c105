package parley

import (
	"fmt"
	"strings"
)

// SimulationSpec says how a scenario is simulated when the user does not
// choose otherwise: the protocol, the deadline, the calendar of the talks,
// what is on the agenda at the start, and which agent plays each actor.
// Agents are named by the specs of package agent ("boulware",
// "delegate:concede=0.5", "watchdog:recall=2").
type SimulationSpec struct {
	Protocol      ProtocolName    `json:"protocol"`
	Rounds        int             `json:"rounds"`
	Agenda        []string        `json:"agenda,omitempty"`   // issues on the table at the start (mediated); empty: all
	Calendar      []float64       `json:"calendar,omitempty"` // hours of talks on each day
	HoursPerRound float64         `json:"hours_per_round,omitempty"`
	MaxExtensions int             `json:"max_extensions,omitempty"`
	Mediator      string          `json:"mediator,omitempty"`
	Agents        []AgentSpec     `json:"agents,omitempty"`
	Principals    []PrincipalSpec `json:"principals,omitempty"`
	Sources       []Cite          `json:"sources,omitempty"`
	Assumption    string          `json:"assumption,omitempty"`
	// Reported is how the sources say the talks ended, for comparison
	// with simulated ends; nil when the scenario does not say.
	Reported *ReportedEnd `json:"reported,omitempty"`
}

// ReportedEnd is how the sources say a negotiation ended: the end state
// that fits their account best (Agreement, Deadline or WalkOut), in their
// terms (Description: "stalled", "collapsed"), and who says so.
type ReportedEnd struct {
	End         EndState `json:"end"`
	Description string   `json:"description,omitempty"`
	Sources     []Cite   `json:"sources,omitempty"`
	Assumption  string   `json:"assumption,omitempty"`
}

// AgentSpec names the agent that plays a party. Sources and Assumption
// say what the choice of agent and its parameters (the tactics it uses)
// rest on.
type AgentSpec struct {
	Party      string `json:"party"`
	Agent      string `json:"agent"`
	Sources    []Cite `json:"sources,omitempty"`
	Assumption string `json:"assumption,omitempty"`
}

// PrincipalSpec names the agent that plays a faction of a delegation.
type PrincipalSpec struct {
	Party      string `json:"party"`
	Faction    string `json:"faction"`
	Agent      string `json:"agent"`
	Sources    []Cite `json:"sources,omitempty"`
	Assumption string `json:"assumption,omitempty"`
}

// ProtocolName names a negotiation protocol. The names are the only place
// protocols are listed in the root; package protocol maps each to its
// state machine in one table (protocol.Lookup), so a protocol added later
// adds its name here and its row there.
type ProtocolName string

// Protocols a SimulationSpec, a transcript or a command may name.
const (
	// ProtocolSAO is (stacked) alternating offers.
	ProtocolSAO ProtocolName = "sao"
	// ProtocolMediated is the mediator's single negotiating text.
	ProtocolMediated ProtocolName = "mediated"
)

// protocolNames lists every protocol, in the order messages name them.
var protocolNames = []ProtocolName{ProtocolSAO, ProtocolMediated}

// Protocols returns every protocol name, in a fixed order.
func Protocols() []ProtocolName { return append([]ProtocolName(nil), protocolNames...) }

// Known reports whether p names a protocol.
func (p ProtocolName) Known() bool {
	for _, n := range protocolNames {
		if n == p {
			return true
		}
	}
	return false
}

// String returns the name.
func (p ProtocolName) String() string { return string(p) }

// ProtocolChoices lists the protocol names for messages: "sao or mediated".
func ProtocolChoices() string {
	s := make([]string, len(protocolNames))
	for i, n := range protocolNames {
		s[i] = string(n)
	}
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func (c *compiler) simulation(sp *SimulationSpec) {
	const p = "simulation"
	if !sp.Protocol.Known() {
		c.errf(p+".protocol", "unknown protocol %q; expected %s", sp.Protocol, ProtocolChoices())
	}
	if sp.Rounds <= 0 {
		c.errf(p+".rounds", "rounds must be a positive number, got %d", sp.Rounds)
	}
	if sp.MaxExtensions < 0 {
		c.errf(p+".max_extensions", "must not be negative, got %d", sp.MaxExtensions)
	}
	if sp.HoursPerRound < 0 {
		c.errf(p+".hours_per_round", "must not be negative, got %v", sp.HoursPerRound)
	}
	for i, h := range sp.Calendar {
		if !(h > 0) {
			c.errf(fmt.Sprintf("%s.calendar[%d]", p, i), "hours per day must be positive, got %v", h)
		}
	}
	for i, is := range sp.Agenda {
		if c.s.IssueIndex(is) < 0 {
			c.errf(fmt.Sprintf("%s.agenda[%d]", p, i), "unknown issue %q", is)
		}
	}
	party := func(path, name string) *Party {
		for i := range c.s.Parties {
			if c.s.Parties[i].Name == name {
				return &c.s.Parties[i]
			}
		}
		c.errf(path, "unknown party %q", name)
		return nil
	}
	seen := map[string]bool{}
	for i, a := range sp.Agents {
		ap := fmt.Sprintf("%s.agents[%d]", p, i)
		party(ap+".party", a.Party)
		if seen[a.Party] {
			c.errf(ap+".party", "party %q is given an agent twice", a.Party)
		}
		seen[a.Party] = true
		if a.Agent == "" {
			c.errf(ap+".agent", "agent spec required")
		}
	}
	for i, a := range sp.Principals {
		ap := fmt.Sprintf("%s.principals[%d]", p, i)
		pt := party(ap+".party", a.Party)
		if pt != nil {
			if pt.Delegation == nil {
				c.errf(ap+".party", "party %q is not a delegation; it has no factions", a.Party)
			} else {
				found := false
				for _, f := range pt.Delegation.Factions {
					found = found || f.Name == a.Faction
				}
				if !found {
					c.errf(ap+".faction", "delegation %q has no faction %q", a.Party, a.Faction)
				}
			}
		}
		if a.Agent == "" {
			c.errf(ap+".agent", "agent spec required")
		}
	}
	for i, a := range sp.Agents {
		c.cites(fmt.Sprintf("%s.agents[%d].sources", p, i), a.Sources)
	}
	for i, a := range sp.Principals {
		c.cites(fmt.Sprintf("%s.principals[%d].sources", p, i), a.Sources)
	}
	c.cites(p+".sources", sp.Sources)
	if r := sp.Reported; r != nil {
		switch r.End {
		case Agreement, Deadline, WalkOut:
		default:
			c.errf(p+".reported.end", "a reported end is %s, %s or %s, got %s", Agreement, Deadline, WalkOut, r.End)
		}
		c.cites(p+".reported.sources", r.Sources)
	}
}
