package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley"
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
// line, as they come.
type Writer struct {
	enc *json.Encoder
}

// NewWriter writes the header to w and returns a Writer for the events.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if h.Schema == "" {
		h.Schema = Schema
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("protocol: write transcript header: %w", err)
	}
	return &Writer{enc: enc}, nil
}

// Write appends events, one line each.
func (w *Writer) Write(events ...Event) error {
	for _, ev := range events {
		if err := w.enc.Encode(ev); err != nil {
			return fmt.Errorf("protocol: write event %d: %w", ev.Seq, err)
		}
	}
	return nil
}

// WriteTranscript writes a whole transcript.
func WriteTranscript(w io.Writer, h Header, events []Event) error {
	tw, err := NewWriter(w, h)
	if err != nil {
		return err
	}
	return tw.Write(events...)
}

var eventTypes = map[EventType]bool{
	EvStart: true, EvAction: true, EvClause: true, EvInstruction: true, EvAgenda: true,
	EvExtend: true, EvRecall: true, EvRatificationFailed: true, EvCaucus: true, EvTimeout: true,
	EvAgentError: true, EvEnd: true,
}

// ReadTranscript reads a transcript written by WriteTranscript or a
// Writer. Errors are *parley.PosError values carrying the line (and, for
// JSON syntax errors, the column) and code EINVALID. A header whose schema
// is another version of parley.transcript is rejected with a message
// naming both versions. Blank lines are skipped; events must be numbered
// 0, 1, 2, ... in order, and input events must carry their payload.
func ReadTranscript(r io.Reader) (Header, []Event, error) {
	var h Header
	var events []Event
	br := bufio.NewReader(r)
	line, first := 0, true
	for {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return h, events, &parley.PosError{Line: line + 1, Err: fmt.Errorf("protocol: read transcript: %w", err)}
		}
		line++
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if first {
			first = false
			if err := readHeader(b, &h); err != nil {
				return h, nil, posErr(line, err)
			}
			continue
		}
		var ev Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return h, events, posErr(line, err)
		}
		if err := checkEvent(&ev, len(events)); err != nil {
			return h, events, posErr(line, err)
		}
		events = append(events, ev)
	}
	if first {
		return h, nil, posErr(1, errors.New("empty transcript: no header"))
	}
	return h, events, nil
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

func checkEvent(ev *Event, want int) error {
	if ev.Seq != want {
		return fmt.Errorf("event seq %d, want %d", ev.Seq, want)
	}
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
