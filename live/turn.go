package live

import (
	"context"
	"encoding/json"
	"math"
	"strconv"

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
		seats := s.b.publicSeats()
		for i := range seats {
			if seats[i].Seat == *mv.Seat {
				t.Mover = &seats[i]
				break
			}
		}
	}
	return parley.EventRecord{Session: s.id, Seq: int64(mv.After), Type: string(mv.Type), Audience: mv.Audience.String(), Payload: t.json()}, mv
}

// json returns what json.Marshal writes for t, written directly when
// every string in it is plain ASCII that needs no escape (the names of
// the built-in scenarios' seats), else by json.Marshal.
func (t *Turn) json() []byte {
	b := make([]byte, 0, 256)
	ok := true
	str := func(s string) {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				ok = false
			}
		}
		b = append(append(append(b, '"'), s...), '"')
	}
	b = append(b, `{"type":`...)
	str(string(t.Type))
	b = append(b, `,"audience":`...)
	str(t.Audience.String())
	b = append(b, `,"after":`...)
	b = strconv.AppendInt(b, int64(t.After), 10)
	b = append(b, `,"round":`...)
	b = strconv.AppendInt(b, int64(t.Round), 10)
	if t.Day != 0 {
		b = append(b, `,"day":`...)
		b = strconv.AppendInt(b, int64(t.Day), 10)
	}
	if t.Hour != 0 {
		// encoding/json writes a float64 from 1e-6 to 1e21 as 'f' does;
		// others (exponents, NaN) are left to it.
		if a := math.Abs(t.Hour); a >= 1e-6 && a < 1e21 {
			b = append(b, `,"hour":`...)
			b = strconv.AppendFloat(b, t.Hour, 'f', -1, 64)
		} else {
			ok = false
		}
	}
	b = append(b, `,"actor":`...)
	b = strconv.AppendInt(b, int64(t.Actor), 10)
	b = append(b, `,"seat":`...)
	if t.Seat == nil {
		b = append(b, "null"...)
	} else {
		str(t.Seat.String())
	}
	b = append(b, `,"move":`...)
	if m := t.Mover; m == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"seat":`...)
		str(m.Seat.String())
		b = append(b, `,"role":`...)
		str(m.Role)
		b = append(b, `,"name":`...)
		str(m.Name)
		b = append(b, `,"player":`...)
		str(m.Player)
		if m.Token != "" {
			b = append(b, `,"token":`...)
			str(m.Token)
		}
		if m.Connected {
			b = append(b, `,"connected":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if !ok {
		var err error
		if b, err = json.Marshal(t); err != nil {
			panic(err) // plain fields: cannot fail
		}
	}
	return b
}

// publishTurn hands the turn subscribers the move when it is not the one
// they were last told, once the events that moved it are stored and
// published. The lock is held.
func (s *Session) publishTurn() {
	if t := s.nextTurn(); t != nil {
		s.publishWith(nil, t)
	}
}

// turnNews is a turn event to hand the streams, and who may see it.
type turnNews struct {
	rec parley.EventRecord
	aud parley.Audience
}

// nextTurn returns the turn event the streams are to be told, nil when
// the move is the one they were last told or nobody listens; it counts
// it as told. The lock is held.
func (s *Session) nextTurn() *turnNews {
	if s.b == nil {
		return nil
	}
	mv := s.b.driver.Move()
	if s.told != nil && s.told.Same(mv) {
		return nil
	}
	s.told = &mv
	if len(s.subs) == 0 {
		return nil
	}
	rec, _ := s.turnRecord()
	return &turnNews{rec: rec, aud: mv.Audience}
}
