package protocol_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// randomText draws a string from pieces that take every branch of the
// direct writer's strings: plain ASCII, escapes it writes itself (\" \\
// \n \r \t), and what it leaves to the general path (other control
// characters, invalid UTF-8, U+2028, HTML characters, non-ASCII).
func randomText(r *rand.Rand, wild bool) string {
	pieces := []string{"", "a", "Kabul", "TTP", " ", `"`, `\`, "\n", "\r", "\t", "<", ">", "&", "é", "日本", "\u00a0",
		"/", "\x7f", "{", "}", ":", ",", "\x01", "\x1f", "\b", "\f", "\u2028", "\u2029", "\xff", "\xc3"}
	if !wild {
		pieces = pieces[:len(pieces)-8] // the direct writer's own
	}
	var b []byte
	for range r.IntN(5) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return string(b)
}

func randomInt(r *rand.Rand) int {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return -1 - r.IntN(3)
	case 2:
		return math.MaxInt64 - r.IntN(2)
	case 3:
		return math.MinInt64 + r.IntN(2)
	}
	return r.IntN(40)
}

func randomFloat(r *rand.Rand, wild bool) float64 {
	n := r.IntN(10)
	if !wild && (n == 2 || n == 3) {
		n = 0
	}
	switch n {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return math.Inf(1 - 2*r.IntN(2))
	case 3:
		return math.NaN()
	case 4:
		return r.Float64() * 1e-7 // exponent form, e-0X
	case 5:
		return r.Float64() * 1e25 // exponent form, e+2X
	case 6:
		return 1e21
	case 7:
		return float64(r.IntN(24)) + float64(r.IntN(4))/4
	}
	return (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(30)-10))
}

func randomInts(r *rand.Rand) []int {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []int{}
	}
	xs := make([]int, 1+r.IntN(5))
	for i := range xs {
		xs[i] = r.IntN(5) - 1
	}
	return xs
}

func randomInstr(r *rand.Rand, wild bool) *parley.Instruction {
	if r.IntN(3) > 0 {
		return nil
	}
	return &parley.Instruction{Principal: randomText(r, wild), Kind: parley.InstructionKind(r.IntN(7) - 1), Delta: randomFloat(r, wild),
		Issue: randomInt(r), Option: randomInt(r), Rounds: randomInt(r)}
}

func randomAudience(r *rand.Rand) parley.Audience {
	seats := []parley.Seat{parley.MediatorSeat(), parley.PartySeat(r.IntN(4)), parley.PrincipalSeat(r.IntN(3), r.IntN(3)), parley.ObserverSeat()}
	switch r.IntN(5) {
	case 0:
		return parley.ToEveryone()
	case 1:
		return parley.ToCaucus(r.IntN(4))
	case 2:
		return parley.ToDelegation(r.IntN(4))
	case 3:
		return parley.Audience{}
	}
	return parley.ToSeat(seats[r.IntN(len(seats))])
}

// randomEvent draws an event with every field set or left out at random;
// wild, with values that encoding/json writes in unusual ways, or refuses.
func randomEvent(r *rand.Rand, wild bool) protocol.Event {
	types := []protocol.EventType{protocol.EvAction, protocol.EvClause, protocol.EvEnd, protocol.EvCaucus, protocol.EvReason, "x\ny", "é"}
	ev := protocol.Event{Seq: randomInt(r), Round: randomInt(r), Day: randomInt(r), Hour: randomFloat(r, wild),
		Type: types[r.IntN(len(types))], Audience: randomAudience(r), Actor: randomInt(r), Faction: randomInt(r),
		Instruction: randomInstr(r, wild), Message: randomText(r, wild), Note: randomText(r, wild)}
	if r.IntN(2) == 0 {
		a := &parley.Action{Actor: randomInt(r), Kind: parley.ActionKind(r.IntN(12) - 1), Outcome: randomInts(r),
			Instruction: randomInstr(r, wild), Rounds: randomInt(r), Issue: randomInt(r), Reason: randomText(r, wild)}
		if r.IntN(2) == 0 {
			a.Answers = []parley.ClauseAnswer{}
			for range r.IntN(4) {
				a.Answers = append(a.Answers, parley.ClauseAnswer(r.IntN(6)-1))
			}
		}
		ev.Action = a
	}
	if r.IntN(2) == 0 {
		ev.Clause = &protocol.ClauseChange{Issue: randomInt(r), From: parley.ClauseState(r.IntN(8) - 1),
			To: parley.ClauseState(r.IntN(8) - 1), Option: randomInt(r), Why: randomText(r, wild)}
	}
	if r.IntN(3) == 0 {
		ev.Result = &protocol.Result{End: parley.EndState(r.IntN(8) - 1), Agreement: randomInts(r), Rounds: randomInt(r),
			Steps: randomInt(r), Offers: randomInt(r), By: randomInt(r), Why: randomText(r, wild)}
	}
	return ev
}

// Record writes an event's canonical JSON directly from the struct; the
// general path (encoding/json, then audit.Canonical) is the reference:
// over random events and every event of random sessions, both give the
// same record (payload byte for byte) or both fail.
func TestRecordMatchesTheGeneralPath(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	var events []protocol.Event
	for range 6000 {
		events = append(events, randomEvent(r, r.IntN(3) == 0))
	}
	for seed := range uint64(30) {
		_, _, evs, _ := randomRun(t, seed, seed%2 == 0)
		events = append(events, evs...)
	}
	_, lc := lifecycle(t)
	events = append(events, lc...)
	fast, slowFailed := 0, 0
	for i, ev := range events {
		want, werr := protocol.RecordSlow(ev)
		got, gerr := protocol.Record(ev)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("event %d %+v: Record error %v, the general path's %v", i, ev, gerr, werr)
		}
		if werr != nil {
			slowFailed++
			continue
		}
		if !bytes.Equal(got.Payload, want.Payload) || got.Seq != want.Seq || got.Type != want.Type || got.Audience != want.Audience {
			t.Fatalf("event %d:\n got %s %d %q %q\nwant %s %d %q %q", i, got.Payload, got.Seq, got.Type, got.Audience,
				want.Payload, want.Seq, want.Type, want.Audience)
		}
		if protocol.Direct(ev) {
			fast++
		}
	}
	t.Logf("%d of %d direct, %d refused", fast, len(events), slowFailed)
	// Both paths must have been taken often, or the test proves little.
	if fast < len(events)/10 || fast == len(events)-slowFailed {
		t.Errorf("%d of %d events written directly (%d refused by both): want both paths taken", fast, len(events), slowFailed)
	}
	// Records of many events share one buffer: each payload is its own
	// (appending to one does not write into the next).
	recs, err := protocol.Records(lc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		_ = append(recs[i].Payload, '!')
	}
	for i, ev := range lc {
		want, _ := protocol.RecordSlow(ev)
		if !bytes.Equal(recs[i].Payload, want.Payload) {
			t.Fatalf("Records, event %d: %s, want %s", i, recs[i].Payload, want.Payload)
		}
	}
}
