package agentwire_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// BenchmarkPythonExample measures the Python example agent (e = 0.2)
// against boulware on NegMAS's Laptop and Car domains, the way a user
// meets it: the agent's process is started once per negotiation (its
// start-up counted), and the negotiation runs the session driver over the
// subprocess pipes. It reports rounds per second; NegMAS's own Python
// agents reach about 4,750 rounds/s on Laptop.
//
//	go test -run XXX -bench PythonExample ./agentwire/
func BenchmarkPythonExample(b *testing.B) {
	dir := filepath.Join(shared.Genius(b), "negmas-tests")
	for _, tc := range []struct {
		name, folder, domain, a, bb string
		rounds                      int
	}{
		{"Laptop", "Laptop", "Laptop-C-domain.xml", "Laptop-C-prof1.xml", "Laptop-C-prof2.xml", 20000},
		{"Car", "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml", 20000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			argv := python(b, "--e", "0.2")
			d := filepath.Join(dir, tc.folder)
			s, err := genius.Load(filepath.Join(d, tc.domain), []string{filepath.Join(d, tc.a), filepath.Join(d, tc.bb)}, genius.Options{})
			if err != nil {
				b.Fatal(err)
			}
			m, err := s.Compile()
			if err != nil {
				b.Fatal(err)
			}
			var rounds int
			var took time.Duration
			b.ResetTimer()
			for range b.N {
				py := session.Player{Agent: agentwire.Command(argv, agentwire.CommandOptions{}), Name: "python"}
				bw := builtin(b, "boulware")
				start := time.Now()
				drv, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: tc.rounds}, Parties: []session.Player{py, bw}, Seed: 1, Discard: true})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := drv.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				took += time.Since(start)
				res := drv.Result()
				drv.Close()
				if res.End == parley.AgentError || res.End == parley.Broken {
					b.Fatalf("%s: %s", res.End, res.Why)
				}
				rounds += res.Rounds
			}
			b.ReportMetric(float64(rounds)/took.Seconds(), "rounds/s")
			b.ReportMetric(float64(rounds)/float64(b.N), "rounds/op")
		})
	}
}

// BenchmarkCodec is the engine's own cost of one turn of a program agent,
// without the pipe: writing the action_done of the other's offer and the
// your_turn, and reading an offer back.
func BenchmarkCodec(b *testing.B) {
	m := market(b, 2, 0)
	c := codec(b, m, parley.PartySeat(0))
	history := make([]parley.Action, 0, 2*b.N+2)
	reply := []byte(`{"type":"offer","bid":[2,0,1],"turn":1}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		history = append(history, parley.Action{Actor: 1, Kind: parley.ActOffer, Outcome: parley.Outcome{1, 2, 0}})
		t := parley.Turn{Kind: parley.TurnRespond, Round: i, Time: 0.5, Offer: parley.Outcome{1, 2, 0}, Offerer: 1, History: history}
		msgs := c.Turn(&t)
		if len(msgs) != 2 {
			b.Fatal(len(msgs))
		}
		n := c.TurnNumber()
		reply = append(append(reply[:len(`{"type":"offer","bid":[2,0,1],"turn":`)], []byte(itoa(n))...), '}')
		if _, err := c.Reply(reply); err != nil {
			b.Fatal(err)
		}
		history = append(history, parley.Action{Actor: 0, Kind: parley.ActOffer, Outcome: parley.Outcome{2, 0, 1}})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
