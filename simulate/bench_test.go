package simulate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
)

func geniusModel(b *testing.B, dir, domain, p1, p2 string) *parley.Model {
	g := filepath.Join(shared.Genius(b), "negmas-tests", dir)
	s, err := genius.Load(filepath.Join(g, domain), []string{filepath.Join(g, p1), filepath.Join(g, p2)}, genius.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return compile(b, s)
}

// synthetic is a 2-party additive domain of 6 issues × 10 options (10^6
// outcomes) with random values.
func synthetic(b *testing.B) *parley.Model {
	r := rand.New(rand.NewPCG(6, 10))
	s := &parley.Scenario{ID: "synthetic-1e6"}
	for i := 0; i < 6; i++ {
		s.Issues = append(s.Issues, parley.Issue{Name: fmt.Sprint("i", i), Kind: parley.Integer, Options: parley.NumericOptions(parley.Integer, 0, 9, 0)})
	}
	for p := 0; p < 2; p++ {
		pr := &parley.Preferences{}
		for i := 0; i < 6; i++ {
			ip := parley.IssuePref{Issue: fmt.Sprint("i", i), Weight: parley.Estimate{Value: r.Float64()}}
			for k := 0; k < 10; k++ {
				ip.Values = append(ip.Values, parley.OptionValue{Option: fmt.Sprint(k), Value: parley.Estimate{Value: r.Float64()}})
			}
			pr.Issues = append(pr.Issues, ip)
		}
		s.Parties = append(s.Parties, parley.Party{Name: fmt.Sprint("p", p), Preferences: pr})
	}
	return compile(b, s)
}

// BenchmarkBoulware runs two Boulware agents under alternating offers, the
// protocol state machine and the runner included, and reports offers and
// rounds per second. Run: go test -run XXX -bench Boulware -benchmem ./simulate/
func BenchmarkBoulware(b *testing.B) {
	cases := []struct {
		name string
		m    func(*testing.B) *parley.Model
	}{
		{"Laptop", func(b *testing.B) *parley.Model {
			return geniusModel(b, "Laptop", "Laptop-C-domain.xml", "Laptop-C-prof1.xml", "Laptop-C-prof2.xml")
		}},
		{"Camera", func(b *testing.B) *parley.Model {
			return geniusModel(b, "cameradomain", "Camera-A-domain.xml", "Camera-A-prof1.xml", "Camera-A-prof2.xml")
		}},
		{"Car", func(b *testing.B) *parley.Model {
			return geniusModel(b, "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml")
		}},
		{"Synthetic1e6", synthetic},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := c.m(b)
			cfg := Config{Protocol: parley.ProtocolSAO, Rounds: 1000, Agents: []string{"boulware:e=0.02", "boulware:e=0.02"}}
			if _, err := Once(m, cfg, false); err != nil { // builds and caches the outcome indexes
				b.Fatal(err)
			}
			var offers, rounds int
			var secs float64
			for b.Loop() {
				run, err := Once(m, cfg, false)
				if err != nil {
					b.Fatal(err)
				}
				offers += run.Result.Offers
				rounds += run.Result.Rounds
				secs += run.Elapsed.Seconds()
			}
			b.ReportMetric(float64(offers)/secs, "offers/s")
			b.ReportMetric(float64(rounds)/secs, "rounds/s")
		})
	}
}

// BenchmarkMonteCarloIstanbul measures Monte Carlo runs per second on the
// built-in scenario (sampling, compiling, the mediator's target analysis
// and the mediated run), on all cores.
func BenchmarkMonteCarloIstanbul(b *testing.B) {
	s := builtin(b, "")
	cfg, err := FromScenario(s, "")
	if err != nil {
		b.Fatal(err)
	}
	var runs int
	var secs float64
	for b.Loop() {
		res, err := MonteCarlo(context.Background(), s, cfg, MCConfig{Runs: 200, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		runs += res.Runs
		secs += res.Elapsed
	}
	b.ReportMetric(float64(runs)/secs, "runs/s")
}

// BenchmarkBoulwareCommandCase runs in-process the negotiation of
// `parley simulate --json --agents boulware,boulware --rounds 10000
// --genius DOMAIN PROFILE PROFILE` on Laptop, Camera and Car (seed 1, no
// events kept), to compare the command's speed with the loop's:
// go test -run XXX -bench BoulwareCommandCase ./simulate/
func BenchmarkBoulwareCommandCase(b *testing.B) {
	for _, c := range []struct{ name, dir, dom, p1, p2 string }{
		{"Laptop", "Laptop", "Laptop-C-domain.xml", "Laptop-C-prof1.xml", "Laptop-C-prof2.xml"},
		{"Camera", "cameradomain", "Camera-A-domain.xml", "Camera-A-prof1.xml", "Camera-A-prof2.xml"},
		{"Car", "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml"},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := geniusModel(b, c.dir, c.dom, c.p1, c.p2)
			cfg := Config{Protocol: parley.ProtocolSAO, Rounds: 10000, Agents: []string{"boulware", "boulware"}, Seed: 1}
			var rounds int
			for b.Loop() {
				run, err := Once(m, cfg, false)
				if err != nil {
					b.Fatal(err)
				}
				rounds += run.Result.Rounds
			}
			b.ReportMetric(float64(rounds)/b.Elapsed().Seconds(), "rounds/s")
		})
	}
}
