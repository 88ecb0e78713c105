package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// Ref names an issue, option or party: by name (a JSON string) or by
// index (a JSON number). Set is false when it was absent or null.
type Ref struct {
	Name  string
	Index int
	Set   bool
	byIdx bool
}

// UnmarshalJSON reads a string or a whole number.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*r = Ref{}
	if refPlain(b) { // most refs: a plain name or a small index, read without encoding/json
		if b[0] == '"' {
			r.Name, r.Set = string(b[1:len(b)-1]), true
			return nil
		}
		r.Index, _ = strconv.Atoi(string(b))
		r.Set, r.byIdx = true, true
		return nil
	}
	return r.unmarshalJSON(b)
}

// refPlain reports whether b is a JSON string of printable ASCII without
// escapes, or an integer of at most 9 digits without a leading zero:
// what encoding/json reads as the text between the quotes, or as the
// number written.
func refPlain(b []byte) bool {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		for _, c := range b[1 : len(b)-1] {
			if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 9 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// unmarshalJSON is UnmarshalJSON by encoding/json, for any input.
func (r *Ref) unmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		r.Set = true
		return json.Unmarshal(b, &r.Name)
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return parley.Errorf(parley.EINVALID, "want a name or a whole number, got %s", clip(b))
	}
	r.Index, r.Set, r.byIdx = int(f), true, true
	return nil
}

// MarshalJSON writes the name or the index.
func (r Ref) MarshalJSON() ([]byte, error) {
	switch {
	case !r.Set:
		return []byte("null"), nil
	case r.byIdx:
		return []byte(strconv.Itoa(r.Index)), nil
	}
	return json.Marshal(r.Name)
}

// IsZero reports an absent reference (for omitzero).
func (r Ref) IsZero() bool { return !r.Set }

// namer resolves names against a scenario.
type namer struct{ m *parley.Model }

func (n namer) issue(r Ref) (int, error) {
	is := n.m.Scenario.Issues
	if !r.Set {
		return 0, parley.Errorf(parley.EINVALID, "issue required; issues: %s", n.issueNames())
	}
	if r.byIdx {
		if r.Index < 0 || r.Index >= len(is) {
			return 0, parley.Errorf(parley.EINVALID, "issue %d out of range (%d issues)", r.Index, len(is))
		}
		return r.Index, nil
	}
	if i := n.m.Scenario.IssueIndex(r.Name); i >= 0 {
		return i, nil
	}
	return 0, parley.Errorf(parley.EINVALID, "no issue %q; issues: %s", clip([]byte(r.Name)), n.issueNames())
}

func (n namer) issueNames() string {
	var out []string
	for _, is := range n.m.Scenario.Issues {
		out = append(out, is.Name)
	}
	return strings.Join(out, ", ")
}

// option resolves an option of issue i; an unset ref is a blank (−1).
func (n namer) option(i int, r Ref) (int, error) {
	is := &n.m.Scenario.Issues[i]
	switch {
	case !r.Set || (r.byIdx && r.Index == -1):
		return -1, nil
	case r.byIdx && (r.Index < 0 || r.Index >= len(is.Options)):
		return 0, parley.Errorf(parley.EINVALID, "issue %s: option %d out of range (%d options)", is.Name, r.Index, len(is.Options))
	case r.byIdx:
		return r.Index, nil
	}
	if k := is.OptionIndex(r.Name); k >= 0 {
		return k, nil
	}
	var labels []string
	for _, o := range is.Options {
		labels = append(labels, o.Label)
	}
	return 0, parley.Errorf(parley.EINVALID, "issue %s: no option %q; options: %s", is.Name, clip([]byte(r.Name)), strings.Join(labels, ", "))
}

// outcome reads an outcome: an object of issue → option, or a list of
// options. With blanks, issues left out are blank (a mediator's text);
// without, every issue needs an option (an offer).
func (n namer) outcome(raw json.RawMessage, blanks bool) (parley.Outcome, error) {
	issues := n.m.Scenario.Issues
	o := make(parley.Outcome, len(issues))
	for i := range o {
		o[i] = -1
	}
	refs, err := n.perIssue(raw, "outcome")
	if err != nil {
		return nil, err
	}
	for i, r := range refs {
		if o[i], err = n.option(i, r); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "outcome: %s", parley.ErrorMessage(err))
		}
		if o[i] == -1 && !blanks {
			return nil, parley.Errorf(parley.EINVALID, "outcome: issue %s has no option; an offer names one for every issue", issues[i].Name)
		}
	}
	return o, nil
}

// answers reads clause answers: an object of issue → answer, or a list.
func (n namer) answers(raw json.RawMessage) ([]parley.ClauseAnswer, error) {
	refs, err := n.perIssue(raw, "answers")
	if err != nil {
		return nil, err
	}
	out := make([]parley.ClauseAnswer, len(refs))
	for i, r := range refs {
		if !r.Set {
			continue
		}
		name := r.Name
		if r.byIdx {
			name = strconv.Itoa(r.Index)
		}
		if err := out[i].UnmarshalText([]byte(name)); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "answers: issue %s: %q is not an answer; want accept, reject, reopen or none", n.m.Scenario.Issues[i].Name, clip([]byte(name)))
		}
	}
	return out, nil
}

// perIssue reads an object keyed by issue name, or a list with one entry
// per issue, into one Ref per issue (unset where left out).
func (n namer) perIssue(raw json.RawMessage, field string) ([]Ref, error) {
	issues := n.m.Scenario.Issues
	refs := make([]Ref, len(issues))
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, parley.Errorf(parley.EINVALID, "%s required", field)
	case raw[0] == '[':
		list, ok := plainList(raw, len(issues))
		if !ok {
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, parley.Errorf(parley.EINVALID, "%s: %s", field, jsonMessage(err))
			}
		}
		if len(list) != len(issues) {
			return nil, parley.Errorf(parley.EINVALID, "%s: %d entries for %d issues (%s)", field, len(list), len(issues), n.issueNames())
		}
		return list, nil
	case raw[0] == '{':
		var obj map[string]Ref
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "%s: %s", field, jsonMessage(err))
		}
		for name, r := range obj {
			i := n.m.Scenario.IssueIndex(name)
			if i < 0 {
				return nil, parley.Errorf(parley.EINVALID, "%s: no issue %q; issues: %s", field, clip([]byte(name)), n.issueNames())
			}
			refs[i] = r
		}
		return refs, nil
	}
	return nil, parley.Errorf(parley.EINVALID, "%s: want an object of issue names or a list, one entry per issue", field)
}

// plainList reads a JSON list of refs as encoding/json would when every
// entry is null or plain (refPlain), the list as clients send it; it
// reports false, for encoding/json to read it, on anything else. n is
// the number of entries to expect.
func plainList(raw []byte, n int) ([]Ref, bool) {
	list := make([]Ref, 0, n)
	i := 1 // past '['
	ws := func() {
		for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
			i++
		}
	}
	ws()
	if i < len(raw) && raw[i] == ']' {
		return list, i == len(raw)-1
	}
	for {
		ws()
		start := i
		switch {
		case i < len(raw) && raw[i] == '"':
			i++
			for i < len(raw) && raw[i] != '"' && raw[i] != '\\' {
				i++
			}
			if i >= len(raw) || raw[i] != '"' {
				return nil, false
			}
			i++
		default:
			for i < len(raw) && (raw[i] == '-' || raw[i] >= '0' && raw[i] <= '9' || raw[i] >= 'a' && raw[i] <= 'z') {
				i++
			}
		}
		tok := raw[start:i]
		var r Ref
		switch {
		case string(tok) == "null":
		case refPlain(tok):
			if r.UnmarshalJSON(tok) != nil {
				return nil, false
			}
		default:
			return nil, false
		}
		list = append(list, r)
		ws()
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i++
		case ']':
			return list, i == len(raw)-1
		default:
			return nil, false
		}
	}
}

// instruction resolves a principal's instruction.
func (n namer) instruction(in *Instruction) (parley.Instruction, error) {
	var out parley.Instruction
	if in == nil {
		return out, parley.Errorf(parley.EINVALID, "instruction required: {\"kind\": \"raise_floor\"|\"lower_floor\"|\"reopen\"|\"add_precondition\"|\"recall\", ...}")
	}
	if err := out.Kind.UnmarshalText([]byte(in.Kind)); err != nil {
		return out, parley.Errorf(parley.EINVALID, "instruction: kind %q: want raise_floor, lower_floor, reopen, add_precondition or recall", clip([]byte(in.Kind)))
	}
	out.Delta, out.Rounds = in.Delta, in.Rounds
	var err error
	switch out.Kind {
	case parley.ReopenClause, parley.AddPrecondition:
		if out.Issue, err = n.issue(in.Issue); err != nil {
			return out, parley.Errorf(parley.EINVALID, "instruction: %s", parley.ErrorMessage(err))
		}
	}
	if out.Kind == parley.AddPrecondition {
		if !in.Option.Set {
			return out, parley.Errorf(parley.EINVALID, "instruction: add_precondition needs the option it requires")
		}
		if out.Option, err = n.option(out.Issue, in.Option); err != nil {
			return out, parley.Errorf(parley.EINVALID, "instruction: %s", parley.ErrorMessage(err))
		}
	}
	return out, nil
}

// caucusParty says whose caucus seat writes in: a party its own, the
// mediator the party it names.
func (n namer) caucusParty(r Ref, seat parley.Seat) (int, error) {
	if seat.Role == parley.SeatParty && !r.Set {
		return seat.Party, nil
	}
	if !r.Set {
		return 0, parley.Errorf(parley.EINVALID, "caucus: party required: the caucus of which party")
	}
	ps := n.m.Parties
	if r.byIdx {
		if r.Index < 0 || r.Index >= len(ps) {
			return 0, parley.Errorf(parley.EINVALID, "caucus: party %d out of range (%d parties)", r.Index, len(ps))
		}
		return r.Index, nil
	}
	var names []string
	for i := range ps {
		if ps[i].Name == r.Name {
			return i, nil
		}
		names = append(names, ps[i].Name)
	}
	return 0, parley.Errorf(parley.EINVALID, "caucus: no party %q; parties: %s", clip([]byte(r.Name)), strings.Join(names, ", "))
}

// jsonMessage words an encoding/json error without Go type names.
func jsonMessage(err error) string {
	if parley.ErrorCode(err) != parley.EINTERNAL {
		return parley.ErrorMessage(err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "a value of the wrong type (" + te.Value + ")"
	}
	return "malformed JSON"
}
