package agent

import (
	"testing"

	"github.com/parleyhq/parley"
)

// Offers per second of the ANAC agents in self-play (benchSAO: 100 rounds,
// agents re-initialised per negotiation, indexes from DefaultCache), on
// Laptop (27 outcomes), Car (15,625) and the synthetic 10^6-outcome domain.

func benchANAC(b *testing.B, spec string, m *parley.Model) {
	benchSAO(b, m, func() parley.Agent { return mustNew(b, spec) })
}

func car(b *testing.B) *parley.Model {
	return loadGenius(b, "Car-A-domain", "Car-A-domain.xml", "Car-A-prof1.xml", "Car-A-prof2.xml")
}

func BenchmarkAgentKLaptop(b *testing.B)       { benchANAC(b, "agentk", laptop(b)) }
func BenchmarkAgentKCar(b *testing.B)          { benchANAC(b, "agentk", car(b)) }
func BenchmarkAgentKSynthetic1e6(b *testing.B) { benchANAC(b, "agentk", synthetic()) }

func BenchmarkHardHeadedLaptop(b *testing.B)       { benchANAC(b, "hardheaded", laptop(b)) }
func BenchmarkHardHeadedCar(b *testing.B)          { benchANAC(b, "hardheaded", car(b)) }
func BenchmarkHardHeadedSynthetic1e6(b *testing.B) { benchANAC(b, "hardheaded", synthetic()) }

func BenchmarkCUHKAgentLaptop(b *testing.B)       { benchANAC(b, "cuhkagent", laptop(b)) }
func BenchmarkCUHKAgentCar(b *testing.B)          { benchANAC(b, "cuhkagent", car(b)) }
func BenchmarkCUHKAgentSynthetic1e6(b *testing.B) { benchANAC(b, "cuhkagent", synthetic()) }

func BenchmarkAgentGGLaptop(b *testing.B)       { benchANAC(b, "agentgg", laptop(b)) }
func BenchmarkAgentGGCar(b *testing.B)          { benchANAC(b, "agentgg", car(b)) }
func BenchmarkAgentGGSynthetic1e6(b *testing.B) { benchANAC(b, "agentgg", synthetic()) }

func BenchmarkBayesianLaptop(b *testing.B)       { benchANAC(b, "bayesian", laptop(b)) }
func BenchmarkBayesianCar(b *testing.B)          { benchANAC(b, "bayesian", car(b)) }
func BenchmarkBayesianSynthetic1e6(b *testing.B) { benchANAC(b, "bayesian", synthetic()) }
