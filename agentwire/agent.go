package agentwire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// Defaults for Options.
const (
	// DefaultTurnTimeout bounds a reply when there is no wall-clock
	// deadline. With one, the time left does.
	DefaultTurnTimeout = 10 * time.Second
	// DefaultGrace is added to the time left before the deadline, so that
	// a reply that races the deadline is the driver's to judge (it voids
	// actions that come late).
	DefaultGrace = 50 * time.Millisecond
	// DefaultSendTimeout bounds a write to an agent that does not read.
	DefaultSendTimeout = 5 * time.Second
	// DefaultFinishTimeout bounds the delivery of finished at the end.
	DefaultFinishTimeout = time.Second
)

// Options tune an Agent. Zero values mean the defaults.
type Options struct {
	// TurnTimeout bounds each reply without a wall-clock deadline
	// (default DefaultTurnTimeout); with one, the time left plus Grace
	// does, capped at TurnTimeout when that is set.
	TurnTimeout time.Duration
	Grace       time.Duration
	// SendTimeout bounds each write (DefaultSendTimeout).
	SendTimeout time.Duration
	// FinishTimeout bounds sending finished (DefaultFinishTimeout).
	FinishTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.FinishTimeout <= 0 {
		o.FinishTimeout = DefaultFinishTimeout
	}
	return o
}

// A Dialer makes the transport to an agent when the negotiation starts:
// it starts a subprocess (Command), or waits for a connection.
type Dialer func(ctx context.Context) (Transport, error)

// Agent is an agent on the other side of a Transport, speaking the
// protocol: a parley.ContextAgent for the session driver. Init sends
// settings; each ActContext sends the turn (Codec.Turn) and reads one
// reply, within the turn's timeout; Finish sends finished and closes the
// transport. Every fault of the agent — it exits, stays silent, writes
// garbage or a line over the limit, answers out of turn, offers what does
// not fit the domain — comes back from ActContext as an error naming it,
// which ends the negotiation with parley.AgentError; the transport is
// closed at once (a subprocess is killed and reaped).
//
// Reads happen in the driver's goroutine, with no goroutine of the
// Agent's own in between: a round trip costs the transport's latency and
// nothing more.
//
// An Agent plays one negotiation; it is not safe for concurrent use (the
// driver calls it from one goroutine).
type Agent struct {
	dial   Dialer
	opt    Options
	codec  *Codec
	tr     Transport
	fault  error // the first fault; sticky
	closed bool
}

// A Pender is a Transport that can tell, without blocking, whether the
// agent has written something not yet received: Agent then catches a line
// written out of turn before it hands the agent its next turn. (Without
// it, such a line is caught by its turn number when it is read.)
type Pender interface {
	Pending() bool
}

var (
	_ parley.ContextAgent   = (*Agent)(nil)
	_ parley.FinishingAgent = (*Agent)(nil)
)

// New returns an Agent that speaks over tr (already connected).
func New(tr Transport, opt Options) *Agent {
	return NewDial(func(context.Context) (Transport, error) { return tr, nil }, opt)
}

// NewDial returns an Agent whose transport dial makes at Init.
func NewDial(dial Dialer, opt Options) *Agent {
	return &Agent{dial: dial, opt: opt.withDefaults()}
}

// Init implements parley.Agent: it dials the transport and sends the
// settings. A seat that cannot take turns is an error (EINVALID); a
// transport that cannot be made or an agent that does not read its
// settings is the agent's fault, reported at its first turn (so that a
// tournament records the negotiation as an agent error and goes on).
func (a *Agent) Init(s *parley.Session) error {
	if s == nil || s.Model == nil {
		return parley.Errorf(parley.EINVALID, "agentwire: a session with a model is required")
	}
	c, err := NewCodec(SetupOf(s))
	if err != nil {
		return err
	}
	a.codec = c
	settings, err := c.Settings()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.opt.SendTimeout)
	defer cancel()
	tr, err := a.dial(ctx)
	if err != nil {
		a.fault = faultf(ErrGone, "could not be started: %s", parley.ErrorMessage(err))
		return nil
	}
	a.tr = tr
	if err := tr.Send(ctx, settings); err != nil {
		a.setFault(a.sendFault("its settings", err))
	}
	return nil
}

// Act implements parley.Agent for callers without a context: a fault
// becomes walking away, with the fault as the reason.
func (a *Agent) Act(t *parley.Turn) parley.Action {
	act, err := a.ActContext(context.Background(), t)
	if err != nil {
		kind := parley.ActWalkAway
		if t.Actor == parley.MediatorActor {
			kind = parley.ActEnd
		}
		return parley.Action{Actor: t.Actor, Kind: kind, Reason: err.Error()}
	}
	return act
}

// ActContext implements parley.ContextAgent: it sends the turn and waits
// for the reply, at most the turn's timeout. When ctx is cancelled it
// returns ctx's error (the agent is not at fault, though a subprocess
// blocked in a read is stopped).
func (a *Agent) ActContext(ctx context.Context, t *parley.Turn) (parley.Action, error) {
	if a.fault != nil {
		return parley.Action{}, a.fault
	}
	if a.codec == nil {
		return parley.Action{}, parley.Errorf(parley.EINVALID, "agentwire: ActContext before Init")
	}
	// Whatever the agent wrote since its last reply came unasked.
	if p, ok := a.tr.(Pender); ok && p.Pending() {
		if l, err := a.recv(ctx, a.opt.Grace); err == nil {
			return parley.Action{}, a.setFault(a.codec.Unsolicited(l))
		}
	}
	msgs := a.codec.Turn(t)
	sctx, cancel := context.WithTimeout(ctx, a.opt.SendTimeout)
	err := a.tr.Send(sctx, msgs...)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return parley.Action{}, ctx.Err()
		}
		return parley.Action{}, a.setFault(a.sendFault(fmt.Sprintf("turn %d", a.codec.TurnNumber()), err))
	}
	wait := a.turnTimeout(t)
	l, err := a.recv(ctx, wait)
	if err != nil {
		if ctx.Err() != nil {
			return parley.Action{}, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return parley.Action{}, a.setFault(faultf(ErrTimeout, "did not answer turn %d within %s", a.codec.TurnNumber(), round(wait)))
		}
		return parley.Action{}, a.setFault(transportFault(err))
	}
	act, err := a.codec.Reply(l)
	if err != nil {
		return parley.Action{}, a.setFault(err)
	}
	return act, nil
}

// recv reads one message within wait.
func (a *Agent) recv(ctx context.Context, wait time.Duration) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return a.tr.Recv(rctx)
}

// ErrTimeout is the fault of an agent that did not answer in time.
var ErrTimeout = errors.New("timeout")

// turnTimeout is how long the agent has to answer t: the time left before
// the wall-clock deadline (plus grace), else the turn timeout.
func (a *Agent) turnTimeout(t *parley.Turn) time.Duration {
	return a.opt.Timeout(a.codec.setup.TimeLimit, t.Left)
}

// Timeout is how long an agent has to answer a turn of a negotiation
// with wall-clock deadline timeLimit (0: none) when left is the time left
// before it: the time left plus Grace, capped at TurnTimeout when that is
// set; without a wall-clock deadline TurnTimeout (default
// DefaultTurnTimeout). A server that drives remote agents itself
// (Codec) times their turns by it too.
func (o Options) Timeout(timeLimit, left time.Duration) time.Duration {
	o = o.withDefaults()
	if timeLimit > 0 {
		w := left + o.Grace
		if o.TurnTimeout > 0 {
			w = min(w, o.TurnTimeout)
		}
		return w
	}
	if o.TurnTimeout <= 0 {
		return DefaultTurnTimeout
	}
	return o.TurnTimeout
}

func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// transportFault words the end of a transport.
func transportFault(err error) error {
	var f *fault
	if errors.As(err, &f) {
		return err
	}
	if errors.Is(err, ErrLineTooLong) {
		return faultf(ErrBadMessage, "%s", trimKind(err))
	}
	return faultf(ErrGone, "%s", err.Error())
}

// ErrGone is the fault of an agent whose transport ended: it exited, or
// its connection dropped.
var ErrGone = errors.New("agent gone")

func trimKind(err error) string {
	s := err.Error()
	k := ErrLineTooLong.Error() + ": "
	if len(s) > len(k) && s[:len(k)] == k {
		return s[len(k):]
	}
	return s
}

func (a *Agent) sendFault(what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return faultf(ErrTimeout, "did not read %s within %s", what, round(a.opt.SendTimeout))
	}
	// A broken pipe: the agent is gone; its end says why.
	if _, rerr := a.recv(context.Background(), 200*time.Millisecond); rerr != nil && !errors.Is(rerr, context.DeadlineExceeded) {
		return transportFault(rerr)
	}
	return faultf(ErrGone, "could not be sent %s: %v", what, err)
}

// setFault records the agent's first fault and closes the transport: a
// faulty agent is not talked to again.
func (a *Agent) setFault(err error) error {
	if a.fault == nil {
		a.fault = err
	}
	a.closeTransport(true)
	return a.fault
}

// killer is a transport that can be stopped at once, without the grace a
// leaving agent gets (a subprocess).
type killer interface{ Kill() error }

func (a *Agent) closeTransport(kill bool) {
	if a.closed || a.tr == nil {
		return
	}
	a.closed = true
	if k, ok := a.tr.(killer); ok && kill {
		_ = k.Kill()
	} else {
		_ = a.tr.Close()
	}
}

// Finish implements parley.FinishingAgent: it sends the action_done
// messages not yet delivered and finished (unless the agent is at fault),
// then closes the transport.
func (a *Agent) Finish(ctx context.Context, e *parley.Ending) {
	if a.tr == nil || a.closed {
		return
	}
	if a.fault == nil && a.codec != nil && ctx.Err() == nil {
		msgs := a.codec.Finished(e)
		sctx, cancel := context.WithTimeout(ctx, a.opt.FinishTimeout)
		_ = a.tr.Send(sctx, msgs...) // the agent is leaving anyway
		cancel()
	}
	a.closeTransport(a.fault != nil || ctx.Err() != nil)
}

// Fault returns the agent's first fault, nil if none.
func (a *Agent) Fault() error { return a.fault }
