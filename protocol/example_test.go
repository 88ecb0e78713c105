package protocol_test

import (
	"bytes"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Example drives a bilateral SAO negotiation to agreement with scripted
// actions, then replays its transcript.
func Example() {
	s := small2() // a buyer and a seller over price and delivery
	m, err := s.Compile()
	if err != nil {
		panic(err)
	}
	cfg := protocol.SAOConfig{Rounds: 3}
	p, err := protocol.NewSAO(m, cfg)
	if err != nil {
		panic(err)
	}
	script := []parley.Action{
		{Actor: 0, Kind: parley.ActOffer, Outcome: parley.Outcome{0, 1}}, // price=lo delivery=fast
		{Actor: 1, Kind: parley.ActOffer, Outcome: parley.Outcome{1, 1}}, // price=mid delivery=fast
		{Actor: 0, Kind: parley.ActAccept},
	}
	var events []protocol.Event
	for i := 0; ; i++ {
		events = append(events, p.Events()...)
		t, ok := p.Next()
		if !ok {
			break
		}
		fmt.Printf("turn: party %d %s\n", t.Actor, t.Kind)
		if err := p.Step(script[i]); err != nil {
			fmt.Println("error:", err)
		}
	}
	for _, ev := range events {
		fmt.Println(protocol.FormatEvent(s, ev, false))
	}

	h, _ := protocol.NewHeader(s, cfg, 1)
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		panic(err)
	}
	h, events, err = protocol.ReadTranscript(&buf)
	if err != nil {
		panic(err)
	}
	r, err := protocol.Replay(h, events)
	fmt.Println("replay:", r.End, r.Agreement, err)
	// Output:
	// turn: party 0 propose
	// turn: party 1 respond
	// turn: party 0 respond
	// #0 r0 start: sao: 2 parties, 3 rounds
	// #1 r0 action Buyer offer price=lo delivery=fast
	// #2 r0 action Seller offer price=mid delivery=fast
	// #3 r1 action Buyer accept
	// #4 r1 end agreement [price=mid delivery=fast] rounds=2 steps=3 offers=2 why="every party accepted the offer of Seller"
	// replay: agreement [1 1] <nil>
}
