package agent

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
)

// TestMulFracExact checks mulFrac against big.Rat arithmetic: q·f rounded
// half away from zero, for q up to ±MaxFixed and f across [0, 1].
func TestMulFracExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fs := []float64{0, 1, 0.5, 0.1, 1e-300, math.SmallestNonzeroFloat64, math.Nextafter(1, 0), 0.25, 0.75}
	qs := []int64{0, 1, -1, 3, -3, parley.MaxFixed, -parley.MaxFixed, 1 << 53, 1<<53 + 1, 12345678901234567}
	for range 2000 {
		fs = append(fs, r.Float64())
		qs = append(qs, r.Int64N(2*parley.MaxFixed+1)-parley.MaxFixed)
	}
	for i, q := range qs {
		f := fs[i%len(fs)]
		want := new(big.Rat).Mul(new(big.Rat).SetInt64(q), new(big.Rat).SetFloat64(f))
		// Round half away from zero.
		num := new(big.Int).Abs(want.Num())
		num.Lsh(num, 1).Add(num, want.Denom())
		num.Quo(num, new(big.Int).Lsh(want.Denom(), 1))
		if want.Sign() < 0 {
			num.Neg(num)
		}
		if got := mulFrac(q, f); got != num.Int64() {
			t.Fatalf("mulFrac(%d, %v) = %d, want %d", q, f, got, num.Int64())
		}
	}
}

// TestDelegateFloorExactTies: the floor is computed in the party's fixed
// point, so at t = 0 it is the best feasible utility exactly and a text
// worth that much is accepted, even when the scale is beyond a float's 53
// bits (utilities written with 16 decimals); an offset of 0.1 moves the
// floor by exactly a tenth. The float computation missed by a quantum.
func TestDelegateFloorExactTies(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	tried := 0
	for k := 0; k < 200; k++ {
		// One issue of three options with 16-digit decimal values.
		dec := func() string { return fmt.Sprintf("0.%016d", r.Int64N(1e16)) }
		vals := []string{dec(), dec(), dec()}
		res := dec()
		var ov []parley.OptionValue
		for i, v := range vals {
			var x float64
			fmt.Sscan(v, &x)
			ov = append(ov, parley.OptionValue{Option: string(rune('a' + i)), Value: parley.Estimate{Value: x}})
		}
		var rv float64
		fmt.Sscan(res, &rv)
		s := &parley.Scenario{ID: "ties",
			Issues: []parley.Issue{{Name: "x", Options: []parley.Option{{Label: "a"}, {Label: "b"}, {Label: "c"}}}},
			Parties: []parley.Party{
				{Name: "P", Preferences: &parley.Preferences{Reservation: parley.Estimate{Value: rv}, Issues: []parley.IssuePref{{Issue: "x", Weight: parley.Estimate{Value: 1}, Values: ov}}}},
				{Name: "Q", Preferences: &parley.Preferences{Reservation: parley.Estimate{Value: 0}, Issues: []parley.IssuePref{{Issue: "x", Weight: parley.Estimate{Value: 1}, Values: ov}}}},
			}}
		m, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		u := &m.Parties[0].Utility
		if !u.Exact || u.Unit() <= 1<<53 {
			continue
		}
		best, arg := int64(math.MinInt64), 0
		for o := range 3 {
			if v := u.Eval(parley.Outcome{o}); v > best {
				best, arg = v, o
			}
		}
		if best <= m.Parties[0].Reservation {
			continue
		}
		tried++
		d, err := NewDelegate(map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Init(&parley.Session{Model: m, Party: 0}); err != nil {
			t.Fatal(err)
		}
		if f := d.Floor(0); f != best {
			t.Fatalf("values %v, reservation %s (scale %d): floor(0) = %d, want the best utility %d", vals, res, u.Unit(), f, best)
		}
		text := []parley.Clause{{Issue: 0, Option: arg, State: parley.ClauseProposed, OnAgenda: true}}
		a := d.Act(&parley.Turn{Kind: parley.TurnAnswer, Time: 0, Text: text})
		if a.Kind != parley.ActAnswer || a.Answers[0] != parley.AnswerAccept {
			t.Fatalf("values %v: the best text, worth the floor exactly, answered %v %v (%s)", vals, a.Kind, a.Answers, a.Reason)
		}
		if f := d.Floor(1); f != d.res+1 {
			t.Fatalf("floor(1) = %d, want the reservation + 1 = %d", f, d.res+1)
		}
		off, err := NewDelegate(map[string]string{"floor": "-0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := off.Init(&parley.Session{Model: m, Party: 0}); err != nil {
			t.Fatal(err)
		}
		if tenth := u.Unit() / 10; u.Unit()%10 == 0 && off.Floor(0) != max(best-tenth, d.res+1) {
			t.Fatalf("floor(0) with offset -0.1: %d, want %d", off.Floor(0), max(best-tenth, d.res+1))
		}
	}
	if tried < 50 {
		t.Fatalf("only %d scenarios with a scale beyond 2^53", tried)
	}
}
