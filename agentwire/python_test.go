package agentwire_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// python returns the example agent's command line, or skips (loudly)
// where python3 is missing; CI has it. The interpreter is named by its
// own path, not through a version manager's shim (pyenv's is a shell
// script that takes longer to start than the negotiation).
func python(t testing.TB, args ...string) []string {
	t.Helper()
	pyOnce.Do(func() {
		py, err := exec.LookPath("python3")
		if err != nil {
			return
		}
		out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
		if exe := strings.TrimSpace(string(out)); err == nil && exe != "" {
			py = exe
		}
		pyPath = py
	})
	if pyPath == "" {
		t.Skip("SKIPPED: python3 not on PATH; the Python example agent (examples/python/agent.py) is not tested here")
	}
	return append([]string{pyPath, filepath.Join("..", "examples", "python", "agent.py")}, args...)
}

var (
	pyOnce sync.Once
	pyPath string
)

// TestPythonExample plays the Python example through a full negotiation in
// every protocol and seat it can take: alternating offers against
// boulware (bilateral, and stacked with three parties), answering a
// mediator's text, and mediating. It must play by the rules: no agent
// error, no broken protocol, and moves of its own.
func TestPythonExample(t *testing.T) {
	argv := python(t)
	t.Parallel()
	py := func() session.Player {
		return session.Player{Agent: agentwire.Command(argv, agentwire.CommandOptions{}), Name: "exec:python3 agent.py"}
	}
	for _, tc := range []struct {
		name    string
		m       *parley.Model
		pc      protocol.Config
		parties []session.Player
		med     session.Player
		pySeat  int
	}{
		{"SAO", market(t, 2, 0), protocol.SAOConfig{Rounds: 200}, []session.Player{py(), builtin(t, "boulware")}, session.Player{}, 0},
		{"SAOSecond", market(t, 2, 0.6), protocol.SAOConfig{Rounds: 200}, []session.Player{builtin(t, "boulware"), py()}, session.Player{}, 1},
		{"SAOThreeParties", market(t, 3, 0), protocol.SAOConfig{Rounds: 100}, []session.Player{builtin(t, "conceder"), py(), builtin(t, "boulware")}, session.Player{}, 1},
		{"MediatedParty", market(t, 2, 0), protocol.MediatedConfig{Rounds: 30}, []session.Player{py(), builtin(t, "delegate")}, builtin(t, "hillclimb"), 0},
		{"Mediator", market(t, 2, 0), protocol.MediatedConfig{Rounds: 30}, []session.Player{builtin(t, "delegate"), builtin(t, "delegate")}, py(), parley.MediatorActor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := session.Config{Protocol: tc.pc, Parties: tc.parties, Mediator: tc.med, Seed: 9}
			d, err := session.New(tc.m, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			res := d.Result()
			if res.End == parley.AgentError || res.End == parley.Broken || res.End == parley.Running {
				t.Fatalf("end %s: %s", res.End, res.Why)
			}
			moves := 0
			for _, ev := range d.Events() {
				if ev.Type == protocol.EvAction && ev.Actor == tc.pySeat {
					moves++
				}
			}
			if moves == 0 {
				t.Fatalf("the Python agent made no move (%s after %d rounds: %s)", res.End, res.Rounds, res.Why)
			}
			t.Logf("%s after %d rounds (%d moves of the Python agent): %s", res.End, res.Rounds, moves, res.Why)
		})
	}
}
