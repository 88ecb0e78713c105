package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// A transcript is hash-chained with package audit, as a live session's
// stored events are:
//
//   - the chain's genesis is audit.Genesis(header.Session, the canonical
//     JSON of the header line);
//   - each event line carries "prev" and "hash"; the event's link is its
//     session (the header's), "seq", "type", "audience" and, as payload,
//     the canonical JSON of the whole line without "prev" and "hash", so
//     that every field a reader sees is covered;
//   - the last line is a trailer, {"trailer":{"events":N,"head":"..."}},
//     with the event count and the last hash (the genesis for none).
//
// A reader recomputes every link, so an edited, deleted, inserted or
// reordered line is found at the first seq where the chain breaks, a cut
// tail has no trailer, and a trailer that does not match is a miscount.

// Keys of the chain fields of an event line, and of the trailer line.
const (
	keyPrev    = "prev"
	keyHash    = "hash"
	keyTrailer = "trailer"
)

// Trailer is the last line of a transcript: how many events it holds and
// the hash of the last one.
type Trailer struct {
	Events int64       `json:"events"`
	Head   parley.Hash `json:"head"`
}

// lineFields are what the chain reads of an event line besides the Event.
type lineFields struct {
	Seq      int64        `json:"seq"`
	Type     string       `json:"type"`
	Audience string       `json:"audience"`
	Prev     *parley.Hash `json:"prev"`
	Hash     *parley.Hash `json:"hash"`
	Trailer  *Trailer     `json:"trailer"`
}

// link returns the audit record of an event line of a transcript of
// session: its seq, type and audience, the canonical line without its
// chain fields as payload, and the prev and hash the line states (zero if
// absent).
func link(session string, line []byte, f *lineFields) (parley.EventRecord, error) {
	payload, err := audit.Canonical(line, keyPrev, keyHash)
	if err != nil {
		return parley.EventRecord{}, err
	}
	e := parley.EventRecord{Session: session, Seq: f.Seq, Type: f.Type, Audience: f.Audience, Payload: payload}
	if f.Prev != nil {
		e.Prev = *f.Prev
	}
	if f.Hash != nil {
		e.Hash = *f.Hash
	}
	return e, nil
}

// marshalLine encodes v on one line, without HTML escaping, and without the
// newline.
func marshalLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// withChain returns the event object line with "prev" and "hash" added at
// its end.
func withChain(line []byte, prev, hash parley.Hash) []byte {
	out := make([]byte, 0, len(line)+150)
	out = append(out, bytes.TrimSuffix(line, []byte("}"))...)
	if len(line) > 2 {
		out = append(out, ',')
	}
	out = fmt.Appendf(out, `"%s":"%s","%s":"%s"}`, keyPrev, prev, keyHash, hash)
	return out
}

// Record returns what a store appends for ev (parley.EventStore): its
// type, its audience, and as payload the canonical JSON of the event. A
// session stored this way, with Definition as its definition, has the
// chain its transcript has: the same hashes and the same head.
func Record(ev Event) (parley.EventRecord, error) {
	recs, err := Records([]Event{ev})
	if err != nil {
		return parley.EventRecord{}, err
	}
	return recs[0], nil
}

// Records returns Record of each event, their payloads written straight
// from the events in their canonical form (appendCanonical): no encoding
// by reflection, no decoding of it again. They are written into a scratch
// buffer and copied into one allocation of their exact size, which the
// payloads share (each capped at its end). An event the direct writer
// does not know how to write takes the general path, recordSlow.
func Records(evs []Event) ([]parley.EventRecord, error) {
	recs := make([]parley.EventRecord, len(evs))
	sp := scratch.Get().(*[]byte)
	defer scratch.Put(sp)
	buf := (*sp)[:0]
	ends := make([]int, len(evs)) // where each event's payload ends in buf; 0: its own
	for i := range evs {
		ev := &evs[i]
		b, ok := appendCanonical(buf, ev)
		if !ok {
			r, err := recordSlow(*ev)
			if err != nil {
				return nil, err
			}
			recs[i] = r
			continue
		}
		buf = b
		ends[i] = len(buf)
		recs[i] = parley.EventRecord{Seq: int64(ev.Seq), Type: string(ev.Type), Audience: ev.Audience.String()}
	}
	if cap(buf) <= maxScratch {
		*sp = buf
	}
	out := append([]byte(nil), buf...)
	start := 0
	for i, end := range ends {
		if end > 0 {
			recs[i].Payload = out[start:end:end]
			start = end
		}
	}
	return recs, nil
}

// scratch holds the buffers Records writes in, up to maxScratch bytes.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxScratch = 64 << 10

// recordSlow is Record by encoding/json: the event encoded, its chain
// fields read back and the line put in canonical form by package audit.
// It is the reference the direct writer is held to.
func recordSlow(ev Event) (parley.EventRecord, error) {
	b, err := marshalLine(ev)
	if err != nil {
		return parley.EventRecord{}, fmt.Errorf("protocol: encode event %d: %w", ev.Seq, err)
	}
	var f lineFields
	if err := json.Unmarshal(b, &f); err != nil {
		return parley.EventRecord{}, fmt.Errorf("protocol: encode event %d: %w", ev.Seq, err)
	}
	return link("", b, &f)
}

// Definition returns the session definition a store keeps for a live
// session whose transcript header is h (with h.Session set to the
// session's ID): the header's canonical JSON, from which the chain's
// genesis is derived.
func Definition(h Header) ([]byte, error) {
	if h.Schema == "" {
		h.Schema = Schema
	}
	b, err := marshalLine(h)
	if err != nil {
		return nil, fmt.Errorf("protocol: encode transcript header: %w", err)
	}
	return audit.Canonical(b)
}

// WriteRecords writes the transcript of a stored session: definition (as
// Definition made it) as the header line, each stored event's payload
// with its prev and hash, and a trailer for head. The result is the stored
// chain itself: ReadTranscript checks it, and its trailer holds the head
// the store reports.
func WriteRecords(w io.Writer, definition []byte, events []parley.EventRecord, head parley.ChainHead) error {
	var b bytes.Buffer
	b.Write(bytes.TrimSpace(definition))
	b.WriteByte('\n')
	for _, e := range events {
		b.Write(withChain(bytes.TrimSpace(e.Payload), e.Prev, e.Hash))
		b.WriteByte('\n')
		if b.Len() > 1<<16 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	t, err := marshalLine(map[string]Trailer{keyTrailer: {Events: head.Events, Head: head.Hash}})
	if err != nil {
		return err
	}
	b.Write(t)
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return err
}
