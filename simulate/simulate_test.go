package simulate

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

func builtin(t testing.TB, variant string) *parley.Scenario {
	t.Helper()
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario(variant)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func compile(t testing.TB, s *parley.Scenario) *parley.Model {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLaptopReference is the reference run on the Genius Laptop domain:
// Boulware (e=0.2) against Conceder (e=2), 100 rounds of alternating offers.
// Boulware keeps offering its best outcome (HP, 60 Gb, 19” LCD; utility 1)
// and accepts nothing else. Conceder's target after k of its turns is
// Pmin + (1−Pmin)(1 − t^(1/2)) with Pmin = its reservation floor 0.3527 and
// t = steps/(2·100): at its 17th step (t = 0.085) the target drops to about
// 0.812, below the 0.8151 that Boulware's offer is worth to it, so it
// accepts in round 9. The same agents on NegMAS's Laptop domain reach the
// same outcome; the agent package's own mini-loop test documents the same run.
func TestLaptopReference(t *testing.T) {
	dir := filepath.Join(shared.Genius(t), "negmas-tests", "Laptop")
	s, err := genius.Load(filepath.Join(dir, "Laptop-C-domain.xml"), []string{filepath.Join(dir, "Laptop-C-prof1.xml"), filepath.Join(dir, "Laptop-C-prof2.xml")}, genius.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := compile(t, s)
	run, err := Once(m, Config{Protocol: parley.ProtocolSAO, Rounds: 100, Agents: []string{"boulware", "conceder"}, Seed: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	if run.Result.End != parley.Agreement || run.Result.Rounds != 9 {
		t.Fatalf("end %s after %d rounds, want agreement in round 9", run.Result.End, run.Result.Rounds)
	}
	got := fmt.Sprint(m.Labels(run.Result.Agreement))
	if want := "map[External Monitor:19'' LCD Harddisk:60 Gb Laptop:HP]"; got != want {
		t.Errorf("agreement %s, want %s", got, want)
	}
	if run.Utilities[0] != 1 || fmt.Sprintf("%.4f", run.Utilities[1]) != "0.8151" {
		t.Errorf("utilities %v, want [1 0.8151]", run.Utilities)
	}
}

// TestIstanbulDefaultRun checks the S0/S1 account's default run: it comes
// from the agents' own decisions (nothing scripted), and it reproduces the
// dynamics S0/S1 report — settled clauses, Kabul's precondition on the US
// guarantor, reopened clauses, no agreement.
func TestIstanbulDefaultRun(t *testing.T) {
	m, run := istanbulRun(t, "s0s1-factions", true)
	s := m.Scenario
	if run.Result.End == parley.Agreement {
		t.Fatalf("the S0/S1 account ends without agreement, got %v", m.Labels(run.Result.Agreement))
	}
	var precondition, reopened, agreed bool
	for _, ev := range run.Events {
		switch {
		case ev.Type == protocol.EvInstruction && ev.Instruction.Kind == parley.AddPrecondition:
			precondition = ev.Instruction.Principal == "Kabul" && s.Issues[ev.Instruction.Issue].Name == "guarantor"
		case ev.Type == protocol.EvClause && ev.Clause.To == parley.ClauseReopened:
			reopened = true
		case ev.Type == protocol.EvClause && ev.Clause.To == parley.ClauseAgreed:
			agreed = true
		}
	}
	if !agreed || !precondition || !reopened {
		t.Errorf("want settled clauses (%v), Kabul's guarantor precondition (%v) and reopened clauses (%v)", agreed, precondition, reopened)
	}
	// Under the before-recess what-if (no Kabul precondition) the same
	// agents reach, for some draws of the estimates, an agreement every
	// party ratifies; every agreement they reach lies in the zone.
	s2 := builtin(t, "before-recess")
	cfg2, _ := FromScenario(s2, "")
	agreed = false
	for seed := uint64(1); seed <= 20; seed++ {
		m2 := compile(t, s2.Sample(rand.New(rand.NewPCG(seed, 1))))
		cfg2.Seed = seed
		cfg2.Target = MediatorTarget(context.Background(), m2)
		run2, err := Once(m2, cfg2, false)
		if err != nil {
			t.Fatal(err)
		}
		if run2.Result.End == parley.Agreement {
			agreed = true
			if !m2.InZone(run2.Result.Agreement) {
				t.Errorf("before-recess seed %d: agreement %v outside the zone", seed, m2.Labels(run2.Result.Agreement))
			}
		}
	}
	if !agreed {
		t.Errorf("before-recess: no agreement in 20 draws")
	}
}

// TestDeterminism: the same seed gives the same transcript, and Monte
// Carlo results do not depend on the number of workers.
func TestDeterminism(t *testing.T) {
	s := builtin(t, "")
	m := compile(t, s)
	cfg, _ := FromScenario(s, "")
	cfg.Target = MediatorTarget(context.Background(), m)
	a, err := Once(m, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Once(m, cfg, true)
	if !reflect.DeepEqual(a.Events, b.Events) {
		t.Fatal("same seed, different transcripts")
	}
	var results []*MCResult
	for _, workers := range []int{1, 3} {
		res, err := MonteCarlo(context.Background(), s, cfg, MCConfig{Runs: 24, Workers: workers, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		res.Elapsed, res.RunsPerSecond = 0, 0
		results = append(results, res)
	}
	if !reflect.DeepEqual(results[0], results[1]) {
		t.Fatalf("Monte Carlo depends on the worker count:\n%+v\n%+v", results[0], results[1])
	}
	if results[0].Runs != 24 || results[0].CI95[0] > results[0].PAgreement || results[0].CI95[1] < results[0].PAgreement {
		t.Errorf("bad summary %+v", results[0])
	}
}

// TestReplayRoundTrip writes a transcript and replays it.
func TestReplayRoundTrip(t *testing.T) {
	s := builtin(t, "")
	m := compile(t, s)
	cfg, _ := FromScenario(s, "")
	cfg.Target = MediatorTarget(context.Background(), m)
	run, err := Once(m, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := protocol.Replay(run.Header, run.Events)
	if err != nil {
		t.Fatal(err)
	}
	if res.End != run.Result.End || res.Rounds != run.Result.Rounds {
		t.Fatalf("replay %+v, run %+v", res, run.Result)
	}
}

// TestAgreementsAreAcceptable runs random agents on random small scenarios
// (with delegations and red lines) under both protocols: every agreement
// must be acceptable to every party and its ratifying coalition.
func TestAgreementsAreAcceptable(t *testing.T) {
	agents := []string{"boulware", "linear", "conceder", "titfortat", "hardliner", "random", "frequency"}
	agreements := 0
	for seed := uint64(0); seed < 120; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		s := randScenario(r)
		m := compile(t, s)
		cfg := Config{Protocol: parley.ProtocolSAO, Rounds: 20, Seed: seed}
		if seed%2 == 1 {
			cfg = Config{Protocol: parley.ProtocolMediated, Rounds: 20, Seed: seed, Mediator: "hillclimb"}
		}
		for range s.Parties {
			if cfg.Protocol == parley.ProtocolSAO {
				cfg.Agents = append(cfg.Agents, agents[r.IntN(len(agents))])
			} else {
				cfg.Agents = append(cfg.Agents, "delegate")
			}
		}
		run, err := Once(m, cfg, true)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if run.Result.End == parley.Running {
			t.Fatalf("seed %d: the run did not end", seed)
		}
		if run.Result.End == parley.Agreement {
			agreements++
			if !m.InZone(run.Result.Agreement) {
				t.Fatalf("seed %d: agreement %v is not acceptable to every party", seed, run.Result.Agreement)
			}
		}
		// Nothing happens after the end.
		last := run.Events[len(run.Events)-1]
		if last.Type != protocol.EvEnd {
			t.Fatalf("seed %d: last event %q, want end", seed, last.Type)
		}
	}
	if agreements == 0 {
		t.Fatal("no run agreed: the property was never exercised")
	}
}

func randScenario(r *rand.Rand) *parley.Scenario {
	s := &parley.Scenario{ID: "rand"}
	for i := 0; i < 2+r.IntN(3); i++ {
		is := parley.Issue{Name: "i" + strconv.Itoa(i)}
		for k := 0; k < 2+r.IntN(3); k++ {
			is.Options = append(is.Options, parley.Option{Label: "o" + strconv.Itoa(k)})
		}
		s.Issues = append(s.Issues, is)
	}
	prefs := func() parley.Preferences {
		var p parley.Preferences
		for _, is := range s.Issues {
			ip := parley.IssuePref{Issue: is.Name, Weight: parley.Estimate{Value: 1 + float64(r.IntN(3))}}
			for _, o := range is.Options {
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: r.Float64()}})
			}
			p.Issues = append(p.Issues, ip)
		}
		if r.IntN(3) == 0 {
			is := s.Issues[r.IntN(len(s.Issues))]
			p.RedLines = []parley.RedLine{{Name: "rl", Conditions: []parley.Condition{{Issue: is.Name, Options: []string{is.Options[0].Label}}}}}
		}
		p.Reservation = parley.Estimate{Value: 0.3 * r.Float64()}
		return p
	}
	for p := 0; p < 2+r.IntN(2); p++ {
		pt := parley.Party{Name: "p" + strconv.Itoa(p)}
		if r.IntN(3) == 0 {
			d := &parley.Delegation{Rule: parley.Ratification{Kind: parley.RuleKind(r.IntN(2))}}
			for f := 0; f < 2; f++ {
				d.Factions = append(d.Factions, parley.Faction{Name: "f" + strconv.Itoa(f), Weight: parley.Estimate{Value: 1}, Preferences: prefs()})
			}
			pt.Delegation = d
		} else {
			pr := prefs()
			pt.Preferences = &pr
		}
		s.Parties = append(s.Parties, pt)
	}
	return s
}

// TestExtensionByAgreement: delegates that ask for more rounds near the
// deadline get them when every party asks (one of the allowed extensions).
func TestExtensionByAgreement(t *testing.T) {
	s := builtin(t, "s0s1-factions")
	m := compile(t, s)
	cfg, _ := FromScenario(s, "")
	cfg.Target = MediatorTarget(context.Background(), m)
	cfg.Mediator = "nash:patience=40"
	cfg.Agents = []string{"delegate:extend=4", "delegate:extend=4"}
	run, err := Once(m, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range run.Events {
		if ev.Type == protocol.EvExtend && ev.Actor == protocol.NoActor && strings.Contains(ev.Note, "by agreement") {
			found = true
		}
	}
	if !found || run.Result.Rounds != cfg.Rounds+4 {
		t.Errorf("want one extension by agreement (%v) and %d rounds, got %d", found, cfg.Rounds+4, run.Result.Rounds)
	}
}

// istanbulRun runs a variant of the built-in scenario as its simulation
// section says, the mediator aiming at the Nash point.
func istanbulRun(t *testing.T, variant string, keepEvents bool) (*parley.Model, *Run) {
	t.Helper()
	s := builtin(t, variant)
	m := compile(t, s)
	cfg, err := FromScenario(s, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = MediatorTarget(context.Background(), m)
	run, err := Once(m, cfg, keepEvents)
	if err != nil {
		t.Fatal(err)
	}
	return m, run
}

// TestFromTranscript rebuilds runs from their transcripts, read back from
// JSON Lines: the same result, utilities, blocking report and events.
func TestFromTranscript(t *testing.T) {
	for _, variant := range []string{"", "before-recess"} {
		_, run := istanbulRun(t, variant, true)
		var buf bytes.Buffer
		if err := protocol.WriteTranscript(&buf, run.Header, run.Events); err != nil {
			t.Fatal(err)
		}
		h, evs, err := protocol.ReadTranscript(&buf)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := FromTranscript(h, evs)
		if err != nil {
			t.Fatal(err)
		}
		run.Elapsed = 0
		if !reflect.DeepEqual(got.Result, run.Result) || !reflect.DeepEqual(got.Utilities, run.Utilities) || !reflect.DeepEqual(got.Blocked, run.Blocked) || len(got.Events) != len(run.Events) {
			t.Errorf("variant %q: from the transcript %+v %v %v, the run %+v %v %v", variant, got.Result, got.Utilities, got.Blocked, run.Result, run.Utilities, run.Blocked)
		}
		// A transcript with an event changed does not rebuild.
		evs[len(evs)/2].Round++
		if _, _, err := FromTranscript(h, evs); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("variant %q: a doctored transcript rebuilt: %v", variant, err)
		}
	}
}
