package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/parleyhq/parley"
)

// Replay re-runs a transcript: it recompiles the embedded scenario, builds
// the protocol from the header's config, re-applies the recorded actions,
// instructions, timeouts and lapses in order, and checks that the protocol
// produces exactly the recorded events and result. It returns the
// replayed result. A mismatch is an error (code ECONFLICT) naming the
// first differing event by seq and the field that differs; a transcript
// that cannot be replayed at all (bad scenario or config) is EINVALID.
//
// A transcript cut short (no "end" event) replays to a Running result.
func Replay(h Header, events []Event) (Result, error) {
	if h.Scenario == nil {
		return Result{}, invalid("replay: the header has no scenario")
	}
	m, err := h.Scenario.Compile()
	if err != nil {
		return Result{}, fmt.Errorf("protocol: replay: %w", err)
	}
	cfg, err := h.ProtocolConfig()
	if err != nil {
		return Result{}, err
	}
	p, err := cfg.New(m)
	if err != nil {
		return Result{}, err
	}
	got := p.Events()
	for i, rec := range events {
		if i == len(got) {
			if err := apply(p, rec); err != nil {
				return p.Result(), err
			}
			got = append(got, p.Events()...)
		}
		if i == len(got) {
			return p.Result(), mismatch(rec.Seq, "recorded %s event was not produced", rec.Type)
		}
		if err := SameEvent(rec, got[i]); err != nil {
			return p.Result(), err
		}
	}
	if len(got) > len(events) {
		return p.Result(), mismatch(got[len(events)].Seq, "replay produced a %s event the transcript lacks", got[len(events)].Type)
	}
	return p.Result(), nil
}

// apply feeds an input event to p.
func apply(p Protocol, ev Event) error {
	var err error
	switch ev.Type {
	case EvAction:
		if ev.Action == nil {
			return mismatch(ev.Seq, "action event without an action")
		}
		err = p.Step(*ev.Action)
		if err != nil && parley.ErrorCode(err) == parley.EINVALID {
			// An invalid action is recorded with the error it caused;
			// the event comparison checks it.
			err = nil
		}
	case EvInstruction:
		if ev.Instruction == nil {
			return mismatch(ev.Seq, "instruction event without an instruction")
		}
		err = p.Instruct(ev.Actor, ev.Faction, *ev.Instruction)
	case EvCaucus:
		if ev.Audience.Kind != parley.AudienceCaucus {
			return mismatch(ev.Seq, "caucus event whose audience %q is not a caucus", ev.Audience)
		}
		err = p.Caucus(ev.Audience.Seat.Party, ev.Actor, ev.Message)
	case EvTimeout:
		err = p.Timeout()
	case EvLapse:
		err = p.Lapse(ev.Actor)
	case EvAgentError:
		err = p.Fail(ev.Actor, ev.Note)
	default:
		return mismatch(ev.Seq, "recorded %s event was not produced", ev.Type)
	}
	if errors.Is(err, ErrEnded) {
		return mismatch(ev.Seq, "recorded %s event comes after the end", ev.Type)
	}
	if err != nil {
		return parley.Errorf(parley.ECONFLICT, "protocol: replay: event %d: %s rejected: %v", ev.Seq, ev.Type, err)
	}
	return nil
}

func mismatch(seq int, format string, args ...any) error {
	return parley.Errorf(parley.ECONFLICT, "protocol: replay: event %d: "+format, append([]any{seq}, args...)...)
}

// SameEvent compares a recorded event with one produced again, through
// their JSON form (what a transcript keeps), and returns nil or an error
// (code ECONFLICT) naming the event and its first differing field. A
// recorded event without an audience (a transcript written before events
// had one) is compared without it.
func SameEvent(rec, got Event) error {
	if rec.Audience.Kind == parley.AudienceUnset {
		rec.Audience = got.Audience
	}
	a, err1 := json.Marshal(rec)
	b, err2 := json.Marshal(got)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("protocol: replay: %w", err)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	var ma, mb map[string]any
	if err := errors.Join(json.Unmarshal(a, &ma), json.Unmarshal(b, &mb)); err != nil {
		return fmt.Errorf("protocol: replay: %w", err)
	}
	// Name the most telling field first: what happened, then who and how.
	names := []string{"type", "actor", "audience", "action", "instruction", "clause", "message", "result", "note", "faction", "round", "day", "hour", "seq"}
	known := map[string]bool{}
	for _, k := range names {
		known[k] = true
	}
	var extra []string
	for _, m := range []map[string]any{ma, mb} {
		for k := range m {
			if !known[k] {
				known[k] = true
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	names = append(names, extra...)
	for _, k := range names {
		ja, _ := json.Marshal(ma[k])
		jb, _ := json.Marshal(mb[k])
		if !bytes.Equal(ja, jb) {
			return mismatch(rec.Seq, "%s differs: recorded %s, replayed %s", k, ja, jb)
		}
	}
	return mismatch(rec.Seq, "recorded %s, replayed %s", a, b)
}

// EndTime returns the relative time at which a transcript's negotiation
// ended as the protocol counts it: the Turn.Time of the turn whose action
// ended it (rounds used over the deadline, extensions included), 1 when a
// deadline or a timeout ended it or it has not ended. It re-applies the
// inputs without checking the events (Replay checks them); a transcript
// that cannot be replayed gives 1. A runner with a wall-clock deadline
// counts time differently and records its own (package simulate: meta
// "t").
func EndTime(h Header, events []Event) float64 {
	if h.Scenario == nil {
		return 1
	}
	m, err := h.Scenario.Compile()
	if err != nil {
		return 1
	}
	cfg, err := h.ProtocolConfig()
	if err != nil {
		return 1
	}
	p, err := cfg.New(m)
	if err != nil {
		return 1
	}
	last := 1.0
	for _, ev := range events {
		switch ev.Type {
		case EvAction, EvInstruction, EvCaucus, EvTimeout, EvAgentError:
		default:
			continue
		}
		if t, ok := p.Next(); ok {
			last = t.Time
		}
		if apply(p, ev) != nil {
			return 1
		}
		if r := p.Result(); r.End != parley.Running {
			if r.End == parley.Deadline {
				return 1
			}
			return min(last, 1)
		}
	}
	return 1
}
