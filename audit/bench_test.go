package audit_test

import (
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley/audit"
)

// BenchmarkVerify measures how fast a chain of 200-byte events is checked.
//
//	go test ./audit -run '^$' -bench .
func BenchmarkVerify(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	evs, head := chain(r, 10000)
	for i := range evs {
		evs[i].Payload = append(evs[i].Payload[:len(evs[i].Payload)-1], []byte(`,"pad":""}`)...)
		for len(evs[i].Payload) < 200 {
			evs[i].Payload = append(evs[i].Payload[:len(evs[i].Payload)-2], 'x', '"', '}')
		}
	}
	c := audit.NewChain(session, genesis)
	for i := range evs {
		c.Link(&evs[i])
	}
	head = c.ChainHead()
	b.ResetTimer()
	for b.Loop() {
		if res := audit.Verify(session, genesis, evs, &head); !res.Holds() {
			b.Fatal(res.Err())
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCanonical measures the canonical form of a transcript line.
func BenchmarkCanonical(b *testing.B) {
	line := []byte(`{"seq":12,"round":3,"type":"action","audience":"everyone","actor":1,"action":{"actor":1,"kind":"answer","answers":["accept","reject","none","accept"]},"prev":"0871fc7c808b24a0ea97065b1a9303b5d3d3529fef84ccfe6663ffd03cb772cc","hash":"f0c8ce446c187f497d9ae1040e1f8bad6f1d29ff049413c101832e1d2e127bd5"}`)
	for b.Loop() {
		if _, err := audit.Canonical(line, "prev", "hash"); err != nil {
			b.Fatal(err)
		}
	}
}
