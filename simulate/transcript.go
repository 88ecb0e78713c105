package simulate

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// FromTranscript rebuilds a Run from a transcript, so that reports can be
// rendered from the record of a negotiation (a file, a server's session)
// rather than from the runner's memory. It compiles the embedded scenario
// and replays the events (protocol.Replay), so a transcript that does not
// replay is refused (ECONFLICT naming the first differing event; EINVALID
// when it cannot be replayed at all). Elapsed is zero: a transcript keeps
// no wall-clock time of its own.
func FromTranscript(h protocol.Header, events []protocol.Event) (*Run, *parley.Model, error) {
	if h.Scenario == nil {
		return nil, nil, parley.Errorf(parley.EINVALID, "simulate: the transcript header has no scenario")
	}
	m, err := h.Scenario.Compile()
	if err != nil {
		return nil, nil, fmt.Errorf("simulate: transcript scenario: %w", err)
	}
	res, err := protocol.Replay(h, events)
	if err != nil {
		return nil, nil, err
	}
	run := &Run{Header: h, Events: events, Result: res, Utilities: Utilities(m, res)}
	if res.End != parley.Agreement {
		var last parley.Outcome
		for _, ev := range events {
			if a := ev.Action; ev.Type == protocol.EvAction && a != nil && !protocol.Invalid(ev) && (a.Kind == parley.ActOffer || a.Kind == parley.ActText) {
				last = a.Outcome
			}
		}
		run.Blocked = Blockers(m, m.Complete(last))
	}
	return run, m, nil
}
