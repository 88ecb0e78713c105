package protocol

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/parleyhq/parley"
)

// ErrEnded is returned by Step, Instruct and Timeout once the negotiation
// has ended.
var ErrEnded = errors.New("protocol: negotiation has ended")

// NoActor is the Actor of events that no actor caused (start, end, a clause
// agreed because every party accepted it) and Result.By when nobody walked
// away or broke the protocol.
const NoActor = -2

// MaxRounds bounds deadlines (and each extension) so that round and step
// counts never overflow.
const MaxRounds = 1 << 24

// Protocol is a negotiation protocol as a deterministic state machine. It
// starts no goroutines, reads no clock and draws no random numbers: the
// caller asks Next whose turn it is, hands the actor's answer to Step, and
// drains Events. See the package documentation for the loop.
//
// A Protocol is not safe for concurrent use.
type Protocol interface {
	// Next returns the turn to ask next: whose turn, what kind, the
	// standing offer or text, the round, the relative time, the
	// instructions pending for that actor and the history. It has no
	// effect on the state: calling it twice returns the same turn.
	// ok is false once the negotiation has ended.
	Next() (t parley.Turn, ok bool)
	// Step applies the action of the actor whose turn it is. An invalid
	// action (wrong actor, wrong kind for the turn, malformed outcome or
	// answers) is recorded, ends the negotiation with EndState Broken and
	// returns an error with code EINVALID saying what was wrong. Step
	// after the end returns ErrEnded.
	Step(a parley.Action) error
	// Instruct records an instruction from principal faction of party to
	// the party's delegate. Structural effects (mediated protocol:
	// reopening a clause, a precondition, a recall) apply at once; every
	// instruction is also delivered in the delegate's next
	// Turn.Instructions. An invalid instruction (party, faction, issue or
	// option out of range) returns EINVALID and changes nothing; after
	// the end it returns ErrEnded.
	Instruct(party, faction int, in parley.Instruction) error
	// Timeout ends the negotiation at the wall-clock deadline (the runner
	// owns the clock and calls it); it records a "timeout" event and ends
	// with EndState Deadline. After the end it returns ErrEnded.
	Timeout() error
	// DiscardEvents stops keeping events: Events returns nil from now on
	// (sequence numbers still advance). Runners that write no transcript
	// (Monte Carlo, tournaments) call it first to save the allocations.
	DiscardEvents()
	// Events drains the events produced since the last call, in order.
	Events() []Event
	// Result is the current result (End == Running until it ends).
	Result() Result
}

// Result is the outcome of a negotiation so far.
type Result struct {
	End parley.EndState `json:"end"`
	// Agreement is the agreed outcome, nil unless End is Agreement. In the
	// mediated protocol, issues left off the agenda hold their status-quo
	// option.
	Agreement parley.Outcome `json:"agreement,omitempty"`
	// Rounds is the number of rounds started.
	Rounds int `json:"rounds"`
	// Steps counts the valid actions applied.
	Steps int `json:"steps"`
	// Offers counts offers (SAO: ActOffer) or texts (mediated: ActText).
	Offers int `json:"offers"`
	// By is the actor who walked away or broke the protocol
	// (parley.MediatorActor for the mediator), else NoActor.
	By int `json:"by"`
	// Why says in a line why the negotiation ended.
	Why string `json:"why,omitempty"`
}

// Event types.
const (
	EvStart              = "start"
	EvAction             = "action"
	EvClause             = "clause"
	EvInstruction        = "instruction"
	EvAgenda             = "agenda"
	EvExtend             = "extend"
	EvRecall             = "recall"
	EvRatificationFailed = "ratification_failed"
	EvTimeout            = "timeout"
	EvEnd                = "end"
)

// Event is one record of a transcript. Inputs are events too ("action",
// "instruction", "timeout"), so that a transcript can be replayed.
type Event struct {
	// Seq numbers the events of a negotiation from 0.
	Seq int `json:"seq"`
	// Round (0-based) is the round the event happened in; Day (0-based)
	// and Hour (hours into that day's session) place it on the calendar
	// of the mediated protocol (both 0 for SAO).
	Round int     `json:"round"`
	Day   int     `json:"day,omitempty"`
	Hour  float64 `json:"hour,omitempty"`
	Type  string  `json:"type"`
	// Actor is who acted or caused the event: a party, the mediator
	// (parley.MediatorActor) or NoActor.
	Actor int `json:"actor"`
	// Faction indexes the principal of an "instruction" in the party's
	// Principals.
	Faction     int                 `json:"faction,omitempty"`
	Action      *parley.Action      `json:"action,omitempty"`
	Clause      *ClauseChange       `json:"clause,omitempty"`
	Instruction *parley.Instruction `json:"instruction,omitempty"`
	Result      *Result             `json:"result,omitempty"`
	Note        string              `json:"note,omitempty"`
}

// ClauseChange is a move of one clause of the single negotiating text.
type ClauseChange struct {
	Issue int                `json:"issue"`
	From  parley.ClauseState `json:"from"`
	To    parley.ClauseState `json:"to"`
	// Option is the clause's option after the change (−1: blank).
	Option int    `json:"option"`
	Why    string `json:"why,omitempty"`
}

// Config is a protocol's configuration: SAOConfig or MediatedConfig.
type Config interface {
	// Name is the protocol's name in transcripts: "sao" or "mediated".
	Name() string
	// New builds the protocol on m.
	New(m *parley.Model) (Protocol, error)
}

// base holds what both protocols share: the model, the event log, the
// history, the pending instructions and the result.
type base struct {
	m       *parley.Model
	events  []Event
	seq     int
	history []parley.Action
	pending [][]parley.Instruction
	res     Result
	round   int
	clock   func(round int) (day int, hour float64)
	discard bool
	// ints and acts are arenas for the copies of outcomes and actions the
	// history keeps: one allocation per few thousand steps, not per step.
	ints []int
	acts []parley.Action
}

func newBase(m *parley.Model) base {
	return base{
		m:       m,
		pending: make([][]parley.Instruction, len(m.Parties)),
		res:     Result{By: NoActor},
		clock:   func(int) (int, float64) { return 0, 0 },
	}
}

func (b *base) emit(ev Event) {
	ev.Seq = b.seq
	b.seq++
	if b.discard {
		return
	}
	ev.Round = b.round
	ev.Day, ev.Hour = b.clock(b.round)
	b.events = append(b.events, ev)
}

// DiscardEvents implements Protocol.
func (b *base) DiscardEvents() { b.discard = true; b.events = nil }

// Events implements Protocol.
func (b *base) Events() []Event {
	ev := b.events
	b.events = nil
	return ev
}

// Result implements Protocol.
func (b *base) Result() Result {
	r := b.res
	r.Agreement = clone(r.Agreement)
	return r
}

func (b *base) ended() bool { return b.res.End != parley.Running }

func (b *base) finish(end parley.EndState, by int, why string) {
	b.res.End = end
	b.res.By = by
	b.res.Why = why
	b.res.Rounds = b.round + 1
	r := b.Result()
	b.emit(Event{Type: EvEnd, Actor: NoActor, Result: &r})
}

// record logs a valid action: an "action" event, the history, and the
// delivery of the actor's pending instructions.
func (b *base) record(a parley.Action) {
	a = b.copyAction(a)
	b.history = append(b.history, a)
	b.emit(Event{Type: EvAction, Actor: a.Actor, Action: b.stash(a)})
	if a.Actor >= 0 && a.Actor < len(b.pending) {
		b.pending[a.Actor] = nil
	}
	b.res.Steps++
}

// broken logs an invalid action and ends the negotiation. by is the actor
// whose turn it was.
func (b *base) broken(by int, a parley.Action, err error) error {
	a = b.copyAction(a)
	msg := strings.TrimPrefix(parley.ErrorMessage(err), "protocol: ")
	b.emit(Event{Type: EvAction, Actor: a.Actor, Action: &a, Note: "invalid: " + msg})
	b.finish(parley.Broken, by, msg)
	return err
}

// Timeout implements Protocol.
func (b *base) Timeout() error {
	if b.ended() {
		return ErrEnded
	}
	b.emit(Event{Type: EvTimeout, Actor: NoActor, Note: "wall-clock deadline"})
	b.finish(parley.Deadline, NoActor, "wall-clock deadline passed")
	return nil
}

// instruct validates and records an instruction; it returns the
// instruction with its principal's name filled in.
func (b *base) instruct(party, faction int, in parley.Instruction) (parley.Instruction, error) {
	if b.ended() {
		return in, ErrEnded
	}
	if party < 0 || party >= len(b.m.Parties) {
		return in, invalid("instruction to party %d: no such party (%d parties)", party, len(b.m.Parties))
	}
	pm := &b.m.Parties[party]
	if faction < 0 || faction >= len(pm.Principals) {
		return in, invalid("instruction to %s from faction %d: no such principal (%d)", pm.Name, faction, len(pm.Principals))
	}
	in.Principal = pm.Principals[faction].Name
	switch in.Kind {
	case parley.RaiseFloor, parley.LowerFloor:
		if math.IsNaN(in.Delta) || math.IsInf(in.Delta, 0) {
			return in, invalid("%s instruction: delta must be finite, got %v", in.Kind, in.Delta)
		}
	case parley.ReopenClause, parley.AddPrecondition:
		if in.Issue < 0 || in.Issue >= len(b.m.Sizes) {
			return in, invalid("%s instruction: issue %d out of range (%d issues)", in.Kind, in.Issue, len(b.m.Sizes))
		}
		if in.Kind == parley.AddPrecondition && (in.Option < 0 || in.Option >= b.m.Sizes[in.Issue]) {
			return in, invalid("%s instruction: option %d out of range for issue %s (%d options)", in.Kind, in.Option, b.issue(in.Issue), b.m.Sizes[in.Issue])
		}
	case parley.Recall:
		if in.Rounds < 0 {
			return in, invalid("recall instruction: rounds must not be negative, got %d", in.Rounds)
		}
	default:
		return in, invalid("unknown instruction kind %d", in.Kind)
	}
	c := in
	b.emit(Event{Type: EvInstruction, Actor: party, Faction: faction, Instruction: &c})
	b.pending[party] = append(b.pending[party], in)
	return in, nil
}

// checkOutcome checks that o has one valid option per issue (or −1 where
// blanks are allowed).
func (b *base) checkOutcome(o parley.Outcome, blank bool) error {
	if len(o) != len(b.m.Sizes) {
		return fmt.Errorf("outcome has %d entries, want %d (one per issue)", len(o), len(b.m.Sizes))
	}
	for i, k := range o {
		if k == -1 && blank {
			continue
		}
		if k < 0 || k >= b.m.Sizes[i] {
			if k == -1 {
				return fmt.Errorf("issue %s is blank; an offer must be complete", b.issue(i))
			}
			return fmt.Errorf("issue %s: option %d out of range (%d options)", b.issue(i), k, b.m.Sizes[i])
		}
	}
	return nil
}

// ratify checks o against every party's model (its principals under its
// rule, red lines, reservations) and third-party consent. It emits one
// "ratification_failed" event per failing party (and one for each
// withholding third party) and reports whether all passed.
func (b *base) ratify(o parley.Outcome) bool {
	ok := true
	for i := range b.m.Parties {
		pm := &b.m.Parties[i]
		if pm.Accepts(o) {
			continue
		}
		ok = false
		b.emit(Event{Type: EvRatificationFailed, Actor: i, Note: fmt.Sprintf("%s does not ratify: %s", pm.Name, rejections(pm, o))})
	}
	for j, r := range b.m.Infeasible {
		if r.Contains(o) {
			ok = false
			b.emit(Event{Type: EvRatificationFailed, Actor: NoActor, Note: fmt.Sprintf("needs %s, which does not consent", b.m.InfeasibleWhy[j])})
		}
	}
	return ok
}

// rejections says why each of pm's principals rejects o.
func rejections(pm *parley.PartyModel, o parley.Outcome) string {
	var why []string
	for j := range pm.Principals {
		p := &pm.Principals[j]
		if p.Accepts(o) {
			continue
		}
		var w string
		for k, r := range p.RedLines {
			if r.Contains(o) {
				w = "red line " + p.RedLineName[k]
				break
			}
		}
		if w == "" {
			w = fmt.Sprintf("utility %.3g <= reservation %.3g", p.Utility.F(p.Utility.Eval(o)), p.Utility.F(p.Reservation))
		}
		if pm.Delegation {
			w = p.Name + ": " + w
		}
		why = append(why, w)
	}
	if pm.Delegation {
		return fmt.Sprintf("%s under %s", strings.Join(why, "; "), pm.Rule.Kind)
	}
	return strings.Join(why, "; ")
}

func (b *base) issue(i int) string {
	if i >= 0 && i < len(b.m.Scenario.Issues) {
		return b.m.Scenario.Issues[i].Name
	}
	return fmt.Sprint(i)
}

func (b *base) actorName(a int) string {
	switch {
	case a == parley.MediatorActor:
		return "the mediator"
	case a >= 0 && a < len(b.m.Parties):
		return b.m.Parties[a].Name
	}
	return fmt.Sprintf("actor %d", a)
}

// turnHistory returns the history for a Turn; the capacity is clipped so
// that an agent appending to it cannot write into ours.
func (b *base) turnHistory() []parley.Action {
	return b.history[:len(b.history):len(b.history)]
}

func (b *base) turnInstructions(actor int) []parley.Instruction {
	if actor < 0 || actor >= len(b.pending) || len(b.pending[actor]) == 0 {
		return nil
	}
	return append([]parley.Instruction(nil), b.pending[actor]...)
}

func invalid(format string, args ...any) error {
	return parley.Errorf(parley.EINVALID, "protocol: "+format, args...)
}

func clone(o parley.Outcome) parley.Outcome {
	if o == nil {
		return nil
	}
	return append(parley.Outcome(nil), o...)
}

// keep copies o into the outcome arena. The copy's capacity is its
// length, so appending to it never touches its neighbours.
func (b *base) keep(o parley.Outcome) parley.Outcome {
	if o == nil {
		return nil
	}
	if cap(b.ints)-len(b.ints) < len(o) {
		b.ints = make([]int, 0, max(4096, len(o)))
	}
	k := len(b.ints)
	b.ints = append(b.ints, o...)
	return b.ints[k:len(b.ints):len(b.ints)]
}

// stash keeps a copy of a for an event, unless events are discarded.
func (b *base) stash(a parley.Action) *parley.Action {
	if b.discard {
		return nil
	}
	if len(b.acts) == cap(b.acts) {
		b.acts = make([]parley.Action, 0, 256)
	}
	b.acts = append(b.acts, a)
	return &b.acts[len(b.acts)-1]
}

func (b *base) copyAction(a parley.Action) parley.Action {
	a.Outcome = b.keep(a.Outcome)
	if a.Answers != nil {
		a.Answers = append([]parley.ClauseAnswer(nil), a.Answers...)
	}
	if a.Instruction != nil {
		in := *a.Instruction
		a.Instruction = &in
	}
	return a
}

func kindIn(k parley.ActionKind, ks ...parley.ActionKind) bool {
	for _, x := range ks {
		if k == x {
			return true
		}
	}
	return false
}
