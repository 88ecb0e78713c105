package agent

import (
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
)

// benchSAO runs whole negotiations of two agents made by mk in the sao loop
// of negotiator_test.go (100 rounds, no history, agents re-initialised each
// session with their index from DefaultCache) and reports offers per second
// on one core.
func benchSAO(b *testing.B, m *parley.Model, mk func() parley.Agent) {
	s := newSAO(m, []parley.Agent{mk(), mk()}, 100)
	if err := s.init(1); err != nil { // warm the index cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	offers := 0
	for b.Loop() {
		if err := s.init(1); err != nil {
			b.Fatal(err)
		}
		s.run()
		offers += s.offers
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(offers)/sec, "offers/s")
	b.ReportMetric(float64(offers)/float64(b.N), "offers/op")
	b.ReportMetric(sec*1e9/float64(offers), "ns/offer")
}

func boulwareFactory() parley.Agent { return Boulware() }

func BenchmarkBoulwareLaptop(b *testing.B) {
	benchSAO(b, laptop(b), boulwareFactory)
}

func BenchmarkBoulwareCamera(b *testing.B) {
	benchSAO(b, loadGenius(b, "cameradomain", "Camera-A-domain.xml", "Camera-A-prof1.xml", "Camera-A-prof2.xml"), boulwareFactory)
}

func BenchmarkBoulwareCar(b *testing.B) {
	benchSAO(b, loadGenius(b, "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml"), boulwareFactory)
}

// synthetic draws a 6 issues × 10 options additive domain (10^6 outcomes)
// with opposed random utilities.
func synthetic() *parley.Model {
	rng := rand.New(rand.NewPCG(42, 42))
	sizes := []int{10, 10, 10, 10, 10, 10}
	m := randomParties(rng, sizes, 2)
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	return m
}

func BenchmarkBoulwareSynthetic1e6(b *testing.B) {
	benchSAO(b, synthetic(), boulwareFactory)
}

func BenchmarkFrequencyLaptop(b *testing.B) {
	benchSAO(b, laptop(b), func() parley.Agent { return &Frequency{} })
}

func BenchmarkFrequencySynthetic1e6(b *testing.B) {
	benchSAO(b, synthetic(), func() parley.Agent { return &Frequency{} })
}

// BenchmarkIndexBuild times building the exact index of the synthetic 10^6
// domain (done once per utility thanks to IndexCache).
func BenchmarkIndexBuild1e6(b *testing.B) {
	m := synthetic()
	for b.Loop() {
		NewIndex(m, &m.Parties[0].Utility)
	}
}

// BenchmarkIndexBuildCar times the exact index of Car (15,625 outcomes),
// which every command-line negotiation on it builds once per party.
func BenchmarkIndexBuildCar(b *testing.B) {
	m := car(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(m, &m.Parties[0].Utility)
	}
}

// BenchmarkIndexBuild1e60 times the binned index of 60 issues × 10 options.
func BenchmarkIndexBuild1e60(b *testing.B) {
	sizes := make([]int, 60)
	for i := range sizes {
		sizes[i] = 10
	}
	m := randomParties(rand.New(rand.NewPCG(1, 2)), sizes, 1)
	for b.Loop() {
		NewIndex(m, &m.Parties[0].Utility)
	}
}
