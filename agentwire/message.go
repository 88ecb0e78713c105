package agentwire

import (
	"github.com/parleyhq/parley"
)

// Version is the protocol's name and version, sent in every settings
// message's "protocol" field. A change that an agent written for it could
// not read gets a new version.
const Version = "parley.agent/1"

// Message types, the "type" field of every message. The engine sends
// settings, your_turn, action_done and finished; the agent answers a
// your_turn with offer, accept, end_negotiation (any seat), answer (a party
// answering the mediator's text), or text and extend (the mediator).
const (
	TypeSettings   = "settings"
	TypeYourTurn   = "your_turn"
	TypeActionDone = "action_done"
	TypeFinished   = "finished"

	TypeOffer          = "offer"
	TypeAccept         = "accept"
	TypeEndNegotiation = "end_negotiation"
	TypeAnswer         = "answer"
	TypeText           = "text"
	TypeExtend         = "extend"
)

// Settings is the first message an agent receives: who it is, what is
// negotiated, under which rules and until when, and its own preferences —
// never another party's.
type Settings struct {
	Type     string `json:"type"`     // "settings"
	Protocol string `json:"protocol"` // Version
	// Negotiation is the negotiation protocol: "sao" (alternating offers,
	// stacked for more than two parties) or "mediated" (single text).
	Negotiation parley.ProtocolName `json:"negotiation"`
	// Seat is the agent's seat: "party:P" or "mediator"; Party is P (−1
	// for the mediator) and Role "party" or "mediator".
	Seat  parley.Seat `json:"seat"`
	Role  string      `json:"role"`
	Party int         `json:"party"`
	// Parties names the parties, by index.
	Parties  []string `json:"parties"`
	Deadline Deadline `json:"deadline"`
	Domain   Domain   `json:"domain"`
	// Profile is the seat's own preferences; absent for the mediator.
	Profile *Profile `json:"profile,omitempty"`
	// Seed seeds the agent's randomness, if it wants to be reproducible.
	Seed uint64 `json:"seed"`
}

// Deadline is when the negotiation ends without agreement: after Rounds
// rounds and/or Seconds seconds of wall clock, whichever comes first
// (absent: no such deadline). Relative time t in your_turn counts the
// nearer one.
type Deadline struct {
	Rounds  int     `json:"rounds,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
}

// Domain is what is negotiated: the issues, each with its options.
// Outcomes travel as arrays of option indexes, one per issue, in this
// order.
type Domain struct {
	Name   string  `json:"name"`
	Issues []Issue `json:"issues"`
}

// Issue is one issue of the domain.
type Issue struct {
	Name string `json:"name"`
	// Options are the options' labels, by index.
	Options []string `json:"options"`
	// Values are the options' numbers, for integer and real issues.
	Values []float64 `json:"values,omitempty"`
	// StatusQuo is the option an agreement silent on the issue takes (an
	// issue off the mediated agenda).
	StatusQuo int `json:"status_quo"`
}

// Profile is a party's preferences, compiled: the utility of an outcome o
// (option indexes) is
//
//	u(o) = Σ_i values[i][o[i]] + Σ_{r in rects, o in r.region} r.utility
//
// (weights are already in the values). Reservation is the utility of no
// agreement. With Discount d < 1, what the party gets from an agreement of
// utility u reached at relative time t is u·d^t, and from no agreement
// reservation·d^t.
type Profile struct {
	Values      [][]float64 `json:"values"`
	Rects       []Rect      `json:"rects,omitempty"`
	Reservation float64     `json:"reservation"`
	Discount    float64     `json:"discount"`
	// RedLines are regions the party never agrees to (a single actor's).
	RedLines []Region `json:"red_lines,omitempty"`
	// Rule and Factions describe a delegation: it agrees when its factions
	// ratify under Rule; each faction accepts what beats its reservation
	// value and breaks none of its red lines.
	Rule     *parley.Ratification `json:"rule,omitempty"`
	Factions []Faction            `json:"factions,omitempty"`
}

// Faction is one faction of a delegation, with its own preferences.
type Faction struct {
	Name        string      `json:"name"`
	Weight      float64     `json:"weight"`
	Values      [][]float64 `json:"values"`
	Rects       []Rect      `json:"rects,omitempty"`
	Reservation float64     `json:"reservation"`
	Discount    float64     `json:"discount"`
	RedLines    []Region    `json:"red_lines,omitempty"`
}

// Rect adds Utility to the outcomes in Region.
type Rect struct {
	Utility float64 `json:"utility"`
	Region  Region  `json:"region"`
}

// Region is a set of outcomes: those whose option on every listed issue is
// one of its Options.
type Region []IssueSet

// IssueSet lists the allowed options of one issue.
type IssueSet struct {
	Issue   int   `json:"issue"`
	Options []int `json:"options"`
}

// Clause is one clause of the mediator's single text, in your_turn and
// action_done: the issue's option (−1: blank), its state and whether the
// issue is on the agenda. Clauses are listed by issue.
type Clause struct {
	Option   int                `json:"option"`
	State    parley.ClauseState `json:"state"`
	OnAgenda bool               `json:"on_agenda"`
}

// YourTurn asks the agent to act. The engine writes it (after the
// action_done messages of what happened since the agent's last turn) and
// waits for one reply.
type YourTurn struct {
	Type string `json:"type"` // "your_turn"
	// Turn numbers the agent's turns from 1; the reply echoes it ("turn"),
	// so that a late or doubled reply is caught for sure.
	Turn int64 `json:"turn"`
	// Kind is what is asked: "propose" (make the first offer), "respond"
	// (accept Offer or counter it), "text" (the mediator writes the text),
	// "answer" (answer the text clause by clause).
	Kind parley.TurnKind `json:"kind"`
	// Actions lists the reply types allowed.
	Actions []string `json:"actions"`
	Round   int      `json:"round"`
	// T is the relative time in [0, 1]; TimeLeft the seconds left before
	// the wall-clock deadline (absent without one).
	T        float64 `json:"t"`
	TimeLeft float64 `json:"time_left,omitempty"`
	// Offer is the standing offer (respond) and Offerer who made it.
	Offer   parley.Outcome `json:"offer,omitempty"`
	Offerer *int           `json:"offerer,omitempty"`
	// Text is the current text (text, answer).
	Text []Clause `json:"text,omitempty"`
	// Instructions are those of the agent's principals since its last
	// turn (a delegation's negotiator).
	Instructions []parley.Instruction `json:"instructions,omitempty"`
}

// ActionDone tells the agent what another seat did, as its seat may see
// it (a party never sees another party's answers to the mediator).
type ActionDone struct {
	Type   string `json:"type"`   // "action_done"
	Actor  int    `json:"actor"`  // party index, −1 the mediator
	Action string `json:"action"` // offer, accept, end_negotiation, answer, text, extend
	// Bid (offer), Text (text: option per issue, −1 blank), Answers
	// (answer), Rounds (extend; with other actions: an extension asked).
	Bid     parley.Outcome        `json:"bid,omitempty"`
	Text    parley.Outcome        `json:"text,omitempty"`
	Answers []parley.ClauseAnswer `json:"answers,omitempty"`
	Rounds  int                   `json:"rounds,omitempty"`
	Reason  string                `json:"reason,omitempty"`
}

// Finished is the last message: how the negotiation ended and what the
// agent's party got. The agent should exit when it reads it (or when its
// input ends).
type Finished struct {
	Type string `json:"type"` // "finished"
	// End is agreement, deadline, walk_out, broken or agent_error (or
	// aborted when the engine gave up on the negotiation).
	End       string         `json:"end"`
	Agreement parley.Outcome `json:"agreement,omitempty"`
	Why       string         `json:"why,omitempty"`
	Rounds    int            `json:"rounds"`
	T         float64        `json:"t"`
	// Utility is what the party got: of the agreement, else its
	// reservation value, discounted at T; UtilityUndiscounted the same
	// undiscounted. Absent for the mediator.
	Utility             *float64 `json:"utility,omitempty"`
	UtilityUndiscounted *float64 `json:"utility_undiscounted,omitempty"`
}

// Reply is any message an agent sends: its answer to a your_turn.
type Reply struct {
	Type string `json:"type"`
	// Turn is the number of the your_turn answered (required).
	Turn int64 `json:"turn,omitempty"`
	// Bid is an offer's outcome (offer; with accept, optionally the offer
	// accepted, which must be the standing one).
	Bid []int `json:"bid,omitempty"`
	// Answers are a party's answers to the text, one per issue: accept,
	// reject, reopen or none.
	Answers []parley.ClauseAnswer `json:"answers,omitempty"`
	// Text is the mediator's text: an option per issue, −1 blank.
	Text []int `json:"text,omitempty"`
	// Rounds is the mediator's extension (extend).
	Rounds int `json:"rounds,omitempty"`
	// Extend asks, with an offer, accept or answer, for that many more
	// rounds (granted when every party asks).
	Extend int    `json:"extend,omitempty"`
	Reason string `json:"reason,omitempty"`
}
