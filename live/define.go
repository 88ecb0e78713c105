package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/simulate"
)

// A live session's definition — what the store keeps and the audit chain's
// genesis covers — is its transcript header (protocol.Definition): the
// scenario, the protocol and its configuration, the seed and who plays
// each seat, with the server's own settings in the header's meta under
// metaKey. A session is built from its definition alone, when it is
// created as when it is restored, so that both come out alike.

// Limits of a live session's settings: every round of a session is kept
// in memory while it is live, and a session on a fast calendar that was
// left alone lapses round after round.
const (
	MaxRounds = 10000       // deadline in rounds
	MinRound  = time.Second // wall-clock length of a round on the calendar
)

// metaKey is the key of the server's settings in the header's meta.
const metaKey = "serve"

// settings are the server's settings of a session; replay ignores them.
type settings struct {
	// Start is when the session started on the wall clock.
	Start time.Time `json:"start"`
	// Deadline is the wall-clock deadline from Start (0: none).
	Deadline Duration `json:"deadline,omitzero"`
	// Hour is the wall-clock length of an hour of session (0: none).
	Hour Duration `json:"hour,omitzero"`
	// Target is suggested to a built-in mediator.
	Target parley.Outcome `json:"target,omitempty"`
	// Seats say who plays each seat, in SeatRecord order.
	Seats []seatDef `json:"seats"`
}

type seatDef struct {
	Seat   parley.Seat `json:"seat"`
	Player string      `json:"player"`
}

// define turns a spec into a session's transcript header and its
// scenario (from models: shared, read-only); it checks every setting.
// Errors have code EINVALID.
func define(ctx context.Context, sp *Spec, id string, now time.Time, models *modelCache) (protocol.Header, *scenarioEntry, error) {
	e, err := models.load(sp)
	if err != nil {
		return protocol.Header{}, nil, err
	}
	cfg, err := simulate.FromScenario(e.scenario, sp.Protocol)
	if err != nil {
		return protocol.Header{}, nil, parley.Errorf(parley.EINVALID, "protocol: %s", parley.ErrorMessage(err))
	}
	if sp.Deadline.Rounds > 0 {
		cfg.Rounds = sp.Deadline.Rounds
	}
	if cfg.Rounds > MaxRounds {
		return protocol.Header{}, nil, parley.Errorf(parley.EINVALID, "deadline: %d rounds; a live session has at most %d", cfg.Rounds, MaxRounds)
	}
	pc, err := cfg.ProtocolConfig()
	if err != nil {
		return protocol.Header{}, nil, err
	}
	if h := time.Duration(sp.Hour); h != 0 {
		day, hour := protocol.Calendar(pc, 1) // when the second round starts
		if round := time.Duration((24*float64(day) + hour) * float64(h)); round < MinRound {
			return protocol.Header{}, nil, parley.Errorf(parley.EINVALID, "hour: at %s an hour, a round lasts %s on the wall clock; it must last at least %s", h, round, MinRound)
		}
	}
	m := e.model
	if _, err := pc.New(m); err != nil { // the configuration, checked now
		return protocol.Header{}, nil, err
	}
	info, _ := protocol.Lookup(pc.Name())
	seats := seatsOf(m, info.Mediated)
	if err := assign(seats, sp.Seats, pc.Name()); err != nil {
		return protocol.Header{}, nil, err
	}
	st := settings{Start: now.UTC(), Deadline: sp.Deadline.Duration, Hour: sp.Hour}
	for _, x := range seats {
		st.Seats = append(st.Seats, seatDef{Seat: x.Seat, Player: x.Player})
		if x.Seat.Role == parley.SeatMediator && x.Player != Human && x.Player != Remote {
			st.Target = e.mediatorTarget(ctx)
		}
	}
	seed := randomSeed()
	if sp.Seed != nil {
		seed = *sp.Seed
	}
	h, err := protocol.NewHeader(e.scenario, pc, seed)
	if err != nil {
		return protocol.Header{}, nil, err
	}
	h.Session, h.Agents = id, agentInfo(m, seats)
	h.Meta = map[string]any{metaKey: st}
	return h, e, nil
}

// scenarioNull is the scenario in the canonical form of a header without
// its scenario.
var scenarioNull = []byte(`"scenario":null`)

// definition is protocol.Definition(h), h's scenario being e's, without
// encoding the scenario again: the canonical form of an object is its
// members' canonical forms in key order, so the header's is that of the
// header without its scenario (bare, also returned), e's canonical JSON
// in the scenario's place.
func definition(h protocol.Header, e *scenarioEntry) (def, bare []byte, err error) {
	h.Scenario = nil
	if bare, err = protocol.Definition(h); err != nil {
		return nil, nil, err
	}
	// Only a member can hold `"scenario":null` (a string holds no bare
	// quote), and only the header's is named so; if another ever is, the
	// header is encoded whole.
	if i := bytes.Index(bare, scenarioNull); i >= 0 && bytes.LastIndex(bare, scenarioNull) == i {
		def = make([]byte, 0, len(bare)+len(e.canon))
		def = append(def, bare[:i+len(scenarioNull)-len("null")]...)
		def = append(def, e.canon...)
		return append(def, bare[i+len(scenarioNull):]...), bare, nil
	}
	h.Scenario = e.scenario
	def, err = protocol.Definition(h)
	return def, bare, err
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return binary.LittleEndian.Uint64(b[:]) >> 1
}

// built is a session made from its definition: what it is (protocol,
// scenario), the compiled model (shared with the other sessions of the
// scenario), the seats and a fresh driver. Neither the definition nor
// its decoded header is kept: they are most of an idle session's memory,
// and the store has them.
type built struct {
	protocol parley.ProtocolName
	scenario string
	variant  string
	model    *parley.Model
	seats    []SeatInfo
	public   []SeatInfo // publicSeats(seats), made when first needed
	driver   *session.Driver
	// What a remote agent's settings say: the deadline in rounds and on
	// the wall clock, and the session's seed (each seat draws its own).
	rounds   int
	deadline time.Duration
	seed     uint64
}

// storedHeader is a stored definition as build reads it: the scenario
// and the server's settings left encoded.
type storedHeader struct {
	protocol.Header
	Scenario json.RawMessage            `json:"scenario"`
	Meta     map[string]json.RawMessage `json:"meta,omitempty"`
	settings settings
}

// decodeDefinition reads a stored definition, or one without its
// scenario. Errors have code EINVALID.
func decodeDefinition(def []byte) (*storedHeader, error) {
	var h storedHeader
	if err := json.Unmarshal(def, &h); err != nil {
		return nil, parley.Errorf(parley.EINVALID, "live: session definition: %v", err)
	}
	if err := json.Unmarshal(h.Meta[metaKey], &h.settings); err != nil {
		return nil, parley.Errorf(parley.EINVALID, "live: session definition without its settings or scenario")
	}
	return &h, nil
}

// build makes a session from its stored definition, with a fresh driver;
// the scenario and its model come from models. A definition this server
// cannot use is an error (EINVALID).
func build(def []byte, clock func() time.Time, models *modelCache) (*built, error) {
	h, err := decodeDefinition(def)
	if err != nil {
		return nil, err
	}
	if len(h.Scenario) == 0 || string(h.Scenario) == "null" {
		return nil, parley.Errorf(parley.EINVALID, "live: session definition without its settings or scenario")
	}
	e, err := models.scenario(h.Scenario)
	if err != nil {
		return nil, err
	}
	return h.build(e, clock)
}

// build makes the session h defines on e's scenario (h's own scenario, if
// it has one, is not read).
func (h *storedHeader) build(e *scenarioEntry, clock func() time.Time) (*built, error) {
	st := &h.settings
	b := built{protocol: h.Protocol, scenario: e.scenario.ID, variant: e.scenario.Variant, model: e.model,
		deadline: time.Duration(st.Deadline), seed: h.Seed}
	pc, err := h.ProtocolConfig()
	if err != nil {
		return nil, err
	}
	b.rounds = pc.DeadlineRounds()
	info, _ := protocol.Lookup(pc.Name())
	b.seats = seatsOf(b.model, info.Mediated)
	if len(b.seats) != len(st.Seats) {
		return nil, parley.Errorf(parley.EINVALID, "live: session definition has %d seats, the scenario %d", len(st.Seats), len(b.seats))
	}
	for i, sd := range st.Seats {
		if sd.Seat != b.seats[i].Seat {
			return nil, parley.Errorf(parley.EINVALID, "live: session definition: seat %d is %s, want %s", i, sd.Seat, b.seats[i].Seat)
		}
		b.seats[i].Player = sd.Player
	}
	cfg := session.Config{Protocol: pc, Seed: h.Seed, Target: st.Target, Clock: clock,
		Deadline: time.Duration(st.Deadline), Hour: time.Duration(st.Hour), Start: st.Start}
	if cfg.Parties, cfg.Mediator, cfg.Principals, err = players(b.model, b.seats); err != nil {
		return nil, err
	}
	if b.driver, err = session.New(b.model, cfg); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	return &b, nil
}
