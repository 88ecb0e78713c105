package audit_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// A store links each event it appends; a verifier names the first event
// that no longer fits.
func Example() {
	g := audit.Genesis("s1", []byte(`{"scenario":"istanbul-2025"}`))
	c := audit.NewChain("s1", g)
	events := []parley.EventRecord{
		{Type: "start", Audience: "everyone", Payload: []byte(`{"round":0}`)},
		{Type: "action", Audience: "everyone", Payload: []byte(`{"offer":[1,0,2]}`)},
		{Type: "caucus", Audience: "caucus:1", Payload: []byte(`{"message":"flexible on prisoners"}`)},
	}
	for i := range events {
		c.Link(&events[i])
	}
	head := c.ChainHead()
	fmt.Println(audit.Verify("s1", g, events, &head).Holds())

	fmt.Println(audit.Verify("s1", g, events[:2], &head).Err()) // the tail cut off

	events[1].Payload = []byte(`{"offer":[2,0,2]}`) // edited after the fact
	fmt.Println(audit.Verify("s1", g, events, &head).Err())
	// Output:
	// true
	// chain breaks at seq 2: chain ends before its head: the chain has 2 events, the head says 3
	// chain breaks at seq 1: hash does not match the event's content
}
