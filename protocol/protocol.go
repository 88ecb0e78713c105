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

// A Deadliner reports its deadline in rounds now, extensions included.
// The built-in protocols implement it.
type Deadliner interface {
	Deadline() int
}

// Protocol is a negotiation protocol as a deterministic state machine. It
// starts no goroutines, reads no clock and draws no random numbers: the
// caller asks Next whose turn it is, hands the actor's answer to Step, and
// drains Events. See the package documentation for the loop.
//
// Every event carries an Audience (who may see it); the protocol decides
// it, and a seat's view is computed from the events it may see (package
// session does it for runners and servers).
//
// A Protocol is not safe for concurrent use.
type Protocol interface {
	// Next returns the turn to ask next: whose turn, what kind, the
	// standing offer or text, the round and the relative time — what is
	// public. It leaves Turn.History and Turn.Instructions empty: they
	// depend on who asks and come from the actor's view. It has no effect
	// on the state: calling it twice returns the same turn. ok is false
	// once the negotiation has ended.
	Next() (t parley.Turn, ok bool)
	// Check reports whether Step would accept a, without changing
	// anything: nil, or an EINVALID error saying what is wrong (ErrEnded
	// after the end). Runners call it for people and remote agents, whose
	// mistakes are refused rather than recorded.
	Check(a parley.Action) error
	// Step applies the action of the actor whose turn it is. An invalid
	// action (wrong actor, wrong kind for the turn, malformed outcome or
	// answers) is recorded, ends the negotiation with EndState Broken and
	// returns an error with code EINVALID saying what was wrong. Step
	// after the end returns ErrEnded.
	Step(a parley.Action) error
	// Instruct records an instruction from principal faction of party to
	// the party's delegate (an "instruction" event for the delegation).
	// Structural effects (mediated protocol: reopening a clause, a
	// precondition, a recall) apply at once; the delegate finds the
	// instruction in its view. An invalid instruction (party, faction,
	// issue or option out of range) returns EINVALID and changes nothing;
	// after the end it returns ErrEnded.
	Instruct(party, faction int, in parley.Instruction) error
	// Caucus records a message between party and the mediator: from is
	// the party or parley.MediatorActor. The "caucus" event's audience is
	// the caucus (the party's side and the mediator). It changes nothing
	// else. A protocol without a mediator, a bad party, an empty message
	// or one longer than MaxMessage returns EINVALID; after the end
	// ErrEnded.
	Caucus(party, from int, msg string) error
	// Timeout ends the negotiation at the wall-clock deadline (the runner
	// owns the clock and calls it); it records a "timeout" event and ends
	// with EndState Deadline. After the end it returns ErrEnded.
	Timeout() error
	// Lapse ends the turn of actor (whose turn it must be) without an
	// action, because its time ran out (the runner owns the clock and
	// calls it): a public "lapse" event, and what a turn let pass means in
	// the protocol — in alternating offers it rejects the standing offer
	// without a counter-offer (the next party proposes); in the mediated protocol a
	// party's answer counts as accepting nothing, and the mediator's
	// lapse ends the round without a new text. Rounds still count towards
	// the deadline. An actor whose turn it is not is EINVALID; after the
	// end it returns ErrEnded.
	Lapse(actor int) error
	// Fail ends the negotiation because actor's agent failed (it crashed,
	// lost its connection, returned an error): an "agent_error" event
	// naming the fault, and EndState AgentError with Result.By = actor.
	// actor is a party, parley.MediatorActor, or NoActor when no single
	// actor is to blame. After the end it returns ErrEnded.
	Fail(actor int, why string) error
	// Events drains the events produced since the last call, in order,
	// into a new slice the caller owns.
	Events() []Event
	// Ready returns the events produced since the last Advance (or
	// Events), in order, without copying them, as raft's RawNode.Ready
	// does: the slice is the protocol's buffer, valid until the next
	// Advance; the events themselves (and what they point to) stay valid.
	Ready() []Event
	// Advance acknowledges the events Ready returned: the buffer is
	// reused for the next ones.
	Advance()
	// Actions returns every valid action so far, oldest first — the
	// actions of the "action" events, which point into it. It is the
	// protocol's record: callers must not modify it (or append to it
	// without clipping its capacity).
	Actions() []parley.Action
	// Result is the current result (End == Running until it ends).
	Result() Result
}

// A Forgetter is a Protocol that can stop keeping what it has recorded.
// After Forget, Actions holds only the latest action, and what an event
// points to (its Action, that action's outcome) stays valid only until
// the next action is recorded — the standing offer always does. A runner
// that keeps no events and hands its agents no history (package session:
// Config.Discard with history-free agents) calls it before the first step,
// so that a negotiation runs in constant memory however long it lasts.
// Alternating offers (SAO) implements it.
type Forgetter interface {
	Protocol
	Forget()
}

// MaxMessage bounds a caucus message, in bytes.
const MaxMessage = 64 << 10

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

// EventType names what an event records.
type EventType string

// Event types. Inputs are "action", "instruction", "caucus", "timeout",
// "lapse" and "agent_error"; the others follow from them.
const (
	EvStart              EventType = "start"
	EvAction             EventType = "action"
	EvClause             EventType = "clause"
	EvInstruction        EventType = "instruction"
	EvAgenda             EventType = "agenda"
	EvExtend             EventType = "extend"
	EvRecall             EventType = "recall"
	EvRatificationFailed EventType = "ratification_failed"
	EvCaucus             EventType = "caucus"
	EvTimeout            EventType = "timeout"
	EvLapse              EventType = "lapse"
	EvAgentError         EventType = "agent_error"
	EvEnd                EventType = "end"
	// EvReason records why an actor did what it did, as its agent said
	// (parley.Action.Reason), in Note. It follows the actor's "action"
	// event at once. A reason is the actor's private reasoning — a
	// built-in agent's names its own utilities, targets and floors — so
	// only the actor's own side sees it: a party's delegation (its
	// negotiator and principals), or the mediator's seat. Recorded
	// actions carry no reason; SubmittedAction puts it back.
	EvReason EventType = "reason"
)

// String returns the type's name.
func (t EventType) String() string { return string(t) }

// Event is one record of a transcript. Inputs are events too ("action",
// "instruction", "caucus", "timeout", "agent_error"), so that a transcript
// can be replayed.
type Event struct {
	// Seq numbers the events of a negotiation from 0.
	Seq int `json:"seq"`
	// Round (0-based) is the round the event happened in; Day (0-based)
	// and Hour (hours into that day's session) place it on the calendar
	// of the mediated protocol (both 0 for SAO).
	Round int       `json:"round"`
	Day   int       `json:"day,omitempty"`
	Hour  float64   `json:"hour,omitempty"`
	Type  EventType `json:"type"`
	// Audience says who may see the event: "everyone", "caucus:P" (party
	// P's side and the mediator), "delegation:P" (party P's negotiator and
	// principals) or one seat ("party:P", "mediator", "principal:P:F").
	// Protocols set it on every event; events of transcripts written
	// before it existed read as unset and count as public.
	Audience parley.Audience `json:"audience"`
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
	// Message is what was said in a "caucus" event.
	Message string `json:"message,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Visible reports whether seat s may see the event.
func (ev *Event) Visible(s parley.Seat) bool { return ev.Audience.Includes(s) }

// ClauseChange is a move of one clause of the single negotiating text.
type ClauseChange struct {
	Issue int                `json:"issue"`
	From  parley.ClauseState `json:"from"`
	To    parley.ClauseState `json:"to"`
	// Option is the clause's option after the change (−1: blank).
	Option int    `json:"option"`
	Why    string `json:"why,omitempty"`
}

// Peeker is implemented by a protocol whose Next copies part of the turn
// (the mediated protocol's text) for the caller to keep: Peek returns the
// turn Next would, that part shared with the protocol, for callers that
// only look (whose move, the round, the time) and keep nothing.
type Peeker interface {
	Peek() (t parley.Turn, ok bool)
}

// Peek returns p's next turn as Next does, without copying what the turn
// shows when p is a Peeker: the caller must neither modify nor keep the
// turn's Text or Offer.
func Peek(p Protocol) (parley.Turn, bool) {
	if pk, ok := p.(Peeker); ok {
		return pk.Peek()
	}
	return p.Next()
}

// Config is a protocol's configuration: SAOConfig or MediatedConfig.
type Config interface {
	// Name is the protocol's name in transcripts.
	Name() parley.ProtocolName
	// New builds the protocol on m.
	New(m *parley.Model) (Protocol, error)
	// DeadlineRounds is the deadline in rounds before any extension (what
	// agents are told in parley.Session.Rounds).
	DeadlineRounds() int
}

// base holds what both protocols share: the model, the event buffer and
// the result.
type base struct {
	m      *parley.Model
	events []Event
	seq    int
	res    Result
	round  int
	clock  func(round int) (day int, hour float64)
	// actions are the valid actions recorded (Actions), ints an arena for
	// the copies of their outcomes: one allocation per few thousand steps,
	// not per step.
	actions []parley.Action
	ints    []int
	// about is the first capacity of actions, allocated with the first
	// action. forget keeps only the latest action (Forgetter), and the
	// outcomes of the latest two in spare, used in turn.
	about  int
	forget bool
	spare  [2]parley.Outcome
	flip   int
}

// firstActions caps the first capacity of a protocol's action log: 16
// actions (1.7 KB), for a live session idles on its log; the doubling
// takes a long run past it in a few copies.
const firstActions = 16

// newBase returns the shared state of a protocol on m; about is the
// number of actions to expect. The log's first capacity (allocated with
// the first action) is that, up to firstActions: a live session waiting for people with a deadline of
// thousands of rounds would otherwise hold megabytes of empty log, and
// appending doubles the capacity when a long negotiation needs it.
func newBase(m *parley.Model, about int) base {
	return base{
		m:     m,
		res:   Result{By: NoActor},
		clock: func(int) (int, float64) { return 0, 0 },
		about: max(min(about, firstActions), 8),
	}
}

// emit numbers ev, places it in time and buffers it. Every event must say
// who may see it: an event without an audience is a bug in the protocol.
func (b *base) emit(ev Event) {
	if ev.Audience.Kind == parley.AudienceUnset {
		panic(fmt.Sprintf("protocol: %s event without an audience", ev.Type))
	}
	ev.Seq = b.seq
	b.seq++
	ev.Round = b.round
	ev.Day, ev.Hour = b.clock(b.round)
	b.events = append(b.events, ev)
}

// public is the audience of what everyone sees.
var public = parley.ToEveryone()

// Events implements Protocol.
func (b *base) Events() []Event {
	if len(b.events) == 0 {
		return nil
	}
	ev := append([]Event(nil), b.events...)
	b.events = b.events[:0]
	return ev
}

// Ready implements Protocol.
func (b *base) Ready() []Event { return b.events }

// Advance implements Protocol.
func (b *base) Advance() { b.events = b.events[:0] }

// Actions implements Protocol.
func (b *base) Actions() []parley.Action { return b.actions }

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
	b.emit(Event{Type: EvEnd, Audience: public, Actor: NoActor, Result: &r})
}

// actionAudience says who sees an action: a party's answer to the
// mediator's text is between it and the mediator (a caucus); every other
// action (offers, acceptances, texts, extensions, walking out) happens in
// front of everyone.
func actionAudience(a parley.Action) parley.Audience {
	if a.Kind == parley.ActAnswer && a.Actor >= 0 {
		return parley.ToCaucus(a.Actor)
	}
	return public
}

// record logs a valid action as an "action" event and returns the
// recorded copy. The event points into the actions log; when the log
// grows, earlier events keep pointing at their (unchanged) copies.
func (b *base) record(a parley.Action) *parley.Action {
	why := a.Reason
	a.Reason = ""
	switch {
	case b.forget:
		b.actions = b.actions[:0]
		if cap(b.actions) == 0 {
			b.actions = make([]parley.Action, 0, 1)
		}
	case cap(b.actions) == 0:
		b.actions = make([]parley.Action, 0, b.about)
	case len(b.actions) == cap(b.actions):
		// Double, rather than append's 1.25 for large slices: a long
		// negotiation copies its log a few times, not dozens.
		b.actions = append(make([]parley.Action, 0, 2*cap(b.actions)), b.actions...)
	}
	b.actions = append(b.actions, b.copyAction(a))
	rec := &b.actions[len(b.actions)-1]
	b.emit(Event{Type: EvAction, Audience: actionAudience(a), Actor: a.Actor, Action: rec})
	b.reason(a.Actor, why)
	b.res.Steps++
	return rec
}

// reasonAudience is who may see an actor's reasons: its own side only (a
// party's delegation, the mediator's seat). ok is false for an actor that
// has no side (no such party), whose reason is dropped.
func reasonAudience(actor, parties int) (aud parley.Audience, ok bool) {
	switch {
	case actor == parley.MediatorActor:
		return parley.ToSeat(parley.MediatorSeat()), true
	case actor >= 0 && actor < parties:
		return parley.ToDelegation(actor), true
	}
	return parley.Audience{}, false
}

// reason records why actor acted, for its own side's eyes only.
func (b *base) reason(actor int, why string) {
	if why == "" {
		return
	}
	if aud, ok := reasonAudience(actor, len(b.m.Parties)); ok {
		b.emit(Event{Type: EvReason, Audience: aud, Actor: actor, Note: why})
	}
}

// SubmittedAction returns the action of the "action" event events[i] as
// its actor submitted it: with the reason that the protocol recorded apart
// (the "reason" event right after it). Replaying a transcript or
// restoring a session submits it again.
func SubmittedAction(events []Event, i int) parley.Action {
	a := *events[i].Action
	if i+1 < len(events) && events[i+1].Type == EvReason && events[i+1].Actor == a.Actor {
		a.Reason = events[i+1].Note
	}
	return a
}

// broken logs an invalid action and ends the negotiation. by is the actor
// whose turn it was.
func (b *base) broken(by int, a parley.Action, err error) error {
	a = b.copyAction(a)
	why := a.Reason
	a.Reason = ""
	msg := strings.TrimPrefix(parley.ErrorMessage(err), "protocol: ")
	aud := public
	if a.Actor >= 0 && a.Actor < len(b.m.Parties) {
		aud = actionAudience(a)
	}
	b.emit(Event{Type: EvAction, Audience: aud, Actor: a.Actor, Action: &a, Note: invalidNote + msg})
	b.reason(a.Actor, why)
	b.finish(parley.Broken, by, msg)
	return err
}

// Timeout implements Protocol.
func (b *base) Timeout() error {
	if b.ended() {
		return ErrEnded
	}
	b.emit(Event{Type: EvTimeout, Audience: public, Actor: NoActor, Note: "wall-clock deadline"})
	b.finish(parley.Deadline, NoActor, "wall-clock deadline passed")
	return nil
}

// lapse records that actor's turn lapsed; who is whose turn it is.
func (b *base) lapse(actor, who int) error {
	if b.ended() {
		return ErrEnded
	}
	if actor != who {
		return invalid("lapse of %s's turn, but it is %s's turn", b.actorName(actor), b.actorName(who))
	}
	b.emit(Event{Type: EvLapse, Audience: public, Actor: actor, Note: b.actorName(actor) + " did not act in time"})
	return nil
}

// Fail implements Protocol.
func (b *base) Fail(actor int, why string) error {
	if b.ended() {
		return ErrEnded
	}
	if actor != NoActor && actor != parley.MediatorActor && (actor < 0 || actor >= len(b.m.Parties)) {
		return invalid("agent error of actor %d: no such actor (%d parties)", actor, len(b.m.Parties))
	}
	if why == "" {
		why = "the agent failed"
	}
	b.emit(Event{Type: EvAgentError, Audience: public, Actor: actor, Note: why})
	b.finish(parley.AgentError, actor, why)
	return nil
}

// caucus records a caucus message between party and the mediator.
func (b *base) caucus(party, from int, msg string) error {
	if b.ended() {
		return ErrEnded
	}
	if party < 0 || party >= len(b.m.Parties) {
		return invalid("caucus with party %d: no such party (%d parties)", party, len(b.m.Parties))
	}
	if from != party && from != parley.MediatorActor {
		return invalid("caucus with %s: only %s and the mediator write in it, not %s", b.actorName(party), b.actorName(party), b.actorName(from))
	}
	if strings.TrimSpace(msg) == "" {
		return invalid("caucus with %s: empty message", b.actorName(party))
	}
	if len(msg) > MaxMessage {
		return invalid("caucus with %s: message of %d bytes, at most %d", b.actorName(party), len(msg), MaxMessage)
	}
	b.emit(Event{Type: EvCaucus, Audience: parley.ToCaucus(party), Actor: from, Message: msg})
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
	b.emit(Event{Type: EvInstruction, Audience: parley.ToDelegation(party), Actor: party, Faction: faction, Instruction: &c})
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
// rule, red lines, reservations) and third-party consent, and reports
// whether all passed. For each failing party it emits two
// "ratification_failed" events: a public one saying that the party does
// not ratify, and one for the party's delegation saying why (which
// factions, red lines or reservation values): the reasons are the
// party's own confidential preferences. A withholding third party is
// public.
func (b *base) ratify(o parley.Outcome) bool {
	ok := true
	for i := range b.m.Parties {
		pm := &b.m.Parties[i]
		if pm.Accepts(o) {
			continue
		}
		ok = false
		b.emit(Event{Type: EvRatificationFailed, Audience: public, Actor: i, Note: pm.Name + " does not ratify"})
		b.emit(Event{Type: EvRatificationFailed, Audience: parley.ToDelegation(i), Actor: i, Note: fmt.Sprintf("%s does not ratify: %s", pm.Name, rejections(pm, o))})
	}
	for j, r := range b.m.Infeasible {
		if r.Contains(o) {
			ok = false
			b.emit(Event{Type: EvRatificationFailed, Audience: public, Actor: NoActor, Note: fmt.Sprintf("needs %s, which does not consent", b.m.InfeasibleWhy[j])})
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
// length, so appending to it never touches its neighbours. The arena's
// blocks double from 64 to 4096 ints: a short negotiation allocates
// little, a long one once per few thousand steps.
func (b *base) keep(o parley.Outcome) parley.Outcome {
	if o == nil {
		return nil
	}
	if b.forget {
		// The latest outcome (the standing offer) stays valid: the copy
		// goes to the spare that does not hold it.
		b.flip ^= 1
		b.spare[b.flip] = append(b.spare[b.flip][:0], o...)
		return b.spare[b.flip][:len(o):len(o)]
	}
	if cap(b.ints)-len(b.ints) < len(o) {
		b.ints = make([]int, 0, max(min(2*cap(b.ints), 4096), 64, len(o)))
	}
	k := len(b.ints)
	b.ints = append(b.ints, o...)
	return b.ints[k:len(b.ints):len(b.ints)]
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
