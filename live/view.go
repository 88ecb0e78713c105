package live

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// View is what one seat may see of a live session (GET
// /api/sessions/{id}). It is computed by the session driver from the
// events whose audience includes the seat (session.Driver.View) and the
// seat's brief (parley.Scenario.Brief: the issues, every party's name, and
// only its own side's preferences); nothing in it is filtered here.
type View struct {
	Session  string              `json:"session"`
	Scenario string              `json:"scenario"`
	Variant  string              `json:"variant,omitempty"`
	Protocol parley.ProtocolName `json:"protocol"`
	// Seat is the seat the token opens; Seats are every seat's place,
	// role, name and kind of player ("human", "remote" or "agent": an
	// agent's spec and parameters are its own seat's to know).
	Seat  SeatInfo   `json:"seat"`
	Seats []SeatInfo `json:"seats"`
	// Result is the result so far: end is "running" while it is open.
	Result protocol.Result `json:"result"`
	// Move is the seat whose move it is; null after the end.
	Move *SeatInfo `json:"move"`
	// Turn is this seat's turn when it is its move (what to answer, the
	// standing offer or text, its principals' instructions), else null.
	Turn *parley.Turn `json:"turn"`
	// Text is the single negotiating text, clause by clause (mediated).
	Text []Clause `json:"text,omitempty"`
	// Instructions are, for a party, its principals' instructions since
	// it last acted.
	Instructions []parley.Instruction `json:"instructions,omitempty"`
	// Caucus holds the caucus messages the seat may see.
	Caucus []protocol.Event `json:"caucus,omitempty"`
	// Events are every event the seat may see, oldest first.
	Events []protocol.Event `json:"events"`
	// Brief is the scenario as the seat may know it.
	Brief *parley.Scenario `json:"brief"`
	Clock Clock            `json:"clock"`
	// Deadline is the deadline in rounds now, extensions included.
	Deadline int `json:"deadline"`
	// Own is what a party's or a principal's seat knows of its own side's
	// utility (parley.Model.Own); null for the mediator and observers.
	Own *parley.OwnUtility `json:"own,omitempty"`
	// Standing is the seat's own side's evaluation of what stands: the
	// agreement, else the current text (blank clauses at their status
	// quo) or the last offer; null when nothing stands yet or the seat has
	// no side.
	Standing *parley.OwnEval `json:"standing,omitempty"`
	// Head is the chain head of the record, to compare with other seats.
	Head parley.ChainHead `json:"head"`
}

// Clause is a clause of the single negotiating text, with names.
type Clause struct {
	Issue    int                `json:"issue"`
	Name     string             `json:"name"`
	Option   int                `json:"option"` // −1: blank
	Label    string             `json:"label,omitempty"`
	State    parley.ClauseState `json:"state"`
	OnAgenda bool               `json:"on_agenda"`
}

// Clock is where the session stands in time: the wall clock and the
// session calendar.
type Clock struct {
	Now   time.Time `json:"now"`
	Start time.Time `json:"start"`
	// Deadline is when the negotiation times out on the wall clock;
	// TurnDeadline when the current turn lapses (the next round starts).
	Deadline     *time.Time `json:"deadline,omitempty"`
	TurnDeadline *time.Time `json:"turn_deadline,omitempty"`
	// Round (0-based), and Time the share of the deadline in rounds used.
	Round int     `json:"round"`
	Time  float64 `json:"time"`
	// Day (0-based) and Hour place the round on the session calendar.
	Day  int     `json:"day"`
	Hour float64 `json:"hour"`
}

// View returns seat's view.
func (s *Session) View(ctx context.Context, seat parley.Seat) (*View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	b := s.b
	dv, err := b.driver.View(seat)
	if err != nil {
		return nil, err
	}
	v := &View{Session: s.id, Scenario: b.scenario, Variant: b.variant, Protocol: b.protocol,
		Seats: publicSeats(b.seats), Result: dv.Result, Turn: dv.Turn, Instructions: dv.Instructions, Caucus: dv.Caucus,
		Events: dv.Events, Brief: dv.Brief, Head: s.head}
	for i := range v.Seats {
		v.Seats[i].Connected = s.remotes[i] != nil
	}
	if i := findSeat(b.seats, seat.String()); i >= 0 {
		v.Seat = b.seats[i]
		v.Seat.Connected = v.Seats[i].Connected
	}
	if dv.Moving {
		if i := findSeat(b.seats, dv.Move.String()); i >= 0 {
			v.Move = &v.Seats[i]
		}
	}
	for _, c := range dv.Text {
		is := &b.model.Scenario.Issues[c.Issue]
		cl := Clause{Issue: c.Issue, Name: is.Name, Option: c.Option, State: c.State, OnAgenda: c.OnAgenda}
		if c.Option >= 0 && c.Option < len(is.Options) {
			cl.Label = is.Options[c.Option].Label
		}
		v.Text = append(v.Text, cl)
	}
	if v.Events == nil {
		v.Events = []protocol.Event{}
	}
	v.Clock = s.clock(dv.Round, dv.Time)
	v.Deadline = b.driver.Deadline()
	v.Own = b.model.Own(seat)
	if v.Own != nil {
		if o := standing(b.model, dv); o != nil {
			v.Standing = b.model.EvalOwn(seat, o)
		}
	}
	return v, nil
}

func (s *Session) clock(round int, t float64) Clock {
	c := s.b.driver.Clock()
	out := Clock{Now: s.m.now().UTC(), Start: c.Start, Round: round, Time: t, Day: c.Day, Hour: c.Hour}
	if !c.Deadline.IsZero() {
		out.Deadline = &c.Deadline
	}
	if !c.Turn.IsZero() {
		out.TurnDeadline = &c.Turn
	}
	return out
}

// publicSeats returns publicSeats(b.seats), made once; callers must not
// modify it.
func (b *built) publicSeats() []SeatInfo {
	if b.public == nil {
		b.public = publicSeats(b.seats)
	}
	return b.public
}

// publicSeats lists the seats as every seat may know them: an agent's spec
// is shown as "agent".
func publicSeats(seats []SeatInfo) []SeatInfo {
	out := make([]SeatInfo, len(seats))
	for i, st := range seats {
		if st.Player != Human && st.Player != Remote {
			st.Player = "agent"
		}
		st.Token = ""
		out[i] = st
	}
	return out
}

// standing returns what stands in a seat's view, as a complete outcome:
// the agreement; else the current text, with its blank clauses at their
// status quo, once a clause is written; else the last offer. nil when
// nothing stands.
func standing(m *parley.Model, dv *session.View) parley.Outcome {
	if dv.Result.End == parley.Agreement {
		return dv.Result.Agreement
	}
	if len(dv.Text) > 0 {
		o := make(parley.Outcome, len(dv.Text))
		for i, c := range dv.Text {
			o[i] = c.Option
		}
		if written(dv.Text) {
			return m.Complete(o)
		}
		return nil
	}
	for i := len(dv.Events) - 1; i >= 0; i-- {
		ev := dv.Events[i]
		if a := ev.Action; ev.Type == protocol.EvAction && a != nil && a.Kind == parley.ActOffer && !protocol.Invalid(ev) {
			return m.Complete(a.Outcome)
		}
	}
	return nil
}
