package parley

import (
	"context"
	"math/rand/v2"
	"time"
)

// This file holds the types shared by protocols, agents and the session
// driver that runs them. Protocols are pure state machines (package
// protocol): the driver (package session) asks a protocol whose turn it is
// (a Turn), fills in what that actor may see (its view: the events whose
// audience includes its seat), asks the actor's Agent for an Action — or
// waits for a person or a remote agent to submit one — and steps the
// protocol with it. Agents never see the protocol; protocols never call
// agents.

// MediatorActor is the actor index of the mediator; parties are 0, 1, ...
const MediatorActor = -1

// TurnKind says what an actor is asked to do.
type TurnKind int

// Turn kinds.
const (
	// TurnPropose: make the first offer (or, in stacked alternating offers
	// with no standing offer, any offer). Valid answers: ActOffer, ActWalkAway.
	TurnPropose TurnKind = iota
	// TurnRespond: accept the standing offer or replace it. Valid answers:
	// ActAccept, ActOffer, ActWalkAway.
	TurnRespond
	// TurnText: the mediator proposes or revises the single negotiating
	// text. Valid answers: ActText, ActExtend, ActAgenda, ActReview (after
	// which the mediator still writes the text), ActEnd.
	TurnText
	// TurnAnswer: a party answers the text clause by clause. Valid answers:
	// ActAnswer, ActWalkAway.
	TurnAnswer
)

// String names the turn kind.
func (k TurnKind) String() string {
	if int(k) < 0 || int(k) >= len(turnNames) {
		return "unknown"
	}
	return turnNames[k]
}

// ActionKind says what an action does.
type ActionKind int

// Action kinds.
const (
	ActOffer       ActionKind = iota // propose Outcome (complete: one option per issue)
	ActAccept                        // accept the standing offer
	ActWalkAway                      // leave the negotiation: it ends without agreement
	ActText                          // the mediator's text: Outcome with −1 for blank clauses
	ActAnswer                        // a party's answer: Answers, one per issue
	ActInstruction                   // a principal instructs its delegate: Instruction
	ActExtend                        // extend the deadline by Rounds (mediator, or agreed)
	ActEnd                           // the mediator closes the session without agreement
	ActAgenda                        // the mediator puts Issue on the agenda (its clause opens blank)
	ActReview                        // the mediator puts the agreed clause of Issue under review
)

// String names the action kind as written in transcripts.
func (k ActionKind) String() string {
	if int(k) < 0 || int(k) >= len(actionNames) {
		return "unknown"
	}
	return actionNames[k]
}

// ClauseAnswer is a party's answer to one clause of a text.
type ClauseAnswer int

// Clause answers.
const (
	AnswerNone   ClauseAnswer = iota // no answer (blank clause, or issue off the agenda)
	AnswerAccept                     // the clause as written is acceptable
	AnswerReject                     // the clause as written is not acceptable
	AnswerReopen                     // reopen a clause already agreed
)

// String names the answer.
func (a ClauseAnswer) String() string {
	if int(a) < 0 || int(a) >= len(answerNames) {
		return "unknown"
	}
	return answerNames[a]
}

// InstructionKind names what a principal tells its delegate.
type InstructionKind int

// Instruction kinds.
const (
	RaiseFloor      InstructionKind = iota // raise the acceptance floor by Delta
	LowerFloor                             // lower the acceptance floor by Delta
	ReopenClause                           // reopen the clause of Issue
	AddPrecondition                        // put Issue on the agenda with Option required
	Recall                                 // recall the delegate for consultation for Rounds
)

// String names the instruction kind.
func (k InstructionKind) String() string {
	if int(k) < 0 || int(k) >= len(instrNames) {
		return "unknown"
	}
	return instrNames[k]
}

// Instruction is a message from a principal (a faction) to the delegate of
// its delegation. It is an event in the transcript.
type Instruction struct {
	Principal string          `json:"principal"`
	Kind      InstructionKind `json:"kind"`
	Delta     float64         `json:"delta,omitempty"`  // floors
	Issue     int             `json:"issue,omitempty"`  // reopen, precondition
	Option    int             `json:"option,omitempty"` // precondition
	Rounds    int             `json:"rounds,omitempty"` // recall
}

// Action is what an actor does on its turn.
type Action struct {
	Actor       int            `json:"actor"`
	Kind        ActionKind     `json:"kind"`
	Outcome     Outcome        `json:"outcome,omitempty"`
	Answers     []ClauseAnswer `json:"answers,omitempty"`
	Instruction *Instruction   `json:"instruction,omitempty"`
	Rounds      int            `json:"rounds,omitempty"`
	// Issue is the issue an ActAgenda or ActReview is about.
	Issue  int    `json:"issue,omitempty"`
	Reason string `json:"reason,omitempty"` // a short why, for transcripts
}

// ClauseState is where a clause of a single negotiating text stands.
// Allowed moves: open → proposed → agreed → final; agreed → reopened →
// under review → proposed; proposed → open (the mediator blanks it).
type ClauseState int

// Clause states.
const (
	ClauseOpen ClauseState = iota
	ClauseProposed
	ClauseAgreed
	ClauseReopened
	ClauseUnderReview
	ClauseFinal
)

// String names the clause state.
func (s ClauseState) String() string {
	if int(s) < 0 || int(s) >= len(clauseNames) {
		return "unknown"
	}
	return clauseNames[s]
}

// Clause is one issue's place in a single negotiating text.
type Clause struct {
	Issue    int         `json:"issue"`
	Option   int         `json:"option"` // −1: blank
	State    ClauseState `json:"state"`
	OnAgenda bool        `json:"on_agenda"`
}

// Turn is what the runner hands an agent: whose turn it is, what is asked,
// and what the agent may see. Agents must treat it as read-only.
type Turn struct {
	Actor int      `json:"actor"`
	Kind  TurnKind `json:"kind"`
	Round int      `json:"round"` // 0-based
	// Time is the relative time in [0,1]: rounds used over the deadline
	// (or wall-clock used over its deadline when that is nearer).
	Time float64 `json:"time"`
	// Left is the wall-clock time left before the deadline when there is
	// one (Session.TimeLimit), 0 otherwise. The driver fills it in.
	Left time.Duration `json:"-"`
	// Offer is the standing offer (TurnRespond) and Offerer who made it.
	Offer   Outcome `json:"offer,omitempty"`
	Offerer int     `json:"offerer,omitempty"`
	// Text is the current single text (TurnText, TurnAnswer).
	Text []Clause `json:"text,omitempty"`
	// Instructions are those sent to this actor (a delegate) by its
	// principals since its last turn, oldest first.
	Instructions []Instruction `json:"instructions,omitempty"`
	// History lists the actions this actor may see, oldest first: the
	// actions of its view (every public action, and its own side's
	// answers in a mediated text; the mediator sees every action). It
	// never holds another party's private answers.
	History []Action `json:"-"`
}

// Session describes a negotiation to an agent when it starts.
type Session struct {
	// Model is the compiled model. Built-in agents run in the runner's
	// process and are handed it whole (package agent's read only their
	// own party's part, and the mediators only the issues); a
	// runner that seats a program it does not control (a subprocess, a
	// remote agent) sends it the seat's brief instead (Scenario.Brief),
	// never another party's preferences.
	Model *Model
	// Party is the agent's party index, or MediatorActor.
	Party int
	// Utility is the agent's own utility (for a delegate, its delegation's)
	// and Reservation its utility of no agreement; nil and 0 for a mediator.
	Utility     *UtilityFn
	Reservation int64
	// Rounds is the deadline in rounds (0: none).
	Rounds int
	// TimeLimit is the wall-clock deadline (0: none); Turn.Time counts the
	// nearer of the two deadlines, Turn.Left the time left.
	TimeLimit time.Duration
	// Protocol names the protocol played.
	Protocol ProtocolName
	// Discount is the party's discount factor d in (0, 1]
	// (PartyModel.DiscountFactor; 1 or 0: none): an agreement of utility
	// u at relative time t is worth u·d^t, and so is the reservation
	// value. Agents that plan with it concede earlier when d is small.
	Discount float64
	// Rand is the agent's own seeded source; agents use no other randomness.
	Rand *rand.Rand
	// Target is an outcome the runner suggests to mediators (the Nash point
	// of the analysis when there is one); nil otherwise.
	Target Outcome
}

// An Agent negotiates for one party, or mediates. Implementations must be
// deterministic given Session.Rand, and must not keep references to Turn
// slices beyond the call.
type Agent interface {
	// Init is called once before the first turn.
	Init(s *Session) error
	// Act returns the agent's action for the turn. An action that the
	// protocol rejects ends the negotiation as a broken protocol.
	Act(t *Turn) Action
}

// A ContextAgent is an Agent whose action can fail or take long: an agent
// in a subprocess, across a network, or behind an API. The session driver
// calls ActContext instead of Act, with the driver's context (cancellation
// and deadline).
//
// When ActContext returns an error, the driver ends the negotiation with
// EndState AgentError, and the result's Why names the seat and the fault
// ("party Buyer (agent remote): connection reset"): a crashed or silent
// agent ends the negotiation it was in, recorded in the transcript as an
// "agent_error" event, and not the runner. When the error comes from the
// context being cancelled (ctx.Err() != nil) the driver stops instead and
// the negotiation stays open, to be resumed.
//
// Act must still work (callers without a context use it); an
// implementation may call ActContext with context.Background() and turn an
// error into an ActWalkAway with the error as Reason.
type ContextAgent interface {
	Agent
	ActContext(ctx context.Context, t *Turn) (Action, error)
}

// Ending tells an agent how the negotiation it took part in ended.
type Ending struct {
	// End is how it ended; Running when the runner abandoned it (it was
	// cancelled, or never started).
	End       EndState
	Agreement Outcome // nil unless End is Agreement
	Why       string
	Rounds    int
	// Time is the relative time t at the end (1 at a deadline).
	Time float64
	// Utility is what the agent's party got (Payoff: of the agreement,
	// else its reservation value, discounted at Time) and Undiscounted
	// the same undiscounted; both 0 for the mediator.
	Utility, Undiscounted float64
	// History is what the agent's seat saw: the actions of its view,
	// oldest first (read-only).
	History []Action
}

// A FinishingAgent is an Agent that is told how the negotiation ended and
// that holds something to release (a subprocess, a connection). The
// session driver calls Finish exactly once per Init: when the negotiation
// ends, or, with End == Running, when the runner closes a driver whose
// negotiation did not end (cancelled, or a failed set-up). Finish must
// return promptly (it may use ctx's deadline) and release everything.
type FinishingAgent interface {
	Agent
	Finish(ctx context.Context, e *Ending)
}

// A PrincipalAgent plays a faction behind a delegate. The driver calls
// Instruct before every step with a Turn for the principal's seat: whose
// turn comes next (Actor, Kind), the round, the standing offer or text,
// and in History the actions the faction may see (its own delegation's
// included); Instructions is empty. The faction may send instructions to
// its delegate. Session.Party is the delegation's party index; faction
// indexes its principal in Model.Parties[Party].Principals.
type PrincipalAgent interface {
	Init(s *Session, faction int) error
	Instruct(t *Turn) []Instruction
}

// A ContextPrincipal is a PrincipalAgent whose instructions can fail, like
// a ContextAgent; an error ends the negotiation with EndState AgentError.
type ContextPrincipal interface {
	PrincipalAgent
	InstructContext(ctx context.Context, t *Turn) ([]Instruction, error)
}

// EndState says how a negotiation ended.
type EndState int

// End states.
const (
	Running   EndState = iota // not ended
	Agreement                 // every party accepted an outcome
	Deadline                  // the deadline passed without agreement
	WalkOut                   // a party walked away or the mediator ended it
	Broken                    // an actor broke the protocol (invalid action)
	// AgentError: an agent failed (a ContextAgent's ActContext returned
	// an error: a crashed subprocess, a dropped connection); the
	// result's Why names the seat and the fault.
	AgentError
)

// String names the end state as written in transcripts and JSON.
func (e EndState) String() string {
	if int(e) < 0 || int(e) >= len(endNames) {
		return "unknown"
	}
	return endNames[e]
}

func parseName(kind string, names []string, b []byte) (int, error) {
	for i, n := range names {
		if n == string(b) {
			return i, nil
		}
	}
	return 0, Errorf(EINVALID, "unknown %s %q (expected one of %v)", kind, b, names)
}

var (
	turnNames   = []string{"propose", "respond", "text", "answer"}
	actionNames = []string{"offer", "accept", "walk_away", "text", "answer", "instruction", "extend", "end", "agenda", "review"}
	answerNames = []string{"none", "accept", "reject", "reopen"}
	instrNames  = []string{"raise_floor", "lower_floor", "reopen", "add_precondition", "recall"}
	clauseNames = []string{"open", "proposed", "agreed", "reopened", "under_review", "final"}
	endNames    = []string{"running", "agreement", "deadline", "walk_out", "broken", "agent_error"}
)

// MarshalText writes the name, so JSON carries names rather than numbers.
func (k TurnKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (k *TurnKind) UnmarshalText(b []byte) error {
	i, err := parseName("turn kind", turnNames, b)
	*k = TurnKind(i)
	return err
}

// MarshalText writes the name.
func (k ActionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (k *ActionKind) UnmarshalText(b []byte) error {
	i, err := parseName("action kind", actionNames, b)
	*k = ActionKind(i)
	return err
}

// MarshalText writes the name.
func (a ClauseAnswer) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (a *ClauseAnswer) UnmarshalText(b []byte) error {
	i, err := parseName("clause answer", answerNames, b)
	*a = ClauseAnswer(i)
	return err
}

// MarshalText writes the name.
func (k InstructionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (k *InstructionKind) UnmarshalText(b []byte) error {
	i, err := parseName("instruction kind", instrNames, b)
	*k = InstructionKind(i)
	return err
}

// MarshalText writes the name.
func (s ClauseState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (s *ClauseState) UnmarshalText(b []byte) error {
	i, err := parseName("clause state", clauseNames, b)
	*s = ClauseState(i)
	return err
}

// MarshalText writes the name.
func (e EndState) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (e *EndState) UnmarshalText(b []byte) error {
	i, err := parseName("end state", endNames, b)
	*e = EndState(i)
	return err
}
