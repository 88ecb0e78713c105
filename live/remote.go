package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// A seat created with "remote" is played by a program that connects to
// the server (package http: a WebSocket on GET /api/sessions/{id}/agent)
// and speaks the agent protocol parley.agent/1 (docs/agent-protocol.md),
// the same messages exec: agents read and write on their pipes. The
// session waits for a remote seat as for a person: nothing happens while
// its agent is away, and an agent that connects again is told everything
// again (settings, every action it may see) and handed its turn afresh.
// While it is connected, its reply to a turn is due within the agent
// protocol's timeout, and its faults — silence past the timeout, a
// message the protocol does not allow, an action the protocol refuses —
// end the negotiation with an agent error, as for an exec: agent.
//
// This file is the session's side of the conversation, without I/O: the
// connection (package http) sends what Poll returns, hands each message
// the agent writes to Reply, and calls Expire when a reply is overdue.

// AgentConn is one connection of a remote agent to its seat. Its methods
// are called from one goroutine (the connection's).
type AgentConn struct {
	s     *Session
	seat  parley.Seat
	idx   int // in the session's seats
	codec *agentwire.Codec
	opt   agentwire.Options

	key  int64          // the turn the pending your_turn was handed in (turnKey)
	wait time.Duration  // the pending your_turn's timeout
	void map[int64]bool // your_turns replaced before their reply came
	done bool           // finished has been handed out
}

// AgentStep is what a remote agent's connection does next: send Msgs, in
// order (each one message); when Turn is set, one is your_turn number
// Turn, whose reply is due within Wait; when Finished, the last is
// finished and the conversation is over.
type AgentStep struct {
	Msgs     [][]byte
	Turn     int64
	Wait     time.Duration
	Finished bool
}

// AgentFault is the error of a remote agent at fault: the negotiation has
// ended with an agent error whose note is Why.
type AgentFault struct{ Why string }

func (f *AgentFault) Error() string { return f.Why }

// Connect attaches a remote agent's connection to seat, which must have
// been created "remote" (EFORBIDDEN otherwise), and returns it with the
// settings message to send first. A seat has one connection at a time:
// while one is attached another is ECONFLICT. Close releases it.
func (s *Session) Connect(ctx context.Context, seat parley.Seat) (*AgentConn, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, nil, err
	}
	b := s.b
	i := findSeat(b.seats, seat.String())
	if i < 0 || b.seats[i].Player != Remote {
		name := seat.String()
		if i >= 0 {
			name = b.seats[i].Name
		}
		return nil, nil, parley.Errorf(parley.EFORBIDDEN, "seat %s is not played by a remote agent; only a seat created as %q connects here", name, Remote)
	}
	if s.remotes[i] != nil {
		return nil, nil, parley.Errorf(parley.ECONFLICT, "seat %s already has an agent connected; one connection per seat (close the other first)", b.seats[i].Name)
	}
	actor, _ := seat.Actor()
	codec, err := agentwire.NewCodec(agentwire.Setup{Model: b.model, Seat: seat, Protocol: b.protocol,
		Rounds: b.rounds, TimeLimit: b.deadline, Seed: session.SeatRand(b.seed, actor).Uint64()})
	if err != nil {
		return nil, nil, err
	}
	settings, err := codec.Settings()
	if err != nil {
		return nil, nil, err
	}
	r := &AgentConn{s: s, seat: seat, idx: i, codec: codec, opt: agentwire.Options{TurnTimeout: s.m.AgentTimeout}, key: -1, void: map[int64]bool{}}
	if s.remotes == nil {
		s.remotes = map[int]*AgentConn{}
	}
	s.remotes[i] = r
	return r, settings, nil
}

// Close detaches the connection; the seat waits for the next one.
func (r *AgentConn) Close() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.remotes[r.idx] == r {
		delete(r.s.remotes, r.idx)
	}
}

// turnKey identifies the turn the negotiation is at: the seq of its last
// event that is not a caucus message. Every turn ends with an event (an
// action, a lapse, the end), and instructions change what a delegate's
// turn holds; caucus messages change nothing a turn holds.
func turnKey(d *session.Driver) int64 {
	evs := d.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type != protocol.EvCaucus {
			return int64(evs[i].Seq)
		}
	}
	return -1
}

// Poll returns what to send the agent now — its turn when it is its move
// and it has not been handed it, or finished once the negotiation has
// ended — and a channel closed when the session next changes, to poll
// again then (nil after finished). A turn the agent was handed and that
// changed before its reply (it lapsed, or instructions came) is replaced
// by a new your_turn; a reply to the old one is ignored.
func (r *AgentConn) Poll(ctx context.Context) (AgentStep, <-chan struct{}, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return AgentStep{}, nil, err
	}
	if r.done {
		return AgentStep{}, nil, nil
	}
	d := s.b.driver
	if d.Done() {
		e := d.Ending(r.seat)
		r.done = true
		return AgentStep{Msgs: r.codec.Finished(&e), Finished: true}, nil, nil
	}
	ch := s.changes()
	key := turnKey(d)
	t, mine := d.Turn(r.seat)
	if r.codec.Pending() {
		if mine && key == r.key {
			return AgentStep{}, ch, nil // its reply is awaited
		}
		r.void[r.codec.TurnNumber()] = true
	}
	if !mine {
		return AgentStep{}, ch, nil
	}
	msgs := r.codec.Turn(&t)
	r.key, r.wait = key, r.opt.Timeout(s.b.deadline, t.Left)
	return AgentStep{Msgs: msgs, Turn: r.codec.TurnNumber(), Wait: r.wait}, ch, nil
}

// Reply takes a message the agent wrote: its reply to the pending turn is
// submitted as the seat's action. A reply to a turn that was replaced,
// or that came once the turn was over (it lapsed, the negotiation ended),
// is ignored. A message that breaks the agent protocol, or an action the
// protocol refuses, ends the negotiation with an agent error and returns
// *AgentFault: close the connection.
func (r *AgentConn) Reply(ctx context.Context, msg []byte) error {
	var head struct {
		Turn int64 `json:"turn"`
	}
	if json.Unmarshal(msg, &head) == nil && r.void[head.Turn] {
		delete(r.void, head.Turn)
		if r.codec.Pending() && head.Turn == r.codec.TurnNumber() {
			_, _ = r.codec.Reply(msg) // the replaced turn is answered: nothing pends
		}
		return nil
	}
	if r.done {
		return nil // after finished the agent has nothing to say
	}
	var (
		act   parley.Action
		fault error
	)
	if r.codec.Pending() {
		act, fault = r.codec.Reply(msg)
	} else {
		fault = r.codec.Unsolicited(msg)
	}
	key := r.key
	return r.step(ctx, func(d *session.Driver) ([]protocol.Event, error) {
		if fault != nil {
			return nil, agentError{fault}
		}
		if turnKey(d) != key {
			return nil, nil // the turn is over: the reply came too late
		}
		evs, err := d.Submit(ctx, r.seat, act)
		switch {
		case err == nil:
		case parley.ErrorCode(err) == parley.EINVALID && !errors.Is(err, context.Canceled):
			return evs, agentError{fmt.Errorf("invalid action: %s", strings.TrimPrefix(parley.ErrorMessage(err), "protocol: "))}
		case parley.ErrorCode(err) == parley.ECONFLICT:
			return evs, nil // its turn lapsed, or the negotiation ended, meanwhile
		default:
			return evs, err
		}
		return evs, nil
	})
}

// Expire is called when the reply to your_turn number turn is overdue
// (AgentStep.Wait has passed): if that turn still awaits it, the
// negotiation ends with an agent error and Expire returns *AgentFault.
func (r *AgentConn) Expire(ctx context.Context, turn int64) error {
	if r.done || !r.codec.Pending() || r.codec.TurnNumber() != turn || r.void[turn] {
		return nil
	}
	key, wait := r.key, r.wait
	return r.step(ctx, func(d *session.Driver) ([]protocol.Event, error) {
		if turnKey(d) != key {
			return nil, nil // the turn is over
		}
		return nil, agentError{fmt.Errorf("did not answer turn %d within %s", turn, wait)}
	})
}

// agentError marks an error of op (step) as the agent's fault.
type agentError struct{ error }

// step runs op on the driver; an agentError it returns is the agent's
// fault, recorded as the agent error that ends the negotiation.
func (r *AgentConn) step(ctx context.Context, op func(d *session.Driver) ([]protocol.Event, error)) error {
	var fault *AgentFault
	_, err := r.s.do(ctx, func(d *session.Driver) ([]protocol.Event, error) {
		fault = nil
		evs, err := op(d)
		var ae agentError
		if !errors.As(err, &ae) {
			return evs, err
		}
		more, ferr := d.Fail(ctx, r.seat, Remote, ae.error)
		evs = append(evs, more...)
		if errors.Is(ferr, protocol.ErrEnded) {
			return evs, nil // it ended meanwhile: nobody is at fault
		}
		if ferr == nil {
			fault = &AgentFault{Why: d.Result().Why}
		}
		return evs, ferr
	})
	if err != nil {
		return err
	}
	if fault != nil {
		return fault
	}
	return nil
}

// Fail records a fault the connection found itself (a message over the
// size limit, say): the negotiation ends with an agent error, and Fail
// returns *AgentFault (nil when it had already ended).
func (r *AgentConn) Fail(ctx context.Context, fault error) error {
	if r.done {
		return nil
	}
	return r.step(ctx, func(*session.Driver) ([]protocol.Event, error) { return nil, agentError{fault} })
}
