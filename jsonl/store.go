// Package jsonl keeps an accord's monitoring record (parley.MonitorStore)
// in a JSON Lines file: a header line, then one record a line — the
// accord, incidents and verification events — in the order they were
// added. Records are hash-chained as transcripts are (package audit): each
// carries its "seq", the "prev" hash and its own "hash" over the canonical
// JSON of the rest of the line, from a genesis derived from the header,
// so that an edited, deleted, inserted or reordered line is found when
// the register is opened (Head is the chain's end, to compare with one
// kept elsewhere: a cut tail shows only so). Appends are written in one write and synced before they are
// acknowledged; a last line cut short by a crash (never acknowledged) is
// reported and cut off on the next write. The file is locked while a
// Store is open, so one process writes at a time.
package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/internal/limit"
)

// Schema is the header line's schema name: version 2 chains its records.
// Registers of version 1 (SchemaV1, before the chain) are read and
// extended as they are, unchained.
const (
	Schema   = "parley.monitor/2"
	SchemaV1 = "parley.monitor/1"
)

// chainSession is the session name of a register's chain (audit.Genesis).
const chainSession = "parley.monitor"

type header struct {
	Schema string `json:"schema"`
}

type record struct {
	// Seq, Prev and Hash link the record into the chain (version 2).
	Seq      *int64            `json:"seq,omitempty"`
	Prev     *parley.Hash      `json:"prev,omitempty"`
	Hash     *parley.Hash      `json:"hash,omitempty"`
	Type     string            `json:"type"`
	Accord   *parley.Accord    `json:"accord,omitempty"`
	Incident *parley.Incident  `json:"incident,omitempty"`
	Event    *parley.CaseEvent `json:"event,omitempty"`
}

// Store is a monitoring record in a JSON Lines file.
type Store struct {
	path      string
	max       int64 // the input size limit the register is read within
	f         *os.File
	size      int64 // bytes of complete lines
	torn      bool  // the file ends in an incomplete line, to cut off
	warnings  []string
	accord    *parley.Accord
	incidents []parley.Incident
	keys      map[string]bool
	events    []parley.CaseEvent
	// chained: the register is of version 2; chain is its end so far
	// (verify checks the lines read against it).
	chained bool
	verify  *audit.Verifier
	chain   audit.Chain
}

var _ parley.MonitorStore = (*Store)(nil)

// Open opens (or creates) the register at path and locks it, reading it
// within limit.DefaultMaxInput; see OpenLimit.
func Open(path string) (*Store, error) { return OpenLimit(path, 0) }

// OpenLimit opens (or creates) the register at path and locks it. A file
// that is not a register, or a corrupt line, is EINVALID with the line
// number. The register is read whole, within max bytes (max <= 0:
// limit.DefaultMaxInput), like every other input ('--max-input-size'): a
// larger one is refused with ELIMIT naming the file and the limit
// (wrapping limit.ErrTooLarge).
func OpenLimit(path string, max int64) (*Store, error) {
	if max <= 0 {
		max = limit.DefaultMaxInput
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, &parley.Error{Code: parley.ECONFLICT, Message: "register " + path + " is in use by another process", Err: err}
	}
	s := &Store{path: path, f: f, max: max, keys: map[string]bool{}}
	if err := s.load(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// Verify reads the register at path as OpenLimit does — every line
// checked, the chain followed from the header's genesis — without
// creating, locking or writing it (an audit needs only read access, and a
// register another process holds open can be checked). It returns the
// chain's head (zero for a register of version 1, which has no chain) and
// what was noticed; a chain that breaks is an error wrapping the audit's
// *audit.BreakError, in a *parley.PosError with the line.
func Verify(path string, max int64) (parley.ChainHead, []string, error) {
	if max <= 0 {
		max = limit.DefaultMaxInput
	}
	f, err := os.Open(path)
	if err != nil {
		return parley.ChainHead{}, nil, fmt.Errorf("register: %w", err)
	}
	defer f.Close()
	s := &Store{path: path, f: f, max: max, keys: map[string]bool{}}
	if err := s.load(); err != nil {
		return parley.ChainHead{}, s.warnings, err
	}
	if s.size == 0 {
		return parley.ChainHead{}, s.warnings, s.corrupt(1, "not a parley monitoring register (no header line)")
	}
	return s.Head(), s.warnings, nil
}

// Close unlocks and closes the file.
func (s *Store) Close() error { return s.f.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Warnings lists what Open noticed and repaired (an incomplete last line,
// a register from before the chain).
func (s *Store) Warnings() []string { return s.warnings }

// Head returns the end of the register's chain: how many records it holds
// and the last one's hash (zero for a register of version 1).
func (s *Store) Head() parley.ChainHead {
	if !s.chained {
		return parley.ChainHead{}
	}
	return s.chain.ChainHead()
}

// headerLine is the first line of a new register.
func headerLine() []byte {
	h, _ := json.Marshal(header{Schema: Schema})
	return h
}

// genesis is the chain's start for a register whose header line is b.
func genesis(b []byte) (parley.Hash, error) {
	canon, err := audit.Canonical(b)
	if err != nil {
		return parley.Hash{}, err
	}
	return audit.Genesis(chainSession, canon), nil
}

func (s *Store) corrupt(line int, format string, args ...any) error {
	return &parley.PosError{File: s.path, Line: line, Err: parley.Errorf(parley.EINVALID, format, args...)}
}

func (s *Store) load() error {
	if fi, err := s.f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > s.max {
		return limit.TooLarge("register "+s.path, s.max)
	}
	// Whatever the file is, no more than the limit is read.
	r := bufio.NewReader(io.LimitReader(s.f, s.max+1))
	line := 0
	var off int64
	for {
		b, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: gather it (the reader stops past the limit).
			buf := append([]byte(nil), b...)
			for err == bufio.ErrBufferFull {
				b, err = r.ReadSlice('\n')
				buf = append(buf, b...)
			}
			b = buf
		}
		if off+int64(len(b)) > s.max {
			return limit.TooLarge("register "+s.path, s.max)
		}
		if err == io.EOF {
			if len(b) > 0 {
				s.torn = true
				s.warnings = append(s.warnings, fmt.Sprintf("%s:%d: the last line is incomplete (%d bytes, a write cut short); it was never acknowledged and will be cut off on the next write", s.path, line+1, len(b)))
			}
			break
		}
		if err != nil {
			return fmt.Errorf("register %s: %w", s.path, err)
		}
		line++
		off += int64(len(b))
		if err := s.parse(line, bytes.TrimSpace(b)); err != nil {
			return err
		}
	}
	s.size = off
	return nil
}

func (s *Store) parse(line int, b []byte) error {
	if line == 1 {
		var h header
		if err := json.Unmarshal(b, &h); err != nil || h.Schema == "" {
			return s.corrupt(line, "not a parley monitoring register (expected a header line with schema %q)", Schema)
		}
		switch h.Schema {
		case Schema:
			g, err := genesis(b)
			if err != nil {
				return s.corrupt(line, "bad header: %v", err)
			}
			s.chained, s.verify, s.chain = true, audit.NewVerifier(chainSession, g), audit.NewChain(chainSession, g)
		case SchemaV1:
			s.warnings = append(s.warnings, fmt.Sprintf("%s: a register of %s, from before records were hash-chained: nothing vouches for it; sign into a new register to have the chain", s.path, SchemaV1))
		default:
			return s.corrupt(line, "unsupported register schema %q (this parley reads %q and %q)", h.Schema, Schema, SchemaV1)
		}
		return nil
	}
	var rec record
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return s.corrupt(line, "bad record: %v", err)
	}
	if err := s.link(line, b, &rec); err != nil {
		return err
	}
	switch {
	case rec.Type == "accord" && rec.Accord != nil:
		if s.accord != nil {
			return s.corrupt(line, "a second accord; a register holds one")
		}
		s.accord = rec.Accord
	case rec.Type == "incident" && rec.Incident != nil:
		if rec.Incident.Key == "" || s.keys[rec.Incident.Key] {
			return s.corrupt(line, "incident with an empty or repeated key %q", rec.Incident.Key)
		}
		s.keys[rec.Incident.Key] = true
		s.incidents = append(s.incidents, *rec.Incident)
	case rec.Type == "event" && rec.Event != nil:
		if rec.Event.Seq != len(s.events) {
			return s.corrupt(line, "event %d out of sequence (expected %d)", rec.Event.Seq, len(s.events))
		}
		if s.accord == nil {
			return s.corrupt(line, "a verification event before the accord")
		}
		s.events = append(s.events, *rec.Event)
	default:
		return s.corrupt(line, "unknown record type %q", rec.Type)
	}
	return nil
}

// link checks a record line's place in the chain (version 2), or that it
// has none (version 1).
func (s *Store) link(line int, b []byte, rec *record) error {
	if !s.chained {
		if rec.Seq != nil || rec.Prev != nil || rec.Hash != nil {
			return s.corrupt(line, "a hash-chained record in a register of %s", SchemaV1)
		}
		return nil
	}
	if rec.Seq == nil || rec.Prev == nil || rec.Hash == nil {
		return s.corrupt(line, "a record without its seq, prev and hash: the chain is broken")
	}
	payload, err := audit.Canonical(b, "prev", "hash")
	if err != nil {
		return s.corrupt(line, "bad record: %v", err)
	}
	e := parley.EventRecord{Session: chainSession, Seq: *rec.Seq, Type: rec.Type, Payload: payload, Prev: *rec.Prev, Hash: *rec.Hash}
	if !s.verify.Step(&e) {
		// The error wraps the audit's *audit.BreakError (errors.As), for
		// a verdict that names the first broken record.
		res := s.verify.Result()
		msg := fmt.Sprintf("the register's chain breaks at record %d: %s (an edited, deleted, inserted or moved line)", res.Seq, breakWhy(res))
		return &parley.PosError{File: s.path, Line: line, Err: &parley.Error{Code: parley.EINVALID, Message: msg, Err: res.Err()}}
	}
	s.chain.Link(&e) // the same link: advances the chain the next append continues
	return nil
}

func breakWhy(r audit.Result) string {
	var be *audit.BreakError
	if errors.As(r.Err(), &be) {
		return be.Reason()
	}
	return r.Fault.String()
}

// encode writes a record as a line (without the newline), linking it
// into the chain c (version 2).
func (s *Store) encode(r record, c *audit.Chain) ([]byte, error) {
	if !s.chained {
		return json.Marshal(r)
	}
	seq := c.Next
	r.Seq = &seq
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	payload, err := audit.Canonical(b)
	if err != nil {
		return nil, err
	}
	e := parley.EventRecord{Type: r.Type, Payload: payload}
	c.Link(&e)
	r.Prev, r.Hash = &e.Prev, &e.Hash
	return json.Marshal(r)
}

// append writes records as one write and syncs the file.
func (s *Store) append(recs []record) error {
	var buf bytes.Buffer
	if s.size == 0 {
		h := headerLine()
		g, err := genesis(h)
		if err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "register: the header", Err: err}
		}
		s.chained, s.chain = true, audit.NewChain(chainSession, g)
		buf.Write(h)
		buf.WriteByte('\n')
	}
	chain := s.chain
	for _, r := range recs {
		b, err := s.encode(r, &chain)
		if err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "register: encoding a record", Err: err}
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if s.torn {
		if err := s.f.Truncate(s.size); err != nil {
			return fmt.Errorf("register %s: cutting off the incomplete line: %w", s.path, err)
		}
		s.torn = false
	}
	if _, err := s.f.WriteAt(buf.Bytes(), s.size); err != nil {
		return fmt.Errorf("register %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("register %s: %w", s.path, err)
	}
	s.size += int64(buf.Len())
	s.chain = chain
	return nil
}

// Accord implements parley.MonitorStore.
func (s *Store) Accord(ctx context.Context) (*parley.Accord, error) {
	if s.accord == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "register %s holds no agreement; sign one first (parley monitor sign)", s.path)
	}
	a := *s.accord
	return &a, nil
}

// Sign implements parley.MonitorStore.
func (s *Store) Sign(ctx context.Context, a *parley.Accord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.accord != nil {
		x, _ := json.Marshal(s.accord)
		y, _ := json.Marshal(a)
		if bytes.Equal(x, y) {
			return nil
		}
		return parley.Errorf(parley.ECONFLICT, "register %s already holds the agreement %s/%s signed %s; use another register file", s.path, s.accord.Scenario, variantName(s.accord), s.accord.Signed)
	}
	if err := s.append([]record{{Type: "accord", Accord: a}}); err != nil {
		return err
	}
	c := *a
	s.accord = &c
	return nil
}

func variantName(a *parley.Accord) string {
	if a.Variant == "" {
		return "base"
	}
	return a.Variant
}

// AddIncidents implements parley.MonitorStore.
func (s *Store) AddIncidents(ctx context.Context, in []parley.Incident) ([]parley.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	batch := map[string]bool{}
	var added []parley.Incident
	var recs []record
	for i := range in {
		k := in[i].Key
		if k == "" {
			return nil, parley.Errorf(parley.EINVALID, "incident %d of the batch has no key", i+1)
		}
		if batch[k] {
			return nil, parley.Errorf(parley.EINVALID, "incident key %q appears twice in the batch", k)
		}
		batch[k] = true
		if s.keys[k] {
			continue
		}
		added = append(added, in[i])
		recs = append(recs, record{Type: "incident", Incident: &in[i]})
	}
	if len(recs) == 0 {
		return added, nil
	}
	if err := s.append(recs); err != nil {
		return nil, err
	}
	for _, x := range added {
		s.keys[x.Key] = true
		s.incidents = append(s.incidents, x)
	}
	return added, nil
}

// Incidents implements parley.MonitorStore.
func (s *Store) Incidents(ctx context.Context) ([]parley.Incident, error) {
	return append([]parley.Incident(nil), s.incidents...), nil
}

// AppendCaseEvents implements parley.MonitorStore.
func (s *Store) AppendCaseEvents(ctx context.Context, evs []parley.CaseEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.accord == nil {
		return parley.Errorf(parley.ENOTFOUND, "register %s holds no agreement; sign one first (parley monitor sign)", s.path)
	}
	recs := make([]record, len(evs))
	for i := range evs {
		if want := len(s.events) + i; evs[i].Seq != want {
			return parley.Errorf(parley.ECONFLICT, "event sequence %d does not follow the register's last (%d); the register changed underneath", evs[i].Seq, want-1)
		}
		recs[i] = record{Type: "event", Event: &evs[i]}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := s.append(recs); err != nil {
		return err
	}
	s.events = append(s.events, evs...)
	return nil
}

// CaseEvents implements parley.MonitorStore.
func (s *Store) CaseEvents(ctx context.Context) ([]parley.CaseEvent, error) {
	return append([]parley.CaseEvent(nil), s.events...), nil
}

// Exists reports whether a register file exists at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
