package simulate

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// MetaTime is the transcript header's meta key of the relative time at the
// end of the negotiation (a number in [0, 1]), which discounting needs.
const MetaTime = "t"

// endTime returns the relative time at the end of a transcript's
// negotiation: meta "t" when the runner wrote it, 1 at a deadline, else
// what the protocol counts (rounds used over the deadline; without a
// wall clock the driver's time is the protocol's).
func endTime(h protocol.Header, events []protocol.Event, res protocol.Result) float64 {
	if t, ok := h.Meta[MetaTime].(float64); ok && t >= 0 && t <= 1 {
		return t
	}
	if res.End == parley.Deadline || res.End == parley.Running {
		return 1
	}
	return protocol.EndTime(h, events)
}

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
	run := &Run{Header: h, Events: events, Result: res, Time: endTime(h, events, res)}
	run.Utilities = make([]float64, len(m.Parties))
	run.UtilitiesUndiscounted = make([]float64, len(m.Parties))
	for i := range m.Parties {
		run.Utilities[i], run.UtilitiesUndiscounted[i] = m.Parties[i].Payoff(res.Agreement, run.Time)
	}
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
