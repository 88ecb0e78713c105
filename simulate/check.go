package simulate

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/protocol"
)

// Check runs, without negotiating, every check the set-up of 'parley
// simulate' makes on a scenario's own simulation settings: each agent spec
// names an agent of the right role (a negotiator for a party, a mediator,
// a principal for a faction) that plays the protocol, with valid
// parameters; the protocol accepts the settings; and every agent, the
// defaults included, initialises on the compiled scenario. A scenario
// without simulation settings has nothing to check. Problems come back as
// a *parley.ValidationError whose field paths ("simulation.agents[1].agent")
// loaders map to positions in their file; an error of another kind means
// the scenario itself does not compile.
func Check(s *parley.Scenario) error {
	sp := s.Simulation
	if sp == nil {
		return nil
	}
	var ve parley.ValidationError
	add := func(path string, err error) {
		ve.Fields = append(ve.Fields, &parley.FieldError{Path: path, Msg: strings.TrimPrefix(parley.ErrorMessage(err), "agent: ")})
	}
	for i, a := range sp.Agents {
		if err := agent.Check(a.Agent, agent.RoleNegotiator, sp.Protocol); err != nil {
			add(fmt.Sprintf("simulation.agents[%d].agent", i), err)
		}
	}
	if sp.Mediator != "" {
		if sp.Protocol != parley.ProtocolMediated {
			add("simulation.mediator", parley.Errorf(parley.EINVALID, "a mediator needs the %s protocol; this simulation uses %s", parley.ProtocolMediated, sp.Protocol))
		} else if err := agent.Check(sp.Mediator, agent.RoleMediator, sp.Protocol); err != nil {
			add("simulation.mediator", err)
		}
	}
	for i, a := range sp.Principals {
		if err := agent.Check(a.Agent, agent.RolePrincipal, sp.Protocol); err != nil {
			add(fmt.Sprintf("simulation.principals[%d].agent", i), err)
		}
	}
	if len(ve.Fields) > 0 {
		return &ve
	}
	m, err := s.Compile()
	if err != nil {
		return err
	}
	cfg, err := FromScenario(s, "")
	if err != nil {
		add("simulation.protocol", err)
		return &ve
	}
	setUp(m, cfg, add)
	if len(ve.Fields) > 0 {
		return &ve
	}
	return nil
}

// setUp builds the protocol and initialises every agent of cfg on m as a
// run would, reporting failures by the field path of the setting at fault.
func setUp(m *parley.Model, cfg Config, add func(path string, err error)) {
	var pc protocol.Config = protocol.SAOConfig{Rounds: cfg.Rounds, MaxExtensions: cfg.MaxExtensions}
	if cfg.Protocol == parley.ProtocolMediated {
		pc = protocol.MediatedConfig{Rounds: cfg.Rounds, Agenda: cfg.Agenda, Calendar: cfg.Calendar, HoursPerRound: cfg.HoursPerRound, MaxExtensions: cfg.MaxExtensions}
	}
	if _, err := pc.New(m); err != nil {
		add("simulation", err)
	}
	sp := m.Scenario.Simulation
	agentPath := func(party int) string {
		for i, a := range sp.Agents {
			if a.Party == m.Parties[party].Name {
				return fmt.Sprintf("simulation.agents[%d].agent", i)
			}
		}
		return "simulation.protocol" // the protocol's default agent
	}
	src := rand.New(rand.NewPCG(cfg.Seed, 0))
	for i, spec := range cfg.Agents {
		a, err := agent.New(spec)
		if err == nil && !agent.IsExec(spec) { // a program is not started to be checked
			s := &parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Utility, Reservation: m.Parties[i].Reservation, Rounds: cfg.Rounds, Rand: src}
			err = a.Init(s)
		}
		if err != nil {
			add(agentPath(i), fmt.Errorf("party %s: %s: %w", m.Parties[i].Name, spec, err))
		}
	}
	if cfg.Protocol == parley.ProtocolMediated {
		path := "simulation.mediator"
		if sp.Mediator == "" {
			path = "simulation.protocol"
		}
		a, err := agent.New(cfg.Mediator)
		if err == nil && !agent.IsExec(cfg.Mediator) {
			err = a.Init(&parley.Session{Model: m, Party: parley.MediatorActor, Rounds: cfg.Rounds, Rand: src})
		}
		if err != nil {
			add(path, fmt.Errorf("mediator %s: %w", cfg.Mediator, err))
		}
	}
	for i := range cfg.Principals {
		for j, spec := range cfg.Principals[i] {
			if spec == "" {
				continue
			}
			pa, err := agent.NewPrincipal(spec)
			if err == nil {
				s := &parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Principals[j].Utility, Reservation: m.Parties[i].Principals[j].Reservation, Rounds: cfg.Rounds, Rand: src}
				err = pa.Init(s, j)
			}
			if err != nil {
				add(principalPath(sp, m.Parties[i].Name, m.Parties[i].Principals[j].Name), fmt.Errorf("faction %s: %s: %w", m.Parties[i].Principals[j].Name, spec, err))
			}
		}
	}
}

func principalPath(sp *parley.SimulationSpec, party, faction string) string {
	for i, a := range sp.Principals {
		if a.Party == party && a.Faction == faction {
			return fmt.Sprintf("simulation.principals[%d].agent", i)
		}
	}
	return "simulation"
}
