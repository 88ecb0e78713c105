package parley

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/internal/jsonvalid"
)

// Limits of what a store accepts. They bound the memory one request can
// take; a larger value is refused with EINVALID, never truncated.
const (
	MaxSessionID     = 128      // bytes of a session ID
	MaxDefinition    = 64 << 20 // bytes of a session's definition
	MaxSeats         = 1024     // seats per session
	MaxSeatField     = 256      // bytes of a seat's role or name
	MaxEventType     = 64       // bytes of an event's type
	MaxAudience      = 1024     // bytes of an event's audience
	MaxEventPayload  = 1 << 20  // bytes of an event's payload
	MaxAppendEvents  = 1024     // events in one AppendEvents call
	MaxFindEvents    = 10000    // events one FindEvents call returns at most
	DefaultFindLimit = 1000     // events FindEvents returns when the limit is 0
	MaxFindSessions  = 1000     // sessions one FindSessions call returns at most
	MaxEventCursors  = 1000     // sessions one FindEventsOf call reads at most
)

// Hash is a SHA-256 digest: the hash of an event in the audit chain, a chain
// head, or a seat token's hash at rest. Its text form is 64 lowercase hex
// digits.
type Hash [32]byte

// String returns h in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zeros (no hash).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts exactly 64
// hex digits.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash parses 64 hex digits. Errors have code EINVALID.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, Errorf(EINVALID, "hash: want %d hex digits, got %d characters", 2*len(h), len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, Errorf(EINVALID, "hash: %v", err)
	}
	return h, nil
}

// SessionRecord is a live session as a store keeps it: what it was created
// with and its seats. Its events live in an EventStore.
type SessionRecord struct {
	// ID identifies the session; CreateSession fills it in when empty.
	ID string
	// Definition is what the session was created with (scenario,
	// protocol, configuration, seats), as JSON the store does not
	// interpret. It is covered by the audit chain: the chain's genesis is
	// derived from the ID and these bytes, so stores return them byte for
	// byte.
	Definition json.RawMessage
	// Seats are the session's seats, each with its token's hash.
	Seats []SeatRecord
	// Created is when the store created the session (its clock). It is
	// bookkeeping, not part of the audit chain.
	Created time.Time
}

// SeatRecord is a seat of a session: who sits there and the hash of the
// seat's bearer token (HashToken). The token itself is never stored.
type SeatRecord struct {
	// Session is the ID of the seat's session; stores fill it in.
	Session string
	// Seat numbers the seats of a session from 0.
	Seat int
	// Role is the seat in its text form (Seat.String: "mediator",
	// "observer", "party:P", "principal:P:F"); Name says who sits there.
	Role string
	Name string
	// TokenHash is HashToken of the seat's token; unique in a store.
	TokenHash Hash
}

// EventRecord is one event of a session as stored: its place in the
// session, what the session driver says about it (type, audience, payload)
// and its link in the audit chain.
type EventRecord struct {
	Session string
	// Seq numbers a session's events from 0, without gaps.
	Seq int64
	// Type is the event's type ("action", "clause", "end", ...).
	Type string
	// Audience says who may see the event, in its text form
	// (Audience.String: "everyone", "caucus:1", "party:0", ...); stores
	// keep it but do not interpret it.
	Audience string
	// Payload is the event as JSON, kept byte for byte.
	Payload json.RawMessage
	// Prev is the hash of the event before (for Seq 0, the session's
	// genesis hash) and Hash the hash of this event over its canonical
	// encoding (package audit). AppendEvents sets both.
	Prev Hash
	Hash Hash
}

// ChainHead is the end of a session's audit chain: how many events it has
// and the hash of the last one (the genesis hash while it has none). Two
// parties holding the same head hold the same record.
type ChainHead struct {
	Session string `json:"session"`
	Events  int64  `json:"events"`
	Hash    Hash   `json:"hash"`
}

// EventCursor says where FindEventsOf reads a session's events from: the
// events of Session from seq From on.
type EventCursor struct {
	Session string
	From    int64
}

// SessionFilter selects sessions for FindSessions.
type SessionFilter struct {
	// After, if set, starts the listing after this ID (sessions are listed
	// in ID order), for paging.
	After string
	// Limit caps the number of sessions returned; 0 means 100, at most
	// MaxFindSessions.
	Limit int
}

// SessionStore keeps sessions and their seats. Implementations are safe for
// concurrent use.
type SessionStore interface {
	// CreateSession stores a new session with its seats and no events. It
	// fills in s.ID when empty (NewSessionID), s.Created, and each seat's
	// Session.
	// Returns EINVALID if the record breaks a rule of Validate, ECONFLICT
	// if the ID or a seat's token hash is already in use.
	CreateSession(ctx context.Context, s *SessionRecord) error

	// FindSession returns a session with its seats.
	// Returns ENOTFOUND if there is no such session.
	FindSession(ctx context.Context, id string) (*SessionRecord, error)

	// FindSessions lists sessions (with their seats) in ID order.
	// Returns EINVALID for a limit out of range.
	FindSessions(ctx context.Context, filter SessionFilter) ([]*SessionRecord, error)

	// FindSeat returns the seat of session whose token hashes to
	// tokenHash. A token of another session finds nothing.
	// Returns ENOTFOUND if no seat of that session has that hash (or there
	// is no such session).
	FindSeat(ctx context.Context, session string, tokenHash Hash) (*SeatRecord, error)
}

// EventStore keeps the hash-chained events of sessions. Implementations
// are safe for concurrent use, and an append that returns without error is
// durable: it survives a crash of the process or the machine.
type EventStore interface {
	// AppendEvents appends events to session as its events number next,
	// next+1, ...; next must be the session's current event count, so that
	// a writer that validated an action against the session's state at
	// that count cannot append on top of a state it never saw. Only Type,
	// Audience and Payload of the events are used; the returned records
	// have Session, Seq, Prev and Hash filled in.
	// Returns EINVALID for no events, too many, or an event that breaks a
	// rule of EventRecord.Validate; ENOTFOUND if there is no such session;
	// ECONFLICT if next is not the session's event count (another append
	// came first: re-read the session and retry). If ctx is done before
	// the append starts, nothing is appended and ctx's error is returned.
	AppendEvents(ctx context.Context, session string, next int64, events []EventRecord) ([]EventRecord, error)

	// FindEvents returns the events of session from seq on, in order, at
	// most limit of them (0 means DefaultFindLimit; at most
	// MaxFindEvents). Past the end it returns none.
	// Returns EINVALID for a negative from or a limit out of range;
	// ENOTFOUND if there is no such session.
	FindEvents(ctx context.Context, session string, from int64, limit int) ([]EventRecord, error)

	// FindEventsOf returns the events of several sessions at once, each
	// from its cursor's From on, as one read of the store: the first
	// cursor's session's events in seq order, then the second's, and so
	// on, at most limit in all (0 means DefaultFindLimit; at most
	// MaxFindEvents). When it returns limit events, the last session's may
	// be cut short and the sessions after it are not read: read them again
	// from where the answer ends. A cursor past its session's end, or of a
	// session that does not exist, adds no events. It is what a server
	// reads when it hears that many sessions moved (HeadWatcher): one
	// query where FindEvents would take one per session.
	// Returns EINVALID for more than MaxEventCursors cursors, a negative
	// From, a session named twice, or a limit out of range.
	FindEventsOf(ctx context.Context, cursors []EventCursor, limit int) ([]EventRecord, error)

	// ChainHead returns the head of session's audit chain.
	// Returns ENOTFOUND if there is no such session.
	ChainHead(ctx context.Context, session string) (ChainHead, error)
}

// HeadWatcher is implemented by an EventStore that several processes
// share (PostgreSQL): it tells a process that a session's events moved on,
// appended by it or by another process, so that a server can pass the new
// events to its event streams and reload what it holds in memory.
type HeadWatcher interface {
	// WatchHeads calls moved with a session's chain head soon after each
	// commit that appends to it, until ctx ends; it then returns ctx's
	// error. When it cannot tell (its connection to the database is lost,
	// or was just restored and may have missed some), it calls moved with
	// the zero ChainHead, and again at least once a second while it
	// cannot: the caller should then re-read the heads of the sessions it
	// holds (polling by sequence number). moved is called from one
	// goroutine at a time and should not block for long.
	WatchHeads(ctx context.Context, moved func(ChainHead)) error
}

// Validate checks what a store checks before creating s: an ID (when set)
// and the definition within their limits, the definition valid JSON,
// seats numbered 0, 1, 2, ... with a role, a name and distinct token
// hashes. Errors have code EINVALID.
func (s *SessionRecord) Validate() error {
	if len(s.ID) > MaxSessionID {
		return Errorf(EINVALID, "session ID of %d bytes exceeds the limit of %d", len(s.ID), MaxSessionID)
	}
	if !printable(s.ID) {
		return Errorf(EINVALID, "session ID %q: only printable ASCII without spaces", s.ID)
	}
	if len(s.Definition) > MaxDefinition {
		return Errorf(EINVALID, "session definition of %d bytes exceeds the limit of %d", len(s.Definition), MaxDefinition)
	}
	if !jsonvalid.Valid(s.Definition) {
		return Errorf(EINVALID, "session definition is not valid JSON")
	}
	if len(s.Seats) > MaxSeats {
		return Errorf(EINVALID, "%d seats exceed the limit of %d", len(s.Seats), MaxSeats)
	}
	hashes := make(map[Hash]bool, len(s.Seats))
	for i, st := range s.Seats {
		switch {
		case st.Seat != i:
			return Errorf(EINVALID, "seat %d is numbered %d; seats are numbered 0, 1, 2, ...", i, st.Seat)
		case st.Role == "" || len(st.Role) > MaxSeatField || !utf8.ValidString(st.Role):
			return Errorf(EINVALID, "seat %d: role must be 1 to %d bytes of UTF-8", i, MaxSeatField)
		case len(st.Name) > MaxSeatField || !utf8.ValidString(st.Name):
			return Errorf(EINVALID, "seat %d: name must be at most %d bytes of UTF-8", i, MaxSeatField)
		case st.TokenHash.IsZero():
			return Errorf(EINVALID, "seat %d: token hash required", i)
		case hashes[st.TokenHash]:
			return Errorf(EINVALID, "seat %d: token hash used by another seat", i)
		}
		hashes[st.TokenHash] = true
	}
	return nil
}

// Validate checks what a store checks of an event before appending it: a
// type of 1 to MaxEventType bytes, an audience of at most MaxAudience
// bytes, both UTF-8, and a payload of valid JSON of at most MaxEventPayload
// bytes. Errors have code EINVALID.
func (e *EventRecord) Validate() error {
	switch {
	case e.Type == "" || len(e.Type) > MaxEventType || !utf8.ValidString(e.Type):
		return Errorf(EINVALID, "event type must be 1 to %d bytes of UTF-8", MaxEventType)
	case len(e.Audience) > MaxAudience || !utf8.ValidString(e.Audience):
		return Errorf(EINVALID, "event audience must be at most %d bytes of UTF-8", MaxAudience)
	case len(e.Payload) > MaxEventPayload:
		return Errorf(EINVALID, "event payload of %d bytes exceeds the limit of %d", len(e.Payload), MaxEventPayload)
	case !jsonvalid.Valid(e.Payload):
		return Errorf(EINVALID, "event payload is not valid JSON")
	}
	return nil
}

// ValidateAppend checks the arguments of an AppendEvents call, as every
// EventStore does before anything else. Errors have code EINVALID and name
// the event at fault.
func ValidateAppend(next int64, events []EventRecord) error {
	switch {
	case next < 0:
		return Errorf(EINVALID, "append at seq %d: sequence numbers start at 0", next)
	case len(events) == 0:
		return Errorf(EINVALID, "append: no events")
	case len(events) > MaxAppendEvents:
		return Errorf(EINVALID, "append: %d events exceed the limit of %d per call", len(events), MaxAppendEvents)
	}
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return Errorf(EINVALID, "event %d: %s", next+int64(i), ErrorMessage(err))
		}
	}
	return nil
}

// FindLimit resolves the limit of a FindEvents call: 0 means
// DefaultFindLimit. Errors have code EINVALID.
func FindLimit(from int64, limit int) (int, error) {
	switch {
	case from < 0:
		return 0, Errorf(EINVALID, "find events from seq %d: sequence numbers start at 0", from)
	case limit < 0 || limit > MaxFindEvents:
		return 0, Errorf(EINVALID, "find events: limit %d out of range 0 to %d", limit, MaxFindEvents)
	case limit == 0:
		return DefaultFindLimit, nil
	}
	return limit, nil
}

// FindOfLimit checks the arguments of a FindEventsOf call, as every
// EventStore does before reading, and resolves its limit (0 means
// DefaultFindLimit). Errors have code EINVALID.
func FindOfLimit(cursors []EventCursor, limit int) (int, error) {
	if len(cursors) > MaxEventCursors {
		return 0, Errorf(EINVALID, "find events of %d sessions: at most %d at once", len(cursors), MaxEventCursors)
	}
	seen := make(map[string]int, len(cursors))
	for i, c := range cursors {
		if c.From < 0 {
			return 0, Errorf(EINVALID, "find events: cursor %d from seq %d: sequence numbers start at 0", i, c.From)
		}
		if j, ok := seen[c.Session]; ok {
			return 0, Errorf(EINVALID, "find events: cursors %d and %d name the same session", j, i)
		}
		seen[c.Session] = i
	}
	return FindLimit(0, limit)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// String formats a head as "events@hash" for logs and messages.
func (h ChainHead) String() string { return fmt.Sprintf("%d@%s", h.Events, h.Hash) }
