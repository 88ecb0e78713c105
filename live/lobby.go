package live

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// This file holds what a lobby needs before a session exists: the
// built-in scenarios, the built-in agents, and a preview of the session a
// spec would create (its issues and seats), checked as Create checks it.

// ScenarioInfo describes a built-in scenario (GET /api/scenarios).
type ScenarioInfo struct {
	Name        string              `json:"name"`
	Title       string              `json:"title,omitempty"`
	Description string              `json:"description,omitempty"`
	Protocol    parley.ProtocolName `json:"protocol,omitempty"`
	Parties     []string            `json:"parties"`
	Issues      int                 `json:"issues"`
	Variants    []parley.Variant    `json:"variants,omitempty"`
}

// Scenarios lists the built-in scenarios. A built-in that does not load
// is an internal error.
func Scenarios() ([]ScenarioInfo, error) {
	out := []ScenarioInfo{}
	for _, name := range scenario.BuiltinNames() {
		f, err := scenario.Builtin(name)
		if err != nil {
			return nil, err
		}
		s, err := f.Scenario("")
		if err != nil {
			return nil, err
		}
		info := ScenarioInfo{Name: name, Title: s.Title, Description: s.Description, Issues: len(s.Issues), Parties: []string{}, Variants: variants(f)}
		if s.Simulation != nil {
			info.Protocol = parley.ProtocolName(s.Simulation.Protocol)
		}
		for _, p := range s.Parties {
			info.Parties = append(info.Parties, p.Name)
		}
		out = append(out, info)
	}
	return out, nil
}

// variants lists a file's variants without their sources.
func variants(f *scenario.File) []parley.Variant {
	var out []parley.Variant
	for _, v := range f.Variants() {
		out = append(out, parley.Variant{Name: v.Name, Description: v.Description})
	}
	return out
}

// AgentInfo describes a built-in agent (GET /api/agents).
type AgentInfo struct {
	Name string `json:"name"`
	// Role is "negotiator", "mediator" or "principal".
	Role string `json:"role"`
	// Protocols are the protocols it plays; empty: any.
	Protocols []parley.ProtocolName `json:"protocols,omitempty"`
	Summary   string                `json:"summary"`
	// Params lists its parameters as "key=default (meaning); ...".
	Params string `json:"params,omitempty"`
}

// Agents lists the built-in agents, by role then name.
func Agents() []AgentInfo {
	out := []AgentInfo{}
	for _, in := range agent.List() {
		out = append(out, AgentInfo{Name: in.Name, Role: in.Role, Protocols: in.Protocols, Summary: in.Summary, Params: in.Params})
	}
	return out
}

// Preview is the session a spec would create, without creating it (POST
// /api/scenarios/preview): the scenario as every seat may know it (its
// issues and parties, no preferences), its variants, the protocol and
// deadline, and the seats with who would play each.
type Preview struct {
	Scenario    string              `json:"scenario"`
	Title       string              `json:"title,omitempty"`
	Description string              `json:"description,omitempty"`
	Variant     string              `json:"variant,omitempty"`
	Variants    []parley.Variant    `json:"variants,omitempty"`
	Protocol    parley.ProtocolName `json:"protocol"`
	Rounds      int                 `json:"rounds"`
	Issues      []parley.Issue      `json:"issues"`
	Parties     []PreviewParty      `json:"parties"`
	Seats       []SeatInfo          `json:"seats"`
	// Warnings are what the importer noticed reading the files.
	Warnings []string `json:"warnings,omitempty"`
}

// PreviewParty is a party as the lobby shows it.
type PreviewParty struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Factions    []string `json:"factions,omitempty"`
}

// Preview checks a spec as Create does and returns the session it would
// create; nothing is stored. Errors are Create's.
func (m *Manager) Preview(ctx context.Context, sp *Spec) (*Preview, error) {
	h, e, err := define(ctx, sp, "preview", m.now(), &m.models)
	if err != nil {
		return nil, err
	}
	model := e.model
	pc, err := h.ProtocolConfig()
	if err != nil {
		return nil, err
	}
	info, _ := protocol.Lookup(pc.Name())
	seats := seatsOf(model, info.Mediated)
	if err := assign(seats, sp.Seats, pc.Name()); err != nil {
		return nil, err
	}
	sc := h.Scenario
	out := &Preview{Scenario: sc.ID, Title: sc.Title, Description: sc.Description, Variant: sc.Variant, Protocol: h.Protocol,
		Rounds: pc.DeadlineRounds(), Issues: brief(sc.Issues), Seats: seats, Warnings: sc.Warnings}
	for _, p := range model.Parties {
		pp := PreviewParty{Name: p.Name, Description: sc.Parties[len(out.Parties)].Description}
		if p.Delegation {
			pp.Factions = append(pp.Factions, p.Names...)
		}
		out.Parties = append(out.Parties, pp)
	}
	switch {
	case sp.Scenario != "":
		if f, err := scenario.Builtin(sp.Scenario); err == nil {
			out.Variants = variants(f)
		}
	case sp.YAML != "":
		if f, err := scenario.Parse("yaml", []byte(sp.YAML)); err == nil {
			out.Variants = variants(f)
		}
	}
	return out, nil
}

// brief keeps of the issues what a lobby shows: names, descriptions,
// options with their labels and clauses.
func brief(issues []parley.Issue) []parley.Issue {
	out := make([]parley.Issue, len(issues))
	for i, is := range issues {
		out[i] = parley.Issue{Name: is.Name, Description: is.Description, Kind: is.Kind, Min: is.Min, Max: is.Max, Step: is.Step}
		for _, o := range is.Options {
			out[i].Options = append(out[i].Options, parley.Option{Label: o.Label, Clause: o.Clause, Value: o.Value, NotAddressed: o.NotAddressed})
		}
	}
	return out
}
