package live

import (
	"context"
	"encoding/json"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/session"
)

// Turn is the event a session's streams carry when whose move it is
// changes (session.Driver.Move), with the seat named as the view names it.
// It is derived, not stored: it has no seq of its own and is not in the
// record, the transcript or the chain; After says which stored event it
// follows.
type Turn struct {
	session.Move
	// Mover is the seat whose move it is, as View.Seats lists it; null
	// after the end.
	Mover *SeatInfo `json:"move"`
}

// IsTurn reports whether a record a Subscription delivers is a turn event
// (derived, not stored: its Seq is that of the stored event it follows,
// its Prev and Hash are zero) rather than a stored event.
func IsTurn(r parley.EventRecord) bool { return r.Type == string(session.EvTurn) }

// SubscribeTurns is Subscribe for a stream that also carries the turn
// events, each after the stored events that moved the turn on; it returns
// the move as it stands at From, for the stream to start with.
func (s *Session) SubscribeTurns(ctx context.Context, seat parley.Seat) (*Subscription, parley.EventRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, parley.EventRecord{}, err
	}
	sub := s.subscribe(seat)
	sub.turns = true
	rec, mv := s.turnRecord()
	s.told = &mv
	if !mv.Audience.Includes(seat) {
		rec = parley.EventRecord{}
	}
	return sub, rec, nil
}

// turnRecord returns the driver's move as a record for the streams; the
// lock is held and the session loaded.
func (s *Session) turnRecord() (parley.EventRecord, session.Move) {
	mv := s.b.driver.Move()
	t := Turn{Move: mv}
	if mv.Seat != nil {
		seats := publicSeats(s.b.seats)
		if i := findSeat(seats, mv.Seat.String()); i >= 0 {
			t.Mover = &seats[i]
		}
	}
	payload, err := json.Marshal(t)
	if err != nil {
		panic(err) // plain fields: cannot fail
	}
	return parley.EventRecord{Session: s.id, Seq: int64(mv.After), Type: string(mv.Type), Audience: mv.Audience.String(), Payload: payload}, mv
}

// publishTurn hands the turn subscribers the move when it is not the one
// they were last told, once the events that moved it are stored and
// published. The lock is held.
func (s *Session) publishTurn() {
	if s.b == nil {
		return
	}
	mv := s.b.driver.Move()
	if s.told != nil && s.told.Same(mv) {
		return
	}
	s.told = &mv
	if len(s.subs) == 0 {
		return
	}
	rec, _ := s.turnRecord()
	aud := mv.Audience
	for sub := range s.subs {
		if !sub.turns || !aud.Includes(sub.seat) {
			continue
		}
		if !sub.offer([]parley.EventRecord{rec}) {
			sub.drop()
		}
	}
}
