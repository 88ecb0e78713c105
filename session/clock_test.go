package session_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// TestTurnLapse puts the Istanbul calendar (days of 19, 11, 18 and 12
// hours of session, 2 hours a round) on an injected wall clock at one
// minute a session hour. A seat played from outside that has not acted
// when its round's time is up has its turn lapse at the next Tick; the
// deadlines the driver reports are the calendar's; a restored driver with
// the original start reproduces the lapses and reports the same clock.
func TestTurnLapse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, cfg := istanbul(t)
	pc, err := cfg.ProtocolConfig()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 10, 25, 9, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	newDriver := func(at time.Time) *session.Driver {
		d, err := session.New(m, session.Config{Protocol: pc, Parties: make([]session.Player, len(m.Parties)), Seed: 1,
			Clock: clock, Hour: time.Minute, Start: at})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, err := session.New(m, session.Config{Protocol: pc, Parties: make([]session.Player, len(m.Parties)), Hour: time.Minute}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("turn deadlines without a clock: %v", err)
	}
	d := newDriver(time.Time{})
	if _, err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	c := d.Clock()
	if !c.Start.Equal(start) || !c.Turn.Equal(start.Add(2*time.Minute)) || c.Day != 0 || c.Hour != 0 || !c.Deadline.IsZero() {
		t.Fatalf("clock at the start: %+v", c)
	}
	if next, ok := d.NextTick(); !ok || !next.Equal(c.Turn) {
		t.Fatalf("next tick %v %v, want the turn's lapse %v", next, ok, c.Turn)
	}
	// Just before the round ends, nothing lapses.
	now = start.Add(2*time.Minute - time.Nanosecond)
	if evs, err := d.Tick(ctx); err != nil || len(evs) != 0 {
		t.Fatalf("tick before the lapse: %v %+v", err, evs)
	}
	// The mediator writes a text; then the round's time runs out before
	// the parties answer: both lapse, and so does the mediator's next
	// round, which is also over by then.
	text := make(parley.Outcome, len(m.Sizes))
	for i := range text {
		text[i] = -1
	}
	if _, err := d.Submit(ctx, parley.MediatorSeat(), parley.Action{Kind: parley.ActText, Outcome: text}); err != nil {
		t.Fatal(err)
	}
	now = start.Add(4 * time.Minute)
	evs, err := d.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lapses []int
	for _, ev := range evs {
		if ev.Type == protocol.EvLapse {
			lapses = append(lapses, ev.Actor)
		}
	}
	if want := []int{0, 1, parley.MediatorActor}; !reflect.DeepEqual(lapses, want) {
		t.Fatalf("lapses %v, want %v (both parties in round 0, the mediator in round 1)", lapses, want)
	}
	if seat, ok := d.Awaiting(); !ok || seat != parley.MediatorSeat() {
		t.Fatalf("awaiting %v %v", seat, ok)
	}
	// Round 2 runs from minute 4 to 6; day 0 holds rounds 0..9 (19
	// hours), so round 10 starts on day 1 at hour 1: minute 24+1.
	if c := d.Clock(); !c.Turn.Equal(start.Add(6*time.Minute)) || c.Day != 0 || c.Hour != 4 {
		t.Fatalf("clock in round 2: %+v", c)
	}
	now = start.Add(18 * time.Minute) // round 9 (hours 18-19) is the last of day 0
	if _, err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if c := d.Clock(); c.Day != 0 || c.Hour != 18 || !c.Turn.Equal(start.Add(25*time.Minute)) {
		t.Fatalf("clock in the last round of day 0: %+v (its turn lapses when day 1's first round starts)", c)
	}
	recorded := d.Events()

	// A driver restored later, with the original start, has the same
	// record and clock: recorded lapses are inputs, not re-timed.
	now = now.Add(time.Second)
	r := newDriver(start)
	if err := r.Restore(ctx, recorded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Clock(), d.Clock()) {
		t.Fatalf("restored clock %+v, want %+v", r.Clock(), d.Clock())
	}
	// Far past the calendar every remaining round lapses and the round
	// deadline ends the negotiation.
	now = start.Add(10 * 24 * time.Hour)
	if _, err := r.Tick(ctx); err != nil || r.Result().End != parley.Deadline {
		t.Fatalf("after the calendar: %v %+v", err, r.Result())
	}
	if _, ok := r.NextTick(); ok {
		t.Fatal("an ended negotiation still wants a tick")
	}
	if _, err := protocol.Replay(mustHeader(t, m, pc), r.Events()); err != nil {
		t.Fatalf("the lapses do not replay: %v", err)
	}
}

func mustHeader(t *testing.T, m *parley.Model, pc protocol.Config) protocol.Header {
	t.Helper()
	h, err := protocol.NewHeader(m.Scenario, pc, 1)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestResume cuts the record of an all-agent negotiation part way (a
// server that crashed between two appends of one call): Restore refuses
// it, Resume takes it, and the next Run returns exactly the missing
// events. A record that differs where it exists is still refused.
func TestResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := small2(t)
	newDriver := func() *session.Driver {
		d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 50}, Parties: []session.Player{mustAgent(t, "boulware"), mustAgent(t, "linear")}, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	full := newDriver()
	if _, err := full.Run(ctx); err != nil {
		t.Fatal(err)
	}
	all := full.Events()
	cut := all[:len(all)/2]
	if err := newDriver().Restore(ctx, cut); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("Restore of a cut record: %v, want ECONFLICT", err)
	}
	d := newDriver()
	if err := d.Resume(ctx, cut); err != nil {
		t.Fatal(err)
	}
	rest, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(eventsJSON(t, rest), eventsJSON(t, all[len(cut):])) {
		t.Fatalf("Resume then Run returned %d events, want the %d missing", len(rest), len(all)-len(cut))
	}
	bad := append([]protocol.Event(nil), cut...)
	bad[len(bad)-1].Round++
	if err := newDriver().Resume(ctx, bad); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("Resume of a doctored record: %v", err)
	}
}
