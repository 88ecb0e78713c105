package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// Schema is the schema version written in every transcript header.
const Schema = "parley.transcript/1"

// Header is the first line of a transcript: everything needed to replay
// the negotiation besides the events.
type Header struct {
	// Schema is "parley.transcript/1"; WriteTranscript and NewWriter fill
	// it in when empty.
	Schema string `json:"schema"`
	// Protocol names the protocol (see Lookup).
	Protocol parley.ProtocolName `json:"protocol"`
	// Config is the protocol's configuration as given (SAOConfig or
	// MediatedConfig in JSON); ProtocolConfig decodes it.
	Config json.RawMessage `json:"config"`
	// Scenario is the negotiated scenario, embedded so that the
	// transcript stands alone.
	Scenario *parley.Scenario `json:"scenario"`
	// Seed is the runner's seed for the session's randomness.
	Seed uint64 `json:"seed"`
	// Agents says which agent played which actor.
	Agents []AgentInfo `json:"agents,omitempty"`
	// Meta holds free-form facts about the run (tool version, wall-clock
	// start, ...); replay ignores it.
	Meta map[string]any `json:"meta,omitempty"`
	// Session is the ID of the live session the transcript records
	// (empty for a simulation); it is part of every link of the chain.
	Session string `json:"session,omitempty"`
}

// AgentInfo names the agent that played an actor.
type AgentInfo struct {
	// Actor is the party index, or parley.MediatorActor.
	Actor int `json:"actor"`
	// Principal names the faction for a principal agent; "" for the
	// party's delegate or the mediator.
	Principal string `json:"principal,omitempty"`
	// Agent is the agent's spec ("boulware", "delegate:concede=0.5").
	Agent string `json:"agent"`
}

// NewHeader returns a header for a negotiation of s under cfg.
func NewHeader(s *parley.Scenario, cfg Config, seed uint64) (Header, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return Header{}, fmt.Errorf("protocol: encode config: %w", err)
	}
	return Header{Schema: Schema, Protocol: cfg.Name(), Config: raw, Scenario: s, Seed: seed}, nil
}

// ProtocolConfig decodes Config according to Protocol. Unknown fields are
// errors (EINVALID), so that a misspelt setting is not silently dropped.
func (h *Header) ProtocolConfig() (Config, error) {
	if _, err := Lookup(h.Protocol); err != nil {
		return nil, invalid("transcript header: unknown protocol %q (expected %s)", h.Protocol, parley.ProtocolChoices())
	}
	return decodeConfig(h.Protocol, h.Config)
}

// Writer writes a transcript as JSON Lines: the header, then one event per
// line as they come, each chained to the one before (see Record), and on
// Close the trailer. A transcript without its trailer is refused by
// ReadTranscript, as a cut-short file must be.
type Writer struct {
	w      io.Writer
	chain  audit.Chain
	closed bool
}

// NewWriter writes the header to w and returns a Writer for the events.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if h.Schema == "" {
		h.Schema = Schema
	}
	b, err := marshalLine(h)
	if err != nil {
		return nil, fmt.Errorf("protocol: write transcript header: %w", err)
	}
	canon, err := audit.Canonical(b)
	if err != nil {
		return nil, fmt.Errorf("protocol: write transcript header: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("protocol: write transcript header: %w", err)
	}
	return &Writer{w: w, chain: audit.NewChain(h.Session, audit.Genesis(h.Session, canon))}, nil
}

// Write appends events, one line each. Their Seq must run on from the
// events written before (0, 1, 2, ...).
func (w *Writer) Write(events ...Event) error {
	if w.closed {
		return errors.New("protocol: write event: transcript closed")
	}
	for _, ev := range events {
		if int64(ev.Seq) != w.chain.Next {
			return fmt.Errorf("protocol: write event %d: the transcript's next seq is %d", ev.Seq, w.chain.Next)
		}
		b, err := marshalLine(ev)
		if err != nil {
			return fmt.Errorf("protocol: write event %d: %w", ev.Seq, err)
		}
		rec, err := Record(ev) // the line's canonical form, without parsing it again
		if err != nil {
			return fmt.Errorf("protocol: write event %d: %w", ev.Seq, err)
		}
		rec.Session = w.chain.Session
		w.chain.Link(&rec)
		if _, err := w.w.Write(append(withChain(b, rec.Prev, rec.Hash), '\n')); err != nil {
			return fmt.Errorf("protocol: write event %d: %w", ev.Seq, err)
		}
	}
	return nil
}

// Head returns the chain head of what was written so far.
func (w *Writer) Head() parley.ChainHead { return w.chain.ChainHead() }

// Close writes the trailer (the event count and the chain head). It does
// not close the underlying writer; a second Close does nothing.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	b, err := marshalLine(map[string]Trailer{keyTrailer: {Events: w.chain.Next, Head: w.chain.Head}})
	if err == nil {
		_, err = w.w.Write(append(b, '\n'))
	}
	if err != nil {
		return fmt.Errorf("protocol: write transcript trailer: %w", err)
	}
	return nil
}

// WriteTranscript writes a whole transcript, trailer included.
func WriteTranscript(w io.Writer, h Header, events []Event) error {
	tw, err := NewWriter(w, h)
	if err != nil {
		return err
	}
	if err := tw.Write(events...); err != nil {
		return err
	}
	return tw.Close()
}

var eventTypes = map[EventType]bool{
	EvStart: true, EvAction: true, EvClause: true, EvInstruction: true, EvAgenda: true,
	EvExtend: true, EvRecall: true, EvRatificationFailed: true, EvCaucus: true, EvTimeout: true, EvLapse: true,
	EvAgentError: true, EvEnd: true, EvReason: true,
}

// Transcript is a transcript as read: its header, its events, and the
// head of its hash chain.
type Transcript struct {
	Header Header
	Events []Event
	// Monitor holds the monitoring events that follow an agreement in a
	// live session's chain (MonitorType), each line as written without
	// its chain fields; they are checked with the chain, but are not
	// Events: no protocol replays them.
	Monitor []json.RawMessage
	// Head is the chain head the trailer states and the events bear out.
	Head parley.ChainHead
	// Legacy is true for a transcript written before transcripts were
	// chained, read with ReadOptions.Legacy: nothing vouches for it.
	Legacy bool
}

// ReadOptions say what DecodeTranscript accepts.
type ReadOptions struct {
	// Legacy accepts a transcript without a hash chain and trailer (written
	// by parley before they existed) if its last event is an "end": a cut
	// tail shows, but an edit consistent with replay would not. A chained
	// transcript is checked in full either way.
	Legacy bool
}

// ReadTranscript reads a transcript written by WriteTranscript or a
// Writer and checks its hash chain and trailer; see DecodeTranscript.
func ReadTranscript(r io.Reader) (Header, []Event, error) {
	t, err := DecodeTranscript(r, ReadOptions{})
	if t == nil {
		return Header{}, nil, err
	}
	return t.Header, t.Events, err
}

// DecodeTranscript reads a transcript and checks that it is whole: every
// event line links to the one before (package audit), and the trailer
// closes the chain with the right count and head. Errors are
// *parley.PosError values carrying the line (and, for JSON syntax errors,
// the column) and code EINVALID; a broken chain wraps an
// *audit.BreakError naming the first seq where it breaks, and a cut tail
// (no trailer) is a break at the first seq missing. A header whose schema
// is another version of parley.transcript is rejected with a message
// naming both versions. Blank lines are skipped; events must be numbered
// 0, 1, 2, ... in order, and input events must carry their payload.
func DecodeTranscript(r io.Reader, opt ReadOptions) (*Transcript, error) {
	d := &decoder{t: &Transcript{}, opt: opt}
	br := bufio.NewReader(r)
	line := 0
	for {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			// The caller names the file: the system's reason is enough
			// ("read t.jsonl: input/output error" would name it twice).
			var pathErr *fs.PathError
			if errors.As(err, &pathErr) {
				err = pathErr.Err
			}
			return d.t, &parley.PosError{Line: line + 1, Err: fmt.Errorf("protocol: read transcript: %w", err)}
		}
		line++
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if err := d.line(b); err != nil {
			return d.t, posErr(line, err)
		}
	}
	if err := d.finish(line); err != nil {
		return d.t, err
	}
	return d.t, nil
}

// decoder is DecodeTranscript's state between lines.
type decoder struct {
	t   *Transcript
	opt ReadOptions
	v   *audit.Verifier // nil until the header is read
	// chained: the events carry the hash chain; ended: the trailer is read.
	chained, ended bool
}

// line reads one nonblank line: the header, the trailer, a monitoring
// event or a negotiation event. Its error lacks the position.
func (d *decoder) line(b []byte) error {
	t := d.t
	if d.v == nil {
		if err := readHeader(b, &t.Header); err != nil {
			return err
		}
		canon, err := audit.Canonical(b)
		if err != nil {
			return err
		}
		d.v = audit.NewVerifier(t.Header.Session, audit.Genesis(t.Header.Session, canon))
		return nil
	}
	if d.ended {
		return errors.New("content after the trailer")
	}
	var f lineFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	switch {
	case f.Trailer != nil:
		if len(t.Events) > 0 && !d.chained {
			return errors.New("a trailer after events without a hash chain")
		}
		res := d.v.End(&parley.ChainHead{Session: t.Header.Session, Events: f.Trailer.Events, Hash: f.Trailer.Head})
		if !res.Holds() {
			return res.Err()
		}
		d.chained, d.ended = true, true
		return nil
	case MonitorType(f.Type):
		if !d.chained || f.Seq != int64(len(t.Events)+len(t.Monitor)) {
			return fmt.Errorf("event %d: a %s event belongs after a chained negotiation, in sequence", f.Seq, f.Type)
		}
		rec, err := d.step(b, &f)
		if err != nil {
			return err
		}
		t.Monitor = append(t.Monitor, rec.Payload)
		return nil
	case len(t.Monitor) > 0:
		return fmt.Errorf("a %s event after the monitoring events: the negotiation is over", f.Type)
	}
	return d.event(b, &f)
}

// event reads a negotiation event. The first event decides whether the
// transcript is chained (without a chain only ReadOptions.Legacy reads
// it); a chained event must link, an unchained one must be next in seq.
func (d *decoder) event(b []byte, f *lineFields) error {
	t := d.t
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	if err := checkEvent(&ev); err != nil {
		return err
	}
	if len(t.Events) == 0 {
		d.chained = f.Prev != nil || f.Hash != nil
		if !d.chained && !d.opt.Legacy {
			return fmt.Errorf("event %d has no hash: the transcript predates the hash chain or had it stripped (parley replay --legacy reads an old one without the integrity check)", ev.Seq)
		}
	}
	switch {
	case d.chained:
		if _, err := d.step(b, f); err != nil {
			return err
		}
	case f.Prev != nil || f.Hash != nil:
		return fmt.Errorf("event %d has a hash but the events before it have none", ev.Seq)
	case ev.Seq != len(t.Events):
		return fmt.Errorf("event seq %d, want %d", ev.Seq, len(t.Events))
	}
	t.Events = append(t.Events, ev)
	return nil
}

// step links a chained line and steps the verifier with it.
func (d *decoder) step(b []byte, f *lineFields) (parley.EventRecord, error) {
	rec, err := link(d.t.Header.Session, b, f)
	if err != nil {
		return rec, err
	}
	if !d.v.Step(&rec) {
		return rec, d.v.Result().Err()
	}
	return rec, nil
}

// finish checks the end of a transcript of lines lines: a header, and a
// trailer unless it is a legacy one that ends with an end event; it sets
// t.Legacy or t.Head. Its error carries the position.
func (d *decoder) finish(lines int) error {
	t := d.t
	switch {
	case d.v == nil:
		return posErr(1, errors.New("empty transcript: no header"))
	case !d.chained && d.opt.Legacy:
		t.Legacy = true
		if n := len(t.Events); n == 0 || t.Events[n-1].Type != EvEnd {
			return posErr(lines+1, fmt.Errorf("the transcript (without a hash chain) ends after %d events without an end event: cut short?", n))
		}
	case !d.ended:
		return posErr(lines+1, &audit.BreakError{Seq: int64(len(t.Events)), Fault: audit.NoEnd})
	}
	if !t.Legacy {
		t.Head = parley.ChainHead{Session: t.Header.Session, Events: int64(len(t.Events) + len(t.Monitor)), Hash: d.v.Result().Head}
	}
	return nil
}

func readHeader(b []byte, h *Header) error {
	var probe struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	switch {
	case probe.Schema == nil:
		return errors.New("not a parley transcript: the header has no schema")
	case *probe.Schema == Schema:
	case strings.HasPrefix(*probe.Schema, "parley.transcript/"):
		return fmt.Errorf("unsupported transcript schema version %q; this build reads %q", *probe.Schema, Schema)
	default:
		return fmt.Errorf("not a parley transcript: schema %q", *probe.Schema)
	}
	if err := json.Unmarshal(b, h); err != nil {
		return err
	}
	if _, err := Lookup(h.Protocol); err != nil {
		return fmt.Errorf("unknown protocol %q (expected %s)", h.Protocol, parley.ProtocolChoices())
	}
	if h.Scenario == nil {
		return errors.New("the header has no scenario")
	}
	return nil
}

func checkEvent(ev *Event) error {
	if !eventTypes[ev.Type] {
		return fmt.Errorf("event %d: unknown type %q", ev.Seq, ev.Type)
	}
	switch {
	case ev.Type == EvAction && ev.Action == nil:
		return fmt.Errorf("event %d: action event without an action", ev.Seq)
	case ev.Type == EvInstruction && ev.Instruction == nil:
		return fmt.Errorf("event %d: instruction event without an instruction", ev.Seq)
	case ev.Type == EvClause && ev.Clause == nil:
		return fmt.Errorf("event %d: clause event without a clause change", ev.Seq)
	case ev.Type == EvEnd && ev.Result == nil:
		return fmt.Errorf("event %d: end event without a result", ev.Seq)
	case ev.Type == EvCaucus && ev.Message == "":
		return fmt.Errorf("event %d: caucus event without a message", ev.Seq)
	case ev.Type == EvReason && ev.Note == "":
		return fmt.Errorf("event %d: reason event without a note", ev.Seq)
	}
	return nil
}

// posErr positions err; JSON syntax errors also get a column.
func posErr(line int, err error) error {
	pe := &parley.PosError{Line: line}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		pe.Column = int(se.Offset)
	}
	pe.Err = &parley.Error{Code: parley.EINVALID, Message: "protocol: transcript", Err: err}
	return pe
}
