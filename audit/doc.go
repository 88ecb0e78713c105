// Package audit is the hash chain that makes a session's record
// tamper-evident. It is pure: no I/O, no clock, no goroutines. Stores call
// it to link the events they append; `parley audit verify`, transcripts and
// the storage contract tests call it to check a chain.
//
// # The chain
//
// A session's chain starts at its genesis hash, derived from the session's
// ID and definition (Genesis). Each event stores the hash of the event
// before it (Prev; the genesis for seq 0) and its own hash, the SHA-256 of
// its canonical encoding (Encode):
//
//	"parley.audit/1 event\n"
//	uvarint(len(session)) session
//	uint64 seq, big-endian
//	uvarint(len(type)) type
//	uvarint(len(audience)) audience
//	uvarint(len(payload)) payload
//	prev (32 bytes)
//
// Every field that gives an event its meaning is in the encoding, each with
// its length, so that no two different events encode alike (moving bytes
// from the type into the audience changes the encoding). The genesis uses
// its own prefix ("parley.audit/1 genesis\n"), so a genesis can never pass
// for an event. An event's hash covers the previous hash, so a change to any
// event changes every hash after it, and the chain head (the last hash and
// the event count, parley.ChainHead) stands for the whole record.
//
// # Checking a chain
//
// A Verifier walks the events in order, like a protocol's Step:
//
//	v := audit.NewVerifier(session, genesis)
//	for _, e := range events {
//		if !v.Step(&e) {
//			break // v.Result() names the first broken seq
//		}
//	}
//	res := v.End(&head) // compare with the head the store (or a trailer) claims
//
// It reports the first sequence number where the chain breaks and why
// (Fault): an event out of place (deleted, inserted or reordered), a link
// that does not match, content that does not match its hash, or a chain
// shorter, longer or ending elsewhere than its head says. What it cannot
// see is a consistent rewrite of the whole chain and its head; compare the
// head with one recorded elsewhere (each seat can fetch it) to rule that
// out.
//
// # Canonical JSON
//
// Transcripts hash each event line through Canonical, a canonical form of
// JSON (object keys sorted, no insignificant space, numbers as written), so
// that reformatting a line does not break the chain but any change to what
// a reader would see does.
package audit
