package live

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// MaxReason bounds an action's reason, in bytes.
const MaxReason = 4096

// Action is what a seat does (POST /api/sessions/{id}/actions). Kind says
// what; the other fields are those the kind takes (any other is refused):
//
//	offer        outcome (every issue), rounds (an extension request)
//	accept       rounds
//	walk_away    reason (also "walk_out")
//	text         outcome (issues left out are blank)
//	answer       answers (issues left out: none), rounds
//	extend       rounds
//	agenda       issue
//	review       issue
//	end          reason
//	instruction  instruction
//	caucus       message, party (the mediator names the party)
//
// Issues, options and parties are given by name or by index; an outcome is
// {"issue": "option", ...} (null: blank) or a list of option indexes (−1 or
// null: blank); answers are {"issue": "accept"|"reject"|"reopen"|"none"}
// or a list.
type Action struct {
	Kind        string          `json:"kind"`
	Outcome     json.RawMessage `json:"outcome,omitempty"`
	Answers     json.RawMessage `json:"answers,omitempty"`
	Rounds      int             `json:"rounds,omitempty"`
	Issue       Ref             `json:"issue,omitzero"`
	Instruction *Instruction    `json:"instruction,omitempty"`
	Party       Ref             `json:"party,omitzero"`
	Message     string          `json:"message,omitempty"`
	Reason      string          `json:"reason,omitempty"`
}

// Instruction is a principal's instruction to its delegate: kind
// raise_floor or lower_floor (delta), reopen (issue), add_precondition
// (issue, option) or recall (rounds).
type Instruction struct {
	Kind   string  `json:"kind"`
	Delta  float64 `json:"delta,omitempty"`
	Issue  Ref     `json:"issue,omitzero"`
	Option Ref     `json:"option,omitzero"`
	Rounds int     `json:"rounds,omitempty"`
}

// fields lists the fields each kind takes besides kind.
var fields = map[string][]string{
	"offer": {"outcome", "rounds"}, "accept": {"rounds"}, "walk_away": {"reason"}, "walk_out": {"reason"},
	"text": {"outcome"}, "answer": {"answers", "rounds"}, "extend": {"rounds"}, "agenda": {"issue"},
	"review": {"issue"}, "end": {"reason"}, "instruction": {"instruction"}, "caucus": {"message", "party"},
}

// Acted answers an action: the events it caused that the seat may see,
// as stored, and the chain head after them.
type Acted struct {
	Events []json.RawMessage `json:"events"`
	Head   parley.ChainHead  `json:"head"`
}

// AppendJSON appends a's JSON to dst, as encoding/json writes it without
// HTML escaping (and without the Encoder's newline). The events are
// stored payloads, which the server writes as canonical JSON on one line
// (protocol.Records), as its event streams send them: they are copied as
// they are instead of checked and compacted once more. A payload that is
// not a JSON object, or a session ID that JSON would escape, takes
// encoding/json's path.
func (a *Acted) AppendJSON(dst []byte) ([]byte, error) {
	if !plainString(a.Head.Session) || !objects(a.Events) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a); err != nil {
			return dst, err
		}
		return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
	}
	dst = append(dst, `{"events":[`...)
	for i, p := range a.Events {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, p...)
	}
	dst = append(dst, `],"head":{"session":"`...)
	dst = append(dst, a.Head.Session...)
	dst = append(dst, `","events":`...)
	dst = strconv.AppendInt(dst, a.Head.Events, 10)
	dst = append(dst, `,"hash":"`...)
	dst = hex.AppendEncode(dst, a.Head.Hash[:])
	return append(dst, `"}}`...), nil
}

// plainString reports whether JSON writes s as it is between quotes:
// printable ASCII without a quote or a backslash.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// objects reports whether every payload starts with '{' and ends with
// '}', as an event's canonical JSON does: a cheap look, not a validation
// (the store validated each payload before storing it).
func objects(ps []json.RawMessage) bool {
	for _, p := range ps {
		if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
			return false
		}
	}
	return true
}

// Act applies a seat's action: it is checked by the protocol state
// machine, the built-in agents answer, and everything it caused is stored
// before Act returns. Returns ECONFLICT when it is not the seat's move or
// the negotiation has ended (the message says whose move it is),
// EINVALID when the protocol would not accept the action (saying why),
// changing nothing.
func (s *Session) Act(ctx context.Context, seat parley.Seat, a *Action) (*Acted, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	recs, err := s.do(ctx, func(d *session.Driver) ([]protocol.Event, error) {
		return a.apply(ctx, d, seat)
	})
	if err != nil {
		return nil, err
	}
	out := &Acted{Events: []json.RawMessage{}, Head: s.Head()}
	for _, r := range recs {
		if Visible(r, seat) {
			out.Events = append(out.Events, json.RawMessage(r.Payload))
		}
	}
	return out, nil
}

// check refuses an unknown kind, a field the kind does not take, and an
// oversized or malformed reason.
func (a *Action) check() error {
	allowed, ok := fields[a.Kind]
	if !ok {
		kinds := make([]string, 0, len(fields))
		for k := range fields {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		return parley.Errorf(parley.EINVALID, "kind %q: want one of %s", clip([]byte(a.Kind)), strings.Join(kinds, ", "))
	}
	given := map[string]bool{"outcome": len(a.Outcome) > 0, "answers": len(a.Answers) > 0, "rounds": a.Rounds != 0,
		"issue": a.Issue.Set, "instruction": a.Instruction != nil, "party": a.Party.Set, "message": a.Message != "", "reason": a.Reason != ""}
	for _, f := range []string{"outcome", "answers", "rounds", "issue", "instruction", "party", "message", "reason"} {
		if given[f] && !slices.Contains(allowed, f) {
			return parley.Errorf(parley.EINVALID, "%s: %s %s action takes no %s (it takes: %s)", f, article(a.Kind), a.Kind, f, strings.Join(append([]string{"kind"}, allowed...), ", "))
		}
	}
	if len(a.Reason) > MaxReason || !utf8.ValidString(a.Reason) {
		return parley.Errorf(parley.EINVALID, "reason: at most %d bytes of UTF-8", MaxReason)
	}
	return nil
}

// article is "an" before a kind that starts with a vowel, else "a".
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an"
	}
	return "a"
}

// apply turns the action into a driver call for seat.
func (a *Action) apply(ctx context.Context, d *session.Driver, seat parley.Seat) ([]protocol.Event, error) {
	n := namer{d.Model()}
	switch a.Kind {
	case "instruction":
		in, err := n.instruction(a.Instruction)
		if err != nil {
			return nil, err
		}
		return d.Instruct(ctx, seat, in)
	case "caucus":
		party, err := n.caucusParty(a.Party, seat)
		if err != nil {
			return nil, err
		}
		return d.Caucus(ctx, seat, party, a.Message)
	}
	act, err := a.action(n)
	if err != nil {
		return nil, err
	}
	return d.Submit(ctx, seat, act)
}

// action builds the protocol action of a turn-taking kind.
func (a *Action) action(n namer) (parley.Action, error) {
	act := parley.Action{Rounds: a.Rounds, Reason: a.Reason}
	var err error
	switch a.Kind {
	case "offer", "text":
		act.Kind = parley.ActOffer
		if a.Kind == "text" {
			act.Kind = parley.ActText
		}
		act.Outcome, err = n.outcome(a.Outcome, a.Kind == "text")
	case "accept":
		act.Kind = parley.ActAccept
	case "walk_away", "walk_out":
		act.Kind = parley.ActWalkAway
	case "answer":
		act.Kind = parley.ActAnswer
		act.Answers, err = n.answers(a.Answers)
	case "extend":
		act.Kind = parley.ActExtend
	case "agenda", "review":
		act.Kind = parley.ActAgenda
		if a.Kind == "review" {
			act.Kind = parley.ActReview
		}
		act.Issue, err = n.issue(a.Issue)
	case "end":
		act.Kind = parley.ActEnd
	}
	return act, err
}
