package session

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// A Player is who sits in a seat: a built-in agent, which the driver steps
// inline, or nobody (the zero Player), when a person or a remote program
// acts through Submit or Instruct.
type Player struct {
	// Agent plays a party or the mediator.
	Agent parley.Agent
	// Principal plays a faction of a delegation.
	Principal parley.PrincipalAgent
	// Name is the agent's spec ("boulware", "delegate:concede=0.5"), for
	// messages and agent errors.
	Name string
}

// External reports whether the seat is played from outside (a person, a
// remote agent).
func (p Player) External() bool { return p.Agent == nil && p.Principal == nil }

// Config says how to drive one negotiation.
type Config struct {
	// Protocol is the protocol's configuration. Required.
	Protocol protocol.Config
	// Parties holds the player of each party, in party order (one per
	// party). A zero Player is waited for.
	Parties []Player
	// Mediator plays the mediator of a mediated protocol (a zero Player
	// is waited for); it must be zero for protocols without one.
	Mediator Player
	// Principals[p][f] plays faction f of party p; missing or zero
	// entries only instruct through Instruct.
	Principals [][]Player
	// Seed seeds every built-in agent's source (parley.Session.Rand): each
	// seat draws from its own stream, SeatRand(Seed, seat).
	Seed uint64
	// Target is suggested to the mediator (parley.Session.Target).
	Target parley.Outcome
	// Discard drops events once the seats' views have taken them: calls
	// return no events and View is unavailable. Monte Carlo studies and
	// tournaments set it; transcripts and servers need the events. When
	// besides every seat is played by a built-in parley.HistoryFreeAgent,
	// the driver hands turns without a history and the protocol forgets
	// past actions (protocol.Forgetter): memory stays constant.
	Discard bool
	// Clock reads the wall clock; the driver reads no clock of its own.
	// Required when Deadline is set.
	Clock func() time.Time
	// Deadline is a wall-clock deadline counted from Start; 0: none. When
	// it passes, the next call ends the negotiation with a timeout
	// (parley.Deadline); a server calls Tick to notice it while waiting.
	Deadline time.Duration
	// Hour puts the protocol's calendar on the wall clock: it is how long
	// one hour of session lasts (time.Hour in real time, a minute for a
	// classroom exercise); 0: turns have no wall-clock deadline. Round r
	// starts at Start + (24·day + hour)·Hour, where day and hour are the
	// round's place on the calendar (protocol.Calendar: the scenario's
	// sessions per day), and must be over when the next round starts: a
	// seat played from outside that has not acted by then has its turn
	// lapse (protocol.Protocol.Lapse). Requires Clock.
	Hour time.Duration
	// Start is when the session started on the wall clock; zero means
	// Clock() at New. A server restoring a session passes the original
	// start, so that its deadlines do not move.
	Start time.Time
}

// ErrNotYourMove is the error (code ECONFLICT) of a seat that acts out of
// turn; errors.Is finds it in the error Submit returns.
var ErrNotYourMove = errors.New("session: not this seat's move")

// Driver drives one negotiation: it holds the protocol state machine, the
// built-in agents and every seat's view. It owns no goroutines and reads
// no clock but Config.Clock; it is not safe for concurrent use (a server
// serialises calls per session).
type Driver struct {
	m     *parley.Model
	cfg   Config
	info  protocol.Info
	p     protocol.Protocol
	start time.Time

	parties    []Player
	mediator   Player
	principals []principal // principal seats with a built-in agent
	external   map[parley.Seat]bool

	v    views
	seen map[parley.Seat]*seatView // the views View has shown, by seat

	turn   parley.Turn      // the turn handed to agents, reused: agents must not keep it
	record []protocol.Event // every event, unless Discard
	forget bool             // no history is kept or handed (Config.Discard)
	told   int              // events returned to the caller so far
	// recorded counts the events drained, kept or not (Move.After).
	recorded int
	// restoring is set while Restore re-applies recorded events; matched
	// counts the events checked against the record.
	restoring bool
	matched   int
	last      parley.Outcome // the last offer or text
	steps     int            // Step calls
	// finishers are the agents to tell how the negotiation ended
	// (parley.FinishingAgent), finished once they have been told; endT is
	// the relative time at the end, settled once it is known.
	finishers []finisher
	finished  bool
	endT      float64
	settled   bool
	asked     int // steps count when principals were last asked; −1: never
	n         int // loop iterations, for context checks
}

// finisher is a seat's agent that wants to hear how the negotiation ended.
type finisher struct {
	seat parley.Seat
	a    parley.FinishingAgent
}

type principal struct {
	party, faction, seat int // seat: index in views
	p                    Player
}

// SeatRand returns the random source of a seat's agent for a negotiation
// seeded with seed: a PCG stream of its own per seat, so that agents draw
// independently and results depend on nothing but the seed. Seats are
// numbered as actors (parties 0, 1, ...; the mediator parley.MediatorActor)
// and principal f of party p as 1000+100p+f.
func SeatRand(seed uint64, seat int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(seat+2)))
}

func principalSeatNumber(p, f int) int { return 1000 + 100*p + f }

// New builds the protocol on m and initialises the built-in agents; it
// does not step. Call Run to let built-in agents act. A bad config or an
// agent whose Init fails is an error (EINVALID for configuration).
func New(m *parley.Model, cfg Config) (*Driver, error) {
	if cfg.Protocol == nil {
		return nil, parley.Errorf(parley.EINVALID, "session: no protocol configured")
	}
	info, err := protocol.Lookup(cfg.Protocol.Name())
	if err != nil {
		return nil, err
	}
	if len(cfg.Parties) != len(m.Parties) {
		return nil, parley.Errorf(parley.EINVALID, "session: %d players for %d parties", len(cfg.Parties), len(m.Parties))
	}
	if !info.Mediated && !cfg.Mediator.External() {
		return nil, parley.Errorf(parley.EINVALID, "session: the %s protocol has no mediator, but one is seated (%s)", info.Name, cfg.Mediator.Name)
	}
	if len(cfg.Principals) > len(m.Parties) {
		return nil, parley.Errorf(parley.EINVALID, "session: principals given for %d parties, the model has %d", len(cfg.Principals), len(m.Parties))
	}
	if cfg.Deadline < 0 {
		return nil, parley.Errorf(parley.EINVALID, "session: negative wall-clock deadline %s", cfg.Deadline)
	}
	if cfg.Deadline > 0 && cfg.Clock == nil {
		return nil, parley.Errorf(parley.EINVALID, "session: a wall-clock deadline needs a clock (Config.Clock)")
	}
	if cfg.Hour < 0 {
		return nil, parley.Errorf(parley.EINVALID, "session: negative length of a session hour %s", cfg.Hour)
	}
	if cfg.Hour > 0 && cfg.Clock == nil {
		return nil, parley.Errorf(parley.EINVALID, "session: turn deadlines need a clock (Config.Clock)")
	}
	p, err := cfg.Protocol.New(m)
	if err != nil {
		return nil, err
	}
	d := &Driver{m: m, cfg: cfg, info: info, p: p, parties: cfg.Parties, mediator: cfg.Mediator, asked: -1, external: map[parley.Seat]bool{}}
	d.start = cfg.Start
	if d.start.IsZero() && cfg.Clock != nil {
		d.start = cfg.Clock()
	}
	if err := d.initAgents(); err != nil {
		d.Close() // agents already started (subprocesses) are released
		return nil, err
	}
	d.v.init(d.seats(), p.Actions)
	if f, ok := p.(protocol.Forgetter); ok && cfg.Discard && d.historyFree() {
		f.Forget()
		d.forget = true
	}
	for i := range d.principals {
		d.principals[i].seat = d.v.index(parley.PrincipalSeat(d.principals[i].party, d.principals[i].faction))
	}
	d.drain()
	return d, nil
}

// initAgents initialises every built-in agent with its own session and
// source, parties first, then the mediator, then the principals.
func (d *Driver) initAgents() error {
	m, rounds := d.m, d.cfg.Protocol.DeadlineRounds()
	for i, pl := range d.parties {
		if pl.Agent == nil {
			if pl.Principal != nil {
				return parley.Errorf(parley.EINVALID, "session: party %s is given a principal agent (%s), not a negotiator", m.Parties[i].Name, pl.Name)
			}
			d.external[parley.PartySeat(i)] = true
			continue
		}
		s := &parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Utility, Reservation: m.Parties[i].Reservation,
			Rounds: rounds, Rand: SeatRand(d.cfg.Seed, i), TimeLimit: d.cfg.Deadline, Protocol: d.info.Name,
			Discount: m.Parties[i].DiscountFactor()}
		if err := d.init(parley.PartySeat(i), pl.Agent, s); err != nil {
			return fmt.Errorf("party %s: agent %s: %w", m.Parties[i].Name, pl.Name, err)
		}
	}
	if d.info.Mediated {
		if a := d.mediator.Agent; a != nil {
			s := &parley.Session{Model: m, Party: parley.MediatorActor, Rounds: rounds, Rand: SeatRand(d.cfg.Seed, parley.MediatorActor), Target: d.cfg.Target,
				TimeLimit: d.cfg.Deadline, Protocol: d.info.Name, Discount: 1}
			if err := d.init(parley.MediatorSeat(), a, s); err != nil {
				return fmt.Errorf("mediator %s: %w", d.mediator.Name, err)
			}
		} else {
			d.external[parley.MediatorSeat()] = true
		}
	}
	for i := range m.Parties {
		for j := range m.Parties[i].Principals {
			if !m.Parties[i].Delegation {
				break
			}
			var pl Player
			if i < len(d.cfg.Principals) && j < len(d.cfg.Principals[i]) {
				pl = d.cfg.Principals[i][j]
			}
			if pl.Principal == nil {
				if pl.Agent != nil {
					return parley.Errorf(parley.EINVALID, "session: faction %s of %s is given a negotiator (%s), not a principal agent", m.Parties[i].Names[j], m.Parties[i].Name, pl.Name)
				}
				d.external[parley.PrincipalSeat(i, j)] = true
				continue
			}
			pr := &m.Parties[i].Principals[j]
			s := &parley.Session{Model: m, Party: i, Utility: &pr.Utility, Reservation: pr.Reservation, Rounds: rounds,
				Rand: SeatRand(d.cfg.Seed, principalSeatNumber(i, j)), TimeLimit: d.cfg.Deadline, Protocol: d.info.Name,
				Discount: pr.DiscountFactor()}
			if err := pl.Principal.Init(s, j); err != nil {
				return fmt.Errorf("party %s faction %s: %w", m.Parties[i].Name, pr.Name, err)
			}
			d.principals = append(d.principals, principal{party: i, faction: j, p: pl})
		}
	}
	for i := range d.cfg.Principals {
		for j := range d.cfg.Principals[i] {
			if d.cfg.Principals[i][j].External() {
				continue
			}
			if !m.Parties[i].Delegation || j >= len(m.Parties[i].Principals) {
				return parley.Errorf(parley.EINVALID, "session: party %s has no faction %d", m.Parties[i].Name, j)
			}
		}
	}
	return nil
}

// init initialises a seat's agent; one that wants to hear how the
// negotiation ends is remembered, even when its Init fails (it may hold a
// process to release).
func (d *Driver) init(seat parley.Seat, a parley.Agent, s *parley.Session) error {
	if f, ok := a.(parley.FinishingAgent); ok {
		d.finishers = append(d.finishers, finisher{seat: seat, a: f})
	}
	return a.Init(s)
}

// historyFree reports whether built-in history-free agents play every
// seat that acts or instructs: nobody then reads a history.
func (d *Driver) historyFree() bool {
	if len(d.external) > 0 || len(d.principals) > 0 {
		return false
	}
	players := d.parties
	if d.info.Mediated {
		players = append(slices.Clip(players), d.mediator)
	}
	for _, pl := range players {
		if _, ok := pl.Agent.(parley.HistoryFreeAgent); !ok {
			return false
		}
	}
	return true
}

// seats lists every seat that acts or instructs: the parties, the
// mediator (mediated protocols) and every faction of every delegation.
func (d *Driver) seats() []parley.Seat {
	var s []parley.Seat
	for i := range d.m.Parties {
		s = append(s, parley.PartySeat(i))
	}
	if d.info.Mediated {
		s = append(s, parley.MediatorSeat())
	}
	for i := range d.m.Parties {
		if !d.m.Parties[i].Delegation {
			continue
		}
		for j := range d.m.Parties[i].Principals {
			s = append(s, parley.PrincipalSeat(i, j))
		}
	}
	return s
}

// Protocol describes the protocol being driven.
func (d *Driver) Protocol() protocol.Info { return d.info }

// Model returns the negotiated model.
func (d *Driver) Model() *parley.Model { return d.m }

// Result is the negotiation's result so far (End == parley.Running while
// it is open).
func (d *Driver) Result() protocol.Result { return d.p.Result() }

// Deadline returns the deadline in rounds now, extensions included; 0 for
// a protocol that does not say (protocol.Deadliner).
func (d *Driver) Deadline() int {
	if dl, ok := d.p.(protocol.Deadliner); ok {
		return dl.Deadline()
	}
	return 0
}

// Done reports whether the negotiation has ended.
func (d *Driver) Done() bool { return d.p.Result().End != parley.Running }

// LastProposal returns the last offer (alternating offers) or text
// (mediated) made, nil before the first; callers must not modify it.
func (d *Driver) LastProposal() parley.Outcome { return d.last }

// Events returns every event so far, oldest first (nil when events are
// discarded). The slice is the driver's record: callers must not modify
// it.
func (d *Driver) Events() []protocol.Event { return d.record }

// Awaiting returns the seat whose move the driver waits for: a seat played
// from outside whose turn it is. ok is false when the negotiation has
// ended or a built-in agent is to move (call Run).
func (d *Driver) Awaiting() (seat parley.Seat, ok bool) {
	t, ok := protocol.Peek(d.p)
	if !ok {
		return parley.Seat{}, false
	}
	s := parley.ActorSeat(t.Actor)
	return s, d.external[s]
}

// Turn returns seat's turn, with its view (History, Instructions) filled
// in, when it is that seat's move; ok is false otherwise. Remote agents
// are handed this turn.
func (d *Driver) Turn(seat parley.Seat) (parley.Turn, bool) {
	t, ok := d.p.Next()
	if !ok || parley.ActorSeat(t.Actor) != seat {
		return parley.Turn{}, false
	}
	d.timed(&t)
	d.fill(&t)
	return t, true
}

// Run lets the built-in agents act until the negotiation ends or a seat
// played from outside must move (see Awaiting), and returns the events
// produced since the last call returned (none when Config.Discard; the
// first call also returns the "start" event). Principals are asked for
// instructions once before every step. When ctx is cancelled Run stops
// between steps and returns ctx's error; the negotiation stays open and
// Run can be called again. When the wall-clock deadline has passed it ends
// the negotiation with a timeout.
func (d *Driver) Run(ctx context.Context) ([]protocol.Event, error) {
	err := d.run(ctx)
	return d.news(), err
}

// Tick checks the wall-clock deadline (and lets built-in agents act); a
// server calls it from a timer while it waits for a seat.
func (d *Driver) Tick(ctx context.Context) ([]protocol.Event, error) { return d.Run(ctx) }

// Submit applies the action of a seat played from outside, then lets the
// built-in agents act as Run does, and returns the events produced. It is
// refused, changing nothing, when the negotiation has ended (ECONFLICT,
// wrapping protocol.ErrEnded), when it is not the seat's move (ECONFLICT,
// wrapping ErrNotYourMove: the message names whose move it is), when a
// built-in agent plays the seat (ECONFLICT), when the seat never acts
// (principals instruct, observers watch: EINVALID) and when the protocol
// would not accept the action (EINVALID, saying why). a.Actor is set from
// the seat.
func (d *Driver) Submit(ctx context.Context, seat parley.Seat, a parley.Action) ([]protocol.Event, error) {
	if err := d.run(ctx); err != nil {
		return d.news(), err
	}
	actor, ok := seat.Actor()
	if !ok {
		return d.news(), parley.Errorf(parley.EINVALID, "session: %s does not act; principals instruct their delegate, observers watch", d.seatName(seat))
	}
	if err := d.checkExternal(seat); err != nil {
		return d.news(), err
	}
	t, ok := protocol.Peek(d.p)
	if !ok {
		return d.news(), ended()
	}
	if t.Actor != actor {
		return d.news(), &parley.Error{Code: parley.ECONFLICT, Message: fmt.Sprintf("session: it is %s's move, not %s's", d.seatName(parley.ActorSeat(t.Actor)), d.seatName(seat)), Err: ErrNotYourMove}
	}
	a.Actor = actor
	if err := d.p.Check(a); err != nil {
		return d.news(), err
	}
	if d.pastDeadline() {
		// The action came too late: the deadline ends the negotiation.
		err := d.run(ctx)
		return d.news(), err
	}
	d.step(a, d.timeOf(t.Time))
	err := d.run(ctx)
	return d.news(), err
}

// Instruct sends an instruction from a principal seat played from outside
// to its delegate, then lets the built-in agents act (a recall can change
// whose move it is), and returns the events produced. An invalid
// instruction is refused with EINVALID and changes nothing; after the end
// it is ECONFLICT.
func (d *Driver) Instruct(ctx context.Context, seat parley.Seat, in parley.Instruction) ([]protocol.Event, error) {
	if err := d.run(ctx); err != nil {
		return d.news(), err
	}
	if seat.Role != parley.SeatPrincipal {
		return d.news(), parley.Errorf(parley.EINVALID, "session: %s cannot instruct; only a delegation's principals do", d.seatName(seat))
	}
	if err := d.checkExternal(seat); err != nil {
		return d.news(), err
	}
	if err := d.p.Instruct(seat.Party, seat.Faction, in); err != nil {
		if errors.Is(err, protocol.ErrEnded) {
			return d.news(), ended()
		}
		return d.news(), err
	}
	d.drain()
	err := d.run(ctx)
	return d.news(), err
}

// Caucus records a message in the caucus between party and the mediator,
// written by from (the party's seat or the mediator's), and returns its
// event (whose audience is the caucus). Caucus messages are not turns:
// either side may write at any time while the negotiation is open. The
// protocol refuses a caucus it has no room for (no mediator) or an empty
// or oversized message with EINVALID.
func (d *Driver) Caucus(ctx context.Context, from parley.Seat, party int, msg string) ([]protocol.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var actor int
	switch {
	case from == parley.PartySeat(party):
		actor = party
	case from.Role == parley.SeatMediator:
		actor = parley.MediatorActor
	default:
		return nil, parley.Errorf(parley.EINVALID, "session: %s cannot write in the caucus of party %d; only that party and the mediator can", d.seatName(from), party)
	}
	if err := d.p.Caucus(party, actor, msg); err != nil {
		if errors.Is(err, protocol.ErrEnded) {
			return nil, ended()
		}
		return nil, err
	}
	d.drain()
	return d.news(), nil
}

// Fail ends the negotiation because the program that plays seat from
// outside (a remote agent) is at fault — it stayed silent past its turn's
// timeout, or wrote what the agent protocol does not allow — and returns
// the events produced: an "agent_error" event whose note names the seat,
// the agent and the fault, as for an agent the driver calls itself. Only
// a party or the mediator played from outside can fail (EINVALID
// otherwise); after the end it is ECONFLICT.
func (d *Driver) Fail(ctx context.Context, seat parley.Seat, agent string, fault error) ([]protocol.Event, error) {
	if err := d.run(ctx); err != nil {
		return d.news(), err
	}
	actor, ok := seat.Actor()
	if !ok || !d.external[seat] {
		return d.news(), parley.Errorf(parley.EINVALID, "session: %s is not played from outside by an agent", d.seatName(seat))
	}
	if d.Done() {
		return d.news(), ended()
	}
	if err := d.fail(actor, fmt.Sprintf("%s (agent %s): %v", d.seatName(seat), agent, fault)); err != nil {
		return d.news(), err
	}
	err := d.run(ctx)
	return d.news(), err
}

func ended() error {
	return &parley.Error{Code: parley.ECONFLICT, Message: "session: the negotiation has ended", Err: protocol.ErrEnded}
}

// checkExternal refuses a seat that a built-in agent plays.
func (d *Driver) checkExternal(seat parley.Seat) error {
	if d.external[seat] {
		return nil
	}
	switch seat.Role {
	case parley.SeatParty:
		if seat.Party >= 0 && seat.Party < len(d.parties) {
			return parley.Errorf(parley.ECONFLICT, "session: %s is played by the built-in agent %s", d.seatName(seat), d.parties[seat.Party].Name)
		}
	case parley.SeatMediator:
		if d.info.Mediated {
			return parley.Errorf(parley.ECONFLICT, "session: the mediator is played by the built-in agent %s", d.mediator.Name)
		}
		return parley.Errorf(parley.EINVALID, "session: the %s protocol has no mediator", d.info.Name)
	case parley.SeatPrincipal:
		for _, p := range d.principals {
			if p.party == seat.Party && p.faction == seat.Faction {
				return parley.Errorf(parley.ECONFLICT, "session: %s is played by the built-in agent %s", d.seatName(seat), p.p.Name)
			}
		}
	}
	return parley.Errorf(parley.EINVALID, "session: no such seat %s", seat)
}

// news returns the events not yet returned to the caller (New's "start"
// event comes with the first call).
func (d *Driver) news() []protocol.Event {
	from := d.told
	d.told = len(d.record)
	if from >= len(d.record) {
		return nil
	}
	return d.record[from:len(d.record):len(d.record)]
}

// run is the loop of Run. Once the negotiation has ended, the agents that
// want to hear it are told (finish).
func (d *Driver) run(ctx context.Context) error {
	err := d.loop(ctx)
	if d.Done() && !d.restoring {
		d.finish(ctx)
	}
	return err
}

func (d *Driver) loop(ctx context.Context) error {
	for {
		if d.n++; d.n&63 == 1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if d.pastDeadline() {
			return d.timeout()
		}
		t, ok := protocol.Peek(d.p) // the text is copied below if an agent is handed it
		if !ok {
			return nil
		}
		if len(d.principals) > 0 && d.asked != d.steps {
			d.asked = d.steps
			t.Text = append([]parley.Clause(nil), t.Text...) // principals are handed the turn
			if err := d.instruct(ctx, &t); err != nil {
				return err
			}
			if t, ok = protocol.Peek(d.p); !ok {
				return nil
			}
		}
		pl := d.mediator
		if t.Actor != parley.MediatorActor {
			pl = d.parties[t.Actor]
		}
		if pl.Agent == nil {
			if d.lapsed(t) {
				if err := d.p.Lapse(t.Actor); err != nil {
					return err
				}
				d.drain()
				continue
			}
			return nil // a seat played from outside: wait for Submit
		}
		if _, outside := pl.Agent.(parley.ContextAgent); outside && d.restoring {
			return nil // its recorded action is an input
		}
		d.turn = t
		d.turn.Text = append([]parley.Clause(nil), t.Text...) // the agent's own, as Next gives it
		d.timed(&d.turn)
		d.fill(&d.turn)
		ca, outside := pl.Agent.(parley.ContextAgent)
		var a parley.Action
		if outside {
			var err error
			if a, err = ca.ActContext(ctx, &d.turn); err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
				return d.fail(t.Actor, fmt.Sprintf("%s (agent %s): %v", d.seatName(parley.ActorSeat(t.Actor)), pl.Name, err))
			}
		} else {
			a = pl.Agent.Act(&d.turn)
		}
		a.Actor = t.Actor
		if d.pastDeadline() {
			return d.timeout() // too late: Genius voids an action after the deadline
		}
		if outside {
			// An agent in another process or across a network is refused
			// rather than recorded: its mistake is a fault of the agent.
			if err := d.p.Check(a); err != nil {
				msg := strings.TrimPrefix(parley.ErrorMessage(err), "protocol: ")
				return d.fail(t.Actor, fmt.Sprintf("%s (agent %s): invalid action: %s", d.seatName(parley.ActorSeat(t.Actor)), pl.Name, msg))
			}
		}
		d.step(a, d.timeOf(t.Time)) // an invalid action ends the negotiation as broken; the result says why
	}
}

// step applies an action taken at relative time at and folds its events
// into the views.
func (d *Driver) step(a parley.Action, at float64) {
	_ = d.p.Step(a) // agents may reuse their outcome buffer: the protocol keeps a copy
	d.steps++
	d.drain()
	d.settle(at)
}

// fail ends the negotiation on an agent's fault.
func (d *Driver) fail(actor int, why string) error {
	at := d.Time()
	if err := d.p.Fail(actor, why); err != nil && !errors.Is(err, protocol.ErrEnded) {
		return err
	}
	d.drain()
	d.settle(at)
	return nil
}

// timeout ends the negotiation at the wall-clock deadline.
func (d *Driver) timeout() error {
	if err := d.p.Timeout(); err != nil && !errors.Is(err, protocol.ErrEnded) {
		return err
	}
	d.drain()
	d.settle(1)
	return nil
}

// instruct asks every built-in principal for instructions before the turn
// t, each with a turn of its own view, and applies them.
func (d *Driver) instruct(ctx context.Context, t *parley.Turn) error {
	for i := range d.principals {
		pr := &d.principals[i]
		pt := *t
		pt.History = d.v.history(pr.seat)
		pt.Instructions = nil
		var ins []parley.Instruction
		if cp, ok := pr.p.Principal.(parley.ContextPrincipal); ok {
			if d.restoring {
				continue // its recorded instructions are inputs
			}
			var err error
			if ins, err = cp.InstructContext(ctx, &pt); err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
				return d.fail(pr.party, fmt.Sprintf("%s (agent %s): %v", d.seatName(parley.PrincipalSeat(pr.party, pr.faction)), pr.p.Name, err))
			}
		} else {
			ins = pr.p.Principal.Instruct(&pt)
		}
		for _, in := range ins {
			if err := d.p.Instruct(pr.party, pr.faction, in); err != nil {
				if errors.Is(err, protocol.ErrEnded) {
					return nil
				}
				return fmt.Errorf("faction %s: %w", d.m.Parties[pr.party].Principals[pr.faction].Name, err)
			}
		}
		d.drain()
	}
	return nil
}

// fill sets the turn's History and Instructions from the actor's view.
func (d *Driver) fill(t *parley.Turn) {
	if d.forget {
		return // history-free agents, and no principals to instruct them
	}
	i := d.v.index(parley.ActorSeat(t.Actor))
	t.History = d.v.history(i)
	if t.Actor >= 0 && len(d.v.pending[t.Actor]) > 0 {
		t.Instructions = append([]parley.Instruction(nil), d.v.pending[t.Actor]...)
	}
}

// drain takes the protocol's new events: the views fold them in, and they
// are recorded unless discarded.
func (d *Driver) drain() {
	evs := d.p.Ready()
	for k := range evs {
		ev := &evs[k]
		if ev.Type == protocol.EvAction && ev.Action != nil && !protocol.Invalid(*ev) {
			if ev.Action.Kind == parley.ActOffer || ev.Action.Kind == parley.ActText {
				d.last = ev.Action.Outcome
			}
		}
		d.v.add(ev)
	}
	d.recorded += len(evs)
	if !d.cfg.Discard {
		d.record = append(d.record, evs...)
	}
	d.p.Advance()
}

// seatName names a seat for messages.
func (d *Driver) seatName(s parley.Seat) string {
	switch s.Role {
	case parley.SeatMediator:
		return "the mediator"
	case parley.SeatParty:
		if s.Party >= 0 && s.Party < len(d.m.Parties) {
			return "party " + d.m.Parties[s.Party].Name
		}
	case parley.SeatPrincipal:
		if s.Party >= 0 && s.Party < len(d.m.Parties) && s.Faction >= 0 && s.Faction < len(d.m.Parties[s.Party].Principals) {
			return "faction " + d.m.Parties[s.Party].Principals[s.Faction].Name + " of " + d.m.Parties[s.Party].Name
		}
	case parley.SeatObserver:
		return "an observer"
	}
	return "seat " + s.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
