package protocol

import (
	"strings"

	"github.com/parleyhq/parley"
)

// Agreement returns the outcome a negotiation agreed on: the result of
// the last end event of its events. A negotiation that has not ended, or
// ended otherwise, is EINVALID, saying which.
func Agreement(events []Event) (parley.Outcome, error) {
	for i := len(events) - 1; i >= 0; i-- {
		if r := events[i].Result; events[i].Type == EvEnd && r != nil {
			if r.End != parley.Agreement {
				return nil, parley.Errorf(parley.EINVALID, "the negotiation ended in %s, not an agreement", r.End)
			}
			return r.Agreement, nil
		}
	}
	return nil, parley.Errorf(parley.EINVALID, "the negotiation has no end event")
}

// MonitorType reports whether an event type is one of the monitoring
// events that follow an agreement in its session's chain
// (parley.MonitorEventPrefix): they are linked like every event, but are
// no part of the negotiation, and replay leaves them out.
func MonitorType(typ string) bool { return strings.HasPrefix(typ, parley.MonitorEventPrefix) }
