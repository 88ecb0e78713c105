package session

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Follow brings a driver up to date with events that another writer of
// the same session recorded after the ones this driver has produced: a
// second server on one database. The events are applied as Resume applies
// a record (inputs as recorded, built-in agents acting again, every event
// they cause coming out as recorded, wall-clock deadlines not checked),
// without replaying what the driver already holds. Events the built-in
// agents go on to produce past the end of recorded (a record cut short
// between two appends) are returned by the next call, as after Resume.
//
// The driver must have returned every event it produced, and recorded
// must start at the seq of its next event (EINVALID otherwise, changing
// nothing). A recorded history that does not come out again is
// ECONFLICT, and the driver is then unusable: rebuild it with Resume.
func (d *Driver) Follow(ctx context.Context, recorded []protocol.Event) error {
	switch {
	case d.cfg.Discard:
		return parley.Errorf(parley.EINVALID, "session: follow needs the events; the driver discards them")
	case d.told != len(d.record):
		return parley.Errorf(parley.EINVALID, "session: follow: %d events produced are not yet returned", len(d.record)-d.told)
	case len(recorded) == 0:
		return nil
	case recorded[0].Seq != len(d.record):
		return parley.Errorf(parley.EINVALID, "session: follow: the events start at seq %d, the driver's next is %d", recorded[0].Seq, len(d.record))
	}
	d.matched = len(d.record)
	return d.replay(ctx, recorded, len(d.record), true)
}
