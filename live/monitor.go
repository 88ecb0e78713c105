package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/verify"
)

// A session that ends in an agreement goes on as the agreement's
// monitoring record, in the same audited chain: the server appends the
// accord (the commitment register of the agreed text, signed on the day
// the session ended), then every batch of incidents imported and every
// event of the verification mechanism (package verify), each with its
// audience. The negotiation's events come first and are never followed by
// another negotiation event; replay leaves the monitoring events out
// (protocol.MonitorType).

// Monitoring event types (parley.MonitorEventPrefix).
const (
	EvAccord    = parley.MonitorEventPrefix + "accord"
	EvIncidents = parley.MonitorEventPrefix + "incidents"
	EvCase      = parley.MonitorEventPrefix + "case"
)

// maxIncidentsPerEvent keeps an incidents event well under
// parley.MaxEventPayload (an incident is a few hundred bytes).
const maxIncidentsPerEvent = 500

// monitorLine is the payload of a monitoring event: a transcript line
// (seq, type and audience as the store has them) with its content.
type monitorLine struct {
	Seq      int64          `json:"seq"`
	Type     string         `json:"type"`
	Audience string         `json:"audience"`
	Accord   *parley.Accord `json:"accord,omitempty"`
	// By is who imported an incidents event's incidents.
	By        string            `json:"by,omitempty"`
	Incidents []parley.Incident `json:"incidents,omitempty"`
	Case      *parley.CaseEvent `json:"case,omitempty"`
	// Grant is a guarantor token issued (EvGuarantor).
	Grant *GuarantorGrant `json:"grant,omitempty"`
}

// monitor is a session's monitoring state in memory: the accord, the
// verification machine with its log replayed, and the incident register.
type monitor struct {
	accord    *parley.Accord
	machine   *verify.Machine
	log       []parley.CaseEvent
	incidents []parley.Incident
	keys      map[string]bool
	auds      map[string]parley.Audiences // by the accord seats of an event's audience
	grants    map[string]parley.Hash      // guarantor → its current token's hash (guarantor.go)
}

// errNotMonitored says why a session has no monitoring record.
func (s *Session) errNotMonitored() error {
	r := s.b.driver.Result()
	if r.End == parley.Running {
		return parley.Errorf(parley.ECONFLICT, "session %s is still negotiating; monitoring starts once it ends in an agreement", s.id)
	}
	return parley.Errorf(parley.ECONFLICT, "session %s ended in %s, not an agreement: there is nothing to monitor", s.id, r.End)
}

// sign appends the accord of an agreement the session ended in, unless it
// is stored already: the agreed options' commitments, the mechanism
// their clauses set up, signed on today's date by the server's clock. A
// scenario whose agreement cannot be signed is logged, not an error of
// the action that ended the session. The lock is held.
func (s *Session) sign(ctx context.Context) error {
	if s.signed || s.b == nil || !s.b.driver.Done() || s.b.driver.Result().End != parley.Agreement {
		return nil
	}
	a, err := s.b.model.Scenario.Agree(s.b.driver.Result().Agreement, s.m.now().UTC().Format(parley.DateLayout))
	if err == nil {
		a.Origin = fmt.Sprintf("live session %s, agreed at event %d", s.id, s.head.Events-1)
		_, err = verify.New(a)
	}
	if err != nil {
		s.signed = true // nothing will change that: do not try at every call
		s.m.log().Error("live: the agreement cannot be signed for monitoring", "session", s.id, "err", err)
		return nil
	}
	if _, err := s.appendLines(ctx, []monitorLine{{Type: EvAccord, Audience: parley.ToEveryone().String(), Accord: a}}); err != nil {
		return err
	}
	s.signed = true
	return nil
}

// appendLines stores monitoring events after the session's head (store).
// The lock is held.
func (s *Session) appendLines(ctx context.Context, lines []monitorLine) ([]parley.EventRecord, error) {
	recs := make([]parley.EventRecord, len(lines))
	for i := range lines {
		lines[i].Seq = s.head.Events + int64(i)
		b, err := json.Marshal(&lines[i])
		if err == nil {
			b, err = audit.Canonical(b)
		}
		if err != nil {
			return nil, fmt.Errorf("live: encode a %s event: %w", lines[i].Type, err)
		}
		recs[i] = parley.EventRecord{Type: lines[i].Type, Audience: lines[i].Audience, Payload: b}
	}
	return s.store(ctx, recs)
}

// loadMonitor rebuilds the monitoring state from the stored events: the
// accord, the incidents and the verification log, which must replay (the
// log is evidence). The lock is held and the session loaded.
func (s *Session) loadMonitor(ctx context.Context) (*monitor, error) {
	if s.mon != nil {
		return s.mon, nil
	}
	if !s.signed {
		return nil, s.errNotMonitored()
	}
	mon := &monitor{keys: map[string]bool{}, auds: map[string]parley.Audiences{}, grants: map[string]parley.Hash{}}
	err := s.records(ctx, 0, s.head.Events, func(r parley.EventRecord) error {
		if !protocol.MonitorType(r.Type) {
			return nil
		}
		var ln monitorLine
		dec := json.NewDecoder(bytes.NewReader(r.Payload))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ln); err != nil {
			return fmt.Errorf("live: session %s: event %d: %w", s.id, r.Seq, err)
		}
		switch {
		case r.Type == EvAccord && mon.accord == nil && ln.Accord != nil:
			mon.accord = ln.Accord
		case r.Type == EvIncidents && mon.accord != nil:
			for _, in := range ln.Incidents {
				mon.keys[in.Key] = true
			}
			mon.incidents = append(mon.incidents, ln.Incidents...)
		case r.Type == EvCase && mon.accord != nil && ln.Case != nil:
			mon.log = append(mon.log, *ln.Case)
		case r.Type == EvGuarantor && mon.accord != nil && ln.Grant != nil:
			mon.grants[ln.Grant.Guarantor] = ln.Grant.TokenHash
		default:
			return fmt.Errorf("live: session %s: event %d: a %s event out of place", s.id, r.Seq, r.Type)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if mon.accord == nil {
		return nil, fmt.Errorf("live: session %s: monitoring events without an accord", s.id)
	}
	if mon.machine, err = verify.Replay(mon.accord, mon.log); err != nil {
		return nil, fmt.Errorf("live: session %s: the verification log does not replay: %w", s.id, err)
	}
	s.mon = mon
	return mon, nil
}

// monitorDo runs op on the monitoring state and stores the events it
// returns before returning; it retries, like do, an append that lost a
// race with another writer. op's own error comes back after its events
// are stored (a refused step is recorded, then refused).
func (s *Session) monitorDo(ctx context.Context, op func(mon *monitor) ([]monitorLine, error)) ([]monitorLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 1; ; attempt++ {
		if err := s.ensure(ctx); err != nil {
			return nil, err
		}
		mon, err := s.loadMonitor(ctx)
		if err != nil {
			return nil, err
		}
		lines, opErr := op(mon)
		if len(lines) == 0 {
			return nil, opErr
		}
		if _, err := s.appendLines(ctx, lines); err != nil {
			s.unload()
			if parley.ErrorCode(err) == parley.ECONFLICT && attempt < maxAttempts {
				continue
			}
			return nil, err
		}
		return lines, opErr
	}
}

// withMonitor runs fn on the loaded monitoring state under the lock, for
// reading.
func (s *Session) withMonitor(ctx context.Context, fn func(mon *monitor) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return err
	}
	mon, err := s.loadMonitor(ctx)
	if err != nil {
		return err
	}
	return fn(mon)
}

// actor returns the seat of the accord a caller acts from: a party's seat
// acts as the party, the mediator's as parley.SeatMediators, a guarantor
// with a token as itself. Principals and observers read but do not act
// (EFORBIDDEN).
func (s *Session) actor(a *parley.Accord, c Caller) (string, error) {
	if c.Guarantor != "" {
		return c.Guarantor, nil
	}
	seat := c.Seat
	switch seat.Role {
	case parley.SeatParty:
		if i := findSeat(s.b.seats, seat.String()); i >= 0 && a.IsParty(s.b.seats[i].Name) {
			return s.b.seats[i].Name, nil
		}
	case parley.SeatMediator:
		if slices.Contains(a.Seats, parley.SeatMediators) {
			return parley.SeatMediators, nil
		}
	case parley.SeatPrincipal:
		return "", parley.Errorf(parley.EFORBIDDEN, "a faction reads its party's monitoring record; its delegation's seat acts in the mechanism")
	case parley.SeatObserver:
		return "", parley.Errorf(parley.EFORBIDDEN, "an observer reads the monitoring record; only the parties' and the mediator's seats act in it")
	}
	return "", parley.Errorf(parley.EFORBIDDEN, "seat %s is no seat of the agreement's mechanism (%v)", seat, a.Seats)
}

// audience returns the session audience of a verification event seen by
// the accord's seats names: everyone when it is every seat of the accord,
// else each party's delegation and the mediator for parley.SeatMediators.
// Seats of the accord no session seat sits in (a guarantor not at the
// table) have no one to show it to.
func (s *Session) audience(mon *monitor, names []string) parley.Audiences {
	key := fmt.Sprint(names)
	if a, ok := mon.auds[key]; ok {
		return a
	}
	out := parley.Audiences{}
	all := true
	for _, seat := range mon.accord.Seats {
		all = all && slices.Contains(names, seat)
	}
	if all {
		out = append(out, parley.ToEveryone())
	} else {
		for _, st := range s.b.seats {
			switch {
			case st.Seat.Role == parley.SeatParty && slices.Contains(names, st.Name):
				out = append(out, parley.ToDelegation(st.Seat.Party))
			case st.Seat.Role == parley.SeatMediator && slices.Contains(names, parley.SeatMediators):
				out = append(out, parley.ToSeat(parley.MediatorSeat()))
			}
		}
	}
	mon.auds[key] = out
	return out
}

// caseLines turns events the machine produced into monitoring events.
func (s *Session) caseLines(mon *monitor, evs []parley.CaseEvent) []monitorLine {
	lines := make([]monitorLine, len(evs))
	for i := range evs {
		aud := s.audience(mon, evs[i].Audience)
		lines[i] = monitorLine{Type: EvCase, Audience: aud.String(), Case: &evs[i]}
	}
	return lines
}

// MaxMonitorDay bounds the dates of steps and reports, in days after the
// signature: time passing is work (every periodic obligation's instances
// missed on the way are events), and a step dated centuries ahead would
// make a seat's one request store a million of them.
const MaxMonitorDay = 3650

// day returns the day after signature of a date (YYYY-MM-DD; "" is today
// by the server's clock), at most MaxMonitorDay. Errors are EINVALID.
func (s *Session) day(a *parley.Accord, date string) (int, error) {
	t := s.m.now().UTC()
	if date != "" {
		var err error
		if t, err = time.Parse(parley.DateLayout, date); err != nil {
			return 0, parley.Errorf(parley.EINVALID, "date: %q is not a date YYYY-MM-DD", clip([]byte(date)))
		}
	}
	d, err := a.Day(t)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, parley.Errorf(parley.EINVALID, "date: %s is before the signature (%s)", t.Format(parley.DateLayout), a.Signed)
	}
	if d > MaxMonitorDay {
		return 0, parley.Errorf(parley.EINVALID, "date: %s is more than %d days after the signature (%s)", t.Format(parley.DateLayout), MaxMonitorDay, a.Signed)
	}
	return d, nil
}

// refusal turns a step the mechanism refused into the error a seat is
// shown: the refusal's own code (EFORBIDDEN where the text does not let
// the seat act, ECONFLICT where the step does not fit the case) and its
// reason.
func refusal(err error) error {
	var r *verify.Refusal
	if errors.As(err, &r) {
		return parley.Errorf(r.Code, "%s", r.Reason)
	}
	return err
}
