// Package simulate runs negotiations: it makes the agents (package agent)
// from their specs and drives them with the session driver (package
// session) on a protocol state machine (package protocol) — the runner owns
// what the pure packages leave out: the wall clock and (for Monte Carlo)
// the goroutines.
//
// A run is deterministic given its seed: each agent gets its own PCG source
// derived from the run's seed and the agent's seat (session.SeatRand), so
// results do not depend on the number of workers.
package simulate

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Config says how to run one negotiation.
type Config struct {
	Protocol parley.ProtocolName
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
func FromScenario(s *parley.Scenario, protocolName parley.ProtocolName) (Config, error) {
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
	info, err := protocol.Lookup(cfg.Protocol)
	if err != nil {
		return cfg, parley.Errorf(parley.EINVALID, "unknown protocol %q; expected %s", cfg.Protocol, parley.ProtocolChoices())
	}
	if cfg.Rounds == 0 {
		cfg.Rounds = DefaultRounds
		if info.Mediated {
			cfg.Rounds = DefaultMediatedRound
		}
	}
	def := DefaultSAOAgent
	if info.Mediated {
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
	// Utilities are what each party got: its utility of the agreement (its
	// reservation value when there is none), discounted at Time as Genius
	// does (u·d^t) when it has a discount factor; UtilitiesUndiscounted
	// the same undiscounted (equal without discounting).
	Utilities             []float64
	UtilitiesUndiscounted []float64
	// Time is the relative time t in [0, 1] at the end: of the action
	// that ended the negotiation, 1 at a deadline.
	Time   float64
	Events []protocol.Event
	Header protocol.Header
	// Elapsed is the time the negotiation itself took, without set-up.
	Elapsed time.Duration
	// Blocked names, when there is no agreement, who rejected the last
	// text or standing offer and why ("Kabul: red line us-guarantor-precondition").
	Blocked []string
}

// ProtocolConfig returns the protocol configuration cfg describes.
func (cfg Config) ProtocolConfig() (protocol.Config, error) {
	info, err := protocol.Lookup(cfg.Protocol)
	if err != nil {
		return nil, err
	}
	return info.Config(protocol.Settings{Rounds: cfg.Rounds, MaxExtensions: cfg.MaxExtensions, Agenda: cfg.Agenda,
		Calendar: cfg.Calendar, HoursPerRound: cfg.HoursPerRound}), nil
}

// Once runs one negotiation of m under cfg. keepEvents=false drops the
// transcript (for Monte Carlo and benchmarks).
func Once(m *parley.Model, cfg Config, keepEvents bool) (*Run, error) {
	return OnceContext(context.Background(), m, cfg, keepEvents)
}

// OnceContext is Once with a context: when ctx is cancelled the
// negotiation stops between two steps and OnceContext returns ctx's error.
func OnceContext(ctx context.Context, m *parley.Model, cfg Config, keepEvents bool) (*Run, error) {
	if len(cfg.Agents) != len(m.Parties) {
		return nil, parley.Errorf(parley.EINVALID, "simulate: %d agents for %d parties", len(cfg.Agents), len(m.Parties))
	}
	pc, err := cfg.ProtocolConfig()
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	mediated := protocolInfo(pc).Mediated
	if mediated && cfg.Mediator == "" {
		cfg.Mediator = DefaultMediator
	}
	header, err := protocol.NewHeader(m.Scenario, pc, cfg.Seed)
	if err != nil {
		return nil, err
	}
	header.Agents = agentInfo(m, cfg, mediated)
	for k, v := range cfg.Meta {
		if header.Meta == nil {
			header.Meta = map[string]any{}
		}
		header.Meta[k] = v
	}
	sc := session.Config{Protocol: pc, Seed: cfg.Seed, Target: cfg.Target, Discard: !keepEvents}
	if sc.Parties, sc.Mediator, sc.Principals, err = players(m, cfg, mediated); err != nil {
		return nil, err
	}
	if cfg.WallClock > 0 {
		sc.Clock, sc.Deadline = time.Now, cfg.WallClock
	}
	d, err := session.New(m, sc)
	if err != nil {
		return nil, err
	}
	defer d.Close() // agents in other processes are stopped however the run ends
	start := time.Now()
	if _, err := d.Run(ctx); err != nil {
		return nil, err
	}
	run := &Run{Header: header, Elapsed: time.Since(start), Events: d.Events(), Result: d.Result(), Time: d.Time()}
	run.Utilities, run.UtilitiesUndiscounted = d.Payoffs()
	if run.Result.End != parley.Agreement {
		run.Blocked = Blockers(m, m.Complete(d.LastProposal()))
	}
	return run, nil
}

func protocolInfo(pc protocol.Config) protocol.Info {
	in, _ := protocol.Lookup(pc.Name()) // pc came from Lookup
	return in
}

// agentInfo lists who plays which seat, for the transcript header.
func agentInfo(m *parley.Model, cfg Config, mediated bool) []protocol.AgentInfo {
	var out []protocol.AgentInfo
	for i, a := range cfg.Agents {
		out = append(out, protocol.AgentInfo{Actor: i, Agent: a})
	}
	if mediated {
		out = append(out, protocol.AgentInfo{Actor: parley.MediatorActor, Agent: cfg.Mediator})
	}
	for i := range cfg.Principals {
		for j, spec := range cfg.Principals[i] {
			if spec != "" {
				out = append(out, protocol.AgentInfo{Actor: i, Principal: m.Parties[i].Principals[j].Name, Agent: spec})
			}
		}
	}
	return out
}

// players makes the agents of cfg's specs.
func players(m *parley.Model, cfg Config, mediated bool) (parties []session.Player, mediator session.Player, principals [][]session.Player, err error) {
	parties = make([]session.Player, len(m.Parties))
	for i := range m.Parties {
		a, err := agent.New(cfg.Agents[i])
		if err != nil {
			return nil, mediator, nil, fmt.Errorf("party %s: %w", m.Parties[i].Name, err)
		}
		parties[i] = session.Player{Agent: a, Name: cfg.Agents[i]}
	}
	if mediated {
		a, err := agent.New(cfg.Mediator)
		if err != nil {
			return nil, mediator, nil, fmt.Errorf("mediator: %w", err)
		}
		mediator = session.Player{Agent: a, Name: cfg.Mediator}
	}
	for i := range cfg.Principals {
		if i >= len(m.Parties) {
			return nil, mediator, nil, parley.Errorf(parley.EINVALID, "simulate: principals given for %d parties, the model has %d", len(cfg.Principals), len(m.Parties))
		}
		for j, spec := range cfg.Principals[i] {
			if spec == "" {
				continue
			}
			if j >= len(m.Parties[i].Principals) {
				return nil, mediator, nil, parley.Errorf(parley.EINVALID, "simulate: party %s has no faction %d", m.Parties[i].Name, j)
			}
			pa, err := agent.NewPrincipal(spec)
			if err != nil {
				return nil, mediator, nil, fmt.Errorf("party %s faction %d: %w", m.Parties[i].Name, j, err)
			}
			if principals == nil {
				principals = make([][]session.Player, len(m.Parties))
			}
			if principals[i] == nil {
				principals[i] = make([]session.Player, len(m.Parties[i].Principals))
			}
			principals[i][j] = session.Player{Principal: pa, Name: spec}
		}
	}
	return parties, mediator, principals, nil
}

// Utilities returns each party's utility of a result, undiscounted: of
// the agreement, or its reservation value when there is none. (A Run's
// Utilities are discounted at its Time; see parley.PartyModel.Payoff.)
func Utilities(m *parley.Model, r protocol.Result) []float64 {
	u := make([]float64, len(m.Parties))
	for i := range m.Parties {
		if r.End == parley.Agreement {
			u[i] = m.Parties[i].Utility.F(m.Parties[i].Utility.Eval(r.Agreement))
		} else {
			u[i] = m.Parties[i].Utility.F(m.Parties[i].Reservation)
		}
	}
	return u
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
func MediatorTarget(ctx context.Context, m *parley.Model) parley.Outcome {
	if rep, err := analysis.Analyze(ctx, m, analysis.Options{NoBlocking: true}); err == nil && rep.Nash != nil {
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
	rep, err := analysis.Analyze(ctx, &c, analysis.Options{NoBlocking: true})
	if err != nil || rep.Nash == nil {
		return nil
	}
	return rep.Nash.Raw()
}
