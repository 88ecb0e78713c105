// Package simulate runs negotiations: it builds a protocol state machine
// (package protocol) and the agents (package agent), and drives them — the
// runner owns everything the pure packages leave out: the wall clock, the
// seeded random sources, and (for Monte Carlo) the goroutines.
//
// A run is deterministic given its seed: each agent gets its own PCG source
// derived from the run's seed and the agent's seat, so results do not
// depend on the number of workers.
package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
)

// Config says how to run one negotiation.
type Config struct {
	Protocol string // parley.ProtocolSAO or parley.ProtocolMediated
	Rounds   int
	// WallClock is an optional wall-clock deadline; 0: none.
	WallClock time.Duration
	// Agents holds one agent spec per party (package agent's syntax).
	Agents []string
	// Mediator is the mediator's agent spec (mediated protocol).
	Mediator string
	// Principals holds, per party, one spec per faction ("" for none).
	Principals [][]string
	// Mediated protocol settings.
	Agenda        []int
	Calendar      []float64
	HoursPerRound float64
	MaxExtensions int
	// Seed seeds every agent's source.
	Seed uint64
	// Target is suggested to the mediator (the Nash point, when known).
	Target parley.Outcome
	// Meta is copied into the transcript header.
	Meta map[string]string
}

// Defaults for what neither the scenario nor the user sets.
const (
	DefaultSAOAgent      = "boulware"
	DefaultTextAgent     = "delegate"
	DefaultMediator      = "hillclimb"
	DefaultRounds        = 100
	DefaultMediatedRound = 30
)

// FromScenario fills a Config from the scenario's simulation spec (if any)
// and the defaults. protocolName overrides the scenario's protocol when
// not empty.
func FromScenario(s *parley.Scenario, protocolName string) (Config, error) {
	var cfg Config
	sp := s.Simulation
	if sp != nil {
		cfg.Protocol, cfg.Rounds = sp.Protocol, sp.Rounds
		cfg.Calendar, cfg.HoursPerRound, cfg.MaxExtensions = sp.Calendar, sp.HoursPerRound, sp.MaxExtensions
		cfg.Mediator = sp.Mediator
		for _, name := range sp.Agenda {
			cfg.Agenda = append(cfg.Agenda, s.IssueIndex(name))
		}
	}
	if protocolName != "" && protocolName != cfg.Protocol {
		// A different protocol than the scenario's: its settings do not carry over.
		cfg = Config{Protocol: protocolName}
		sp = nil
	}
	if cfg.Protocol == "" {
		cfg.Protocol = parley.ProtocolSAO
	}
	switch cfg.Protocol {
	case parley.ProtocolSAO, parley.ProtocolMediated:
	default:
		return cfg, parley.Errorf(parley.EINVALID, "unknown protocol %q; expected %s or %s", cfg.Protocol, parley.ProtocolSAO, parley.ProtocolMediated)
	}
	if cfg.Rounds == 0 {
		cfg.Rounds = DefaultRounds
		if cfg.Protocol == parley.ProtocolMediated {
			cfg.Rounds = DefaultMediatedRound
		}
	}
	def := DefaultSAOAgent
	if cfg.Protocol == parley.ProtocolMediated {
		def = DefaultTextAgent
		if cfg.Mediator == "" {
			cfg.Mediator = DefaultMediator
		}
	}
	cfg.Agents = make([]string, len(s.Parties))
	cfg.Principals = make([][]string, len(s.Parties))
	for i, p := range s.Parties {
		cfg.Agents[i] = def
		if p.Delegation != nil {
			cfg.Principals[i] = make([]string, len(p.Delegation.Factions))
		}
	}
	if sp != nil {
		for _, a := range sp.Agents {
			for i, p := range s.Parties {
				if p.Name == a.Party {
					cfg.Agents[i] = a.Agent
				}
			}
		}
		for _, a := range sp.Principals {
			for i, p := range s.Parties {
				if p.Name != a.Party || p.Delegation == nil {
					continue
				}
				for j, f := range p.Delegation.Factions {
					if f.Name == a.Faction {
						cfg.Principals[i][j] = a.Agent
					}
				}
			}
		}
	}
	return cfg, nil
}

// Run is the outcome of one negotiation.
type Run struct {
	Result protocol.Result
	// Utilities of the agreement for each party (reservation values when
	// there is none).
	Utilities []float64
	Events    []protocol.Event
	Header    protocol.Header
	// Elapsed is the time the negotiation itself took, without set-up.
	Elapsed time.Duration
	// Blocked names, when there is no agreement, who rejected the last
	// text or standing offer and why ("Kabul: red line us-guarantor-precondition").
	Blocked []string
}

// seatSeed derives an agent's seed from the run's seed and its seat, so
// that every agent has its own reproducible source.
func seatSeed(seed uint64, seat int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(seat+2)))
}

// Once runs one negotiation of m under cfg. keepEvents=false drops the
// transcript (for Monte Carlo and benchmarks).
func Once(m *parley.Model, cfg Config, keepEvents bool) (*Run, error) {
	if len(cfg.Agents) != len(m.Parties) {
		return nil, parley.Errorf(parley.EINVALID, "simulate: %d agents for %d parties", len(cfg.Agents), len(m.Parties))
	}
	var pc protocol.Config
	switch cfg.Protocol {
	case parley.ProtocolSAO:
		pc = protocol.SAOConfig{Rounds: cfg.Rounds, MaxExtensions: cfg.MaxExtensions}
	case parley.ProtocolMediated:
		pc = protocol.MediatedConfig{Rounds: cfg.Rounds, Agenda: cfg.Agenda, Calendar: cfg.Calendar, HoursPerRound: cfg.HoursPerRound, MaxExtensions: cfg.MaxExtensions}
	default:
		return nil, parley.Errorf(parley.EINVALID, "simulate: unknown protocol %q", cfg.Protocol)
	}
	p, err := pc.New(m)
	if err != nil {
		return nil, err
	}
	if !keepEvents {
		p.DiscardEvents()
	}
	header, err := protocol.NewHeader(m.Scenario, pc, cfg.Seed)
	if err != nil {
		return nil, err
	}
	for k, v := range cfg.Meta {
		if header.Meta == nil {
			header.Meta = map[string]any{}
		}
		header.Meta[k] = v
	}
	for i, a := range cfg.Agents {
		header.Agents = append(header.Agents, protocol.AgentInfo{Actor: i, Agent: a})
	}
	if cfg.Protocol == parley.ProtocolMediated {
		header.Agents = append(header.Agents, protocol.AgentInfo{Actor: parley.MediatorActor, Agent: cfg.Mediator})
	}
	for i := range cfg.Principals {
		for j, spec := range cfg.Principals[i] {
			if spec != "" {
				header.Agents = append(header.Agents, protocol.AgentInfo{Actor: i, Principal: m.Parties[i].Principals[j].Name, Agent: spec})
			}
		}
	}
	agents := make([]parley.Agent, len(m.Parties))
	for i := range m.Parties {
		a, err := agent.New(cfg.Agents[i])
		if err != nil {
			return nil, fmt.Errorf("party %s: %w", m.Parties[i].Name, err)
		}
		s := &parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Utility, Reservation: m.Parties[i].Reservation,
			Rounds: cfg.Rounds, Rand: seatSeed(cfg.Seed, i)}
		if err := a.Init(s); err != nil {
			return nil, fmt.Errorf("party %s: agent %s: %w", m.Parties[i].Name, cfg.Agents[i], err)
		}
		agents[i] = a
	}
	var mediator parley.Agent
	if cfg.Protocol == parley.ProtocolMediated {
		spec := cfg.Mediator
		if spec == "" {
			spec = DefaultMediator
		}
		if mediator, err = agent.New(spec); err != nil {
			return nil, fmt.Errorf("mediator: %w", err)
		}
		s := &parley.Session{Model: m, Party: parley.MediatorActor, Rounds: cfg.Rounds, Rand: seatSeed(cfg.Seed, -1), Target: cfg.Target}
		if err := mediator.Init(s); err != nil {
			return nil, fmt.Errorf("mediator %s: %w", spec, err)
		}
	}
	type seat struct {
		party, faction int
		a              parley.PrincipalAgent
	}
	var principals []seat
	for i := range cfg.Principals {
		for j, spec := range cfg.Principals[i] {
			if spec == "" {
				continue
			}
			pa, err := agent.NewPrincipal(spec)
			if err != nil {
				return nil, fmt.Errorf("party %s faction %d: %w", m.Parties[i].Name, j, err)
			}
			s := &parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Principals[j].Utility,
				Reservation: m.Parties[i].Principals[j].Reservation, Rounds: cfg.Rounds, Rand: seatSeed(cfg.Seed, 1000+100*i+j)}
			if err := pa.Init(s, j); err != nil {
				return nil, fmt.Errorf("party %s faction %s: %w", m.Parties[i].Name, m.Parties[i].Principals[j].Name, err)
			}
			principals = append(principals, seat{i, j, pa})
		}
	}

	run := &Run{Header: header}
	var last parley.Outcome // the last offer or text, for the blocking report
	start := time.Now()
	for {
		t, ok := p.Next()
		if !ok {
			break
		}
		if len(principals) > 0 {
			for _, s := range principals {
				for _, in := range s.a.Instruct(&t) {
					if err := p.Instruct(s.party, s.faction, in); err != nil {
						return nil, fmt.Errorf("faction %s: %w", m.Parties[s.party].Principals[s.faction].Name, err)
					}
				}
			}
			if t, ok = p.Next(); !ok {
				break
			}
		}
		var a parley.Action
		if t.Actor == parley.MediatorActor {
			a = mediator.Act(&t)
		} else {
			a = agents[t.Actor].Act(&t)
		}
		a.Actor = t.Actor
		if a.Kind == parley.ActOffer || a.Kind == parley.ActText {
			last = append(last[:0], a.Outcome...)
		}
		// Agents may reuse their outcome buffer: the protocol keeps a copy.
		_ = p.Step(a) // an invalid action ends the negotiation as Broken; the result says why
		if keepEvents {
			run.Events = append(run.Events, p.Events()...)
		}
		if cfg.WallClock > 0 && time.Since(start) > cfg.WallClock {
			if err := p.Timeout(); err != nil && err != protocol.ErrEnded {
				return nil, err
			}
		}
	}
	run.Elapsed = time.Since(start)
	if keepEvents {
		run.Events = append(run.Events, p.Events()...)
	}
	run.Result = p.Result()
	run.Utilities = make([]float64, len(m.Parties))
	for i := range m.Parties {
		if run.Result.End == parley.Agreement {
			run.Utilities[i] = m.Parties[i].Utility.F(m.Parties[i].Utility.Eval(run.Result.Agreement))
		} else {
			run.Utilities[i] = m.Parties[i].Utility.F(m.Parties[i].Reservation)
		}
	}
	if run.Result.End != parley.Agreement {
		run.Blocked = Blockers(m, m.Complete(last))
	}
	return run, nil
}

// Blockers says who rejects o and why: for every party that does not
// accept it, the principals that reject it (for a delegation, when its
// rule fails) with the red lines o breaks or the utility it falls short of,
// and every third party whose missing consent makes o infeasible.
func Blockers(m *parley.Model, o parley.Outcome) []string {
	if o == nil {
		return []string{"no proposal was made"}
	}
	var out []string
	for k, r := range m.Infeasible {
		if r.Contains(o) {
			out = append(out, m.InfeasibleWhy[k]+": consent withheld")
		}
	}
	for i := range m.Parties {
		p := &m.Parties[i]
		if p.Accepts(o) {
			continue
		}
		for j := range p.Principals {
			pr := &p.Principals[j]
			if pr.Accepts(o) {
				continue
			}
			why := ""
			for k, r := range pr.RedLines {
				if r.Contains(o) {
					why = "red line " + pr.RedLineName[k]
					break
				}
			}
			if why == "" {
				why = fmt.Sprintf("below reservation (%.3f ≤ %.3f)", pr.Utility.F(pr.Utility.Eval(o)), pr.Utility.F(pr.Reservation))
			}
			name := pr.Name
			if p.Delegation {
				name = p.Name + "/" + pr.Name
			}
			out = append(out, name+": "+why)
		}
	}
	return out
}

// MediatorTarget returns the outcome a mediator aims at: the Nash point of
// the zone of agreement when there is one (mediators who know each
// delegation's politics aim at what it can ratify); otherwise the Nash point
// a mediator would estimate from each side's interests alone — each
// delegation counted as one actor with its weighted-mean utility and
// reservation, red lines and third-party consent left aside. It returns nil
// when even that gives no party a gain.
func MediatorTarget(m *parley.Model) parley.Outcome {
	if rep, err := analysis.Analyze(m, analysis.Options{NoBlocking: true}); err == nil && rep.Nash != nil {
		return rep.Nash.Raw()
	}
	c := *m
	c.Infeasible, c.InfeasibleWhy = nil, nil
	c.Parties = make([]parley.PartyModel, len(m.Parties))
	for i, p := range m.Parties {
		c.Parties[i] = parley.PartyModel{
			Name: p.Name, Utility: p.Utility, Reservation: p.Reservation,
			Principals: []parley.Principal{{Name: p.Name, Utility: p.Utility, Reservation: p.Reservation}},
			Weights:    []float64{1}, Names: []string{p.Name},
		}
	}
	rep, err := analysis.Analyze(&c, analysis.Options{NoBlocking: true})
	if err != nil || rep.Nash == nil {
		return nil
	}
	return rep.Nash.Raw()
}
