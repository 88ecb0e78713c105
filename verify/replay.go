package verify

import (
	"encoding/json"

	"github.com/parleyhq/parley"
)

// Replay rebuilds the machine of an accord from its verification log: it
// feeds the log's inputs (including refused ones) to a new machine and
// checks that the machine produces exactly the logged events, in order
// (the wording of the machine's own notes aside).
// A log that does not match (edited, truncated in the middle, from
// another accord) is EINVALID, naming the first event that differs.
func Replay(a *parley.Accord, log []parley.CaseEvent) (*Machine, error) {
	m, err := New(a)
	if err != nil {
		return nil, err
	}
	next := 0
	for _, ev := range log {
		in, ok := Input(ev)
		if !ok {
			continue
		}
		// Everything the machine produced up to this input is checked
		// when the input is re-applied: it produces them again.
		got, err := m.Step(in)
		if err != nil && ev.Kind != parley.CaseRejected {
			return nil, parley.Errorf(parley.EINVALID, "verify: replaying event %d (%s): %v", ev.Seq, ev.Kind, parley.ErrorMessage(err))
		}
		for _, g := range got {
			if next >= len(log) {
				return nil, parley.Errorf(parley.EINVALID, "verify: the log ends before event %s that its inputs produce", g.String())
			}
			if !same(g, log[next]) {
				return nil, parley.Errorf(parley.EINVALID, "verify: log event %d (%s) differs from what its inputs produce (%s)", next, log[next].String(), g.String())
			}
			next++
		}
	}
	if next != len(log) {
		return nil, parley.Errorf(parley.EINVALID, "verify: log event %d (%s) does not follow from the inputs before it", next, log[next].String())
	}
	return m, nil
}

// same compares two events by their JSON form, so that a nil and an
// empty list are the same. Notes the machine writes are wording, not
// decisions: a later parley may phrase them differently, so they are not
// compared (an input's own note is, through the input).
func same(a, b parley.CaseEvent) bool {
	if !a.Kind.Input() {
		a.Note, b.Note = "", ""
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
