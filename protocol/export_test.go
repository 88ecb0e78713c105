package protocol

// RecordSlow exports the general path of Record, the reference its direct
// writer is held to.
var RecordSlow = recordSlow

// Direct reports whether Record writes ev without the general path.
func Direct(ev Event) bool {
	_, ok := appendCanonical(nil, &ev)
	return ok
}
