package live

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Created answers Create: the new session's ID, its seats each with its
// token (shown this once), and its chain head after the built-in agents'
// first moves.
type Created struct {
	ID       string              `json:"id"`
	Scenario string              `json:"scenario"`
	Variant  string              `json:"variant,omitempty"`
	Protocol parley.ProtocolName `json:"protocol"`
	Seats    []SeatInfo          `json:"seats"`
	Head     parley.ChainHead    `json:"head"`
}

// Create starts a live session: it checks the spec, stores the session
// with a hash of each seat's new token, lets the built-in agents make
// their first moves, and stores those, all before returning. Returns
// EINVALID for a spec that breaks a rule (the message says which).
func (m *Manager) Create(ctx context.Context, sp *Spec) (*Created, error) {
	if m.isClosed() {
		return nil, ErrClosed
	}
	id := parley.NewSessionID()
	h, e, err := define(ctx, sp, id, m.now(), &m.models)
	if err != nil {
		return nil, err
	}
	def, bare, err := definition(h, e)
	if err != nil {
		return nil, err
	}
	// Built from the stored form, as a restore will be (the scenario
	// decoded from its canonical JSON, which def embeds).
	sh, err := decodeDefinition(bare)
	if err != nil {
		return nil, err
	}
	b, err := sh.build(e, m.now)
	if err != nil {
		return nil, err
	}
	rec := &parley.SessionRecord{ID: id, Definition: def}
	out := &Created{ID: id, Scenario: h.Scenario.ID, Variant: h.Scenario.Variant, Protocol: h.Protocol}
	for i, st := range b.seats {
		token, hash := parley.NewToken()
		rec.Seats = append(rec.Seats, parley.SeatRecord{Seat: i, Role: st.Role, Name: st.Name, TokenHash: hash})
		st.Token = token
		out.Seats = append(out.Seats, st)
	}
	if err := m.Sessions.CreateSession(ctx, rec); err != nil {
		return nil, err
	}
	// A new session's chain is its genesis, which every store derives
	// from the ID and the definition (parley.SessionRecord): no need to
	// read it back.
	head := parley.ChainHead{Session: id, Hash: audit.Genesis(id, def)}
	s := &Session{id: id, m: m}
	s.mu.Lock()
	s.install(rec, b, head)
	s.mu.Unlock()
	if err := m.add(s); err != nil {
		return nil, err
	}
	if _, err := s.do(ctx, func(d *session.Driver) ([]protocol.Event, error) { return d.Run(ctx) }); err != nil {
		return nil, err
	}
	out.Head = s.Head()
	return out, nil
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// add puts a new session in memory.
func (m *Manager) add(s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.sessions == nil {
		m.sessions = map[string]*Session{}
	}
	m.sessions[s.id] = s
	return nil
}

// Head returns the chain head of what the session has stored, as this
// server last wrote or read it.
func (s *Session) Head() parley.ChainHead {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}
