package live

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/simulate"
)

func readTestdata(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cacheSpecs are specs of every kind of scenario source: built in, with
// and without a variant and an agent mediator; an uploaded YAML with a
// variant; Genius and GeniusWeb documents.
func cacheSpecs(t *testing.T) map[string]*Spec {
	harbour := readTestdata(t, "../scenario/testdata/harbour.yaml")
	car := &Files{Name: "car", Domain: Doc(readTestdata(t, "../genius/testdata/car-domain.xml")),
		Profiles: []Doc{Doc(readTestdata(t, "../genius/testdata/car-buyer.xml")), Doc(readTestdata(t, "../genius/testdata/car-seller.xml"))}}
	jobs := &Files{Domain: Doc(readTestdata(t, "../geniusweb/testdata/jobs-domain.json")),
		Profiles: []Doc{Doc(readTestdata(t, "../geniusweb/testdata/jobs-employee.json")), Doc(readTestdata(t, "../geniusweb/testdata/jobs-employer.json"))}}
	return map[string]*Spec{
		"istanbul":          {Scenario: "istanbul-2025"},
		"istanbul-nash":     {Scenario: "istanbul-2025", Seats: map[string]string{"mediator": "nash", "Afghanistan": "delegate"}, Deadline: Deadline{Rounds: 30}},
		"istanbul-factions": {Scenario: "istanbul-2025", Variant: "s0s1-factions", Seats: map[string]string{"mediator": "nash", "Afghanistan/Kabul": "watchdog:recall=1"}},
		"istanbul-sao":      {Scenario: "istanbul-2025", Protocol: "sao", Seats: map[string]string{"Afghanistan": "conceder"}},
		"harbour":           {YAML: harbour},
		"harbour-hard":      {YAML: harbour, Variant: "hard-north", Protocol: "mediated", Seats: map[string]string{"mediator": "nash"}},
		"genius":            {Genius: car, Protocol: "sao"},
		"geniusweb":         {GeniusWeb: jobs, Protocol: "sao"},
	}
}

// uncachedDefinition is what define and protocol.Definition made before
// the cache: the scenario loaded afresh and encoded whole, the mediator's
// target computed on a freshly compiled model.
func uncachedDefinition(t *testing.T, sp *Spec, h protocol.Header) []byte {
	t.Helper()
	s, err := sp.load()
	if err != nil {
		t.Fatal(err)
	}
	h.Scenario = s
	st := h.Meta[metaKey].(settings)
	if st.Target != nil {
		m, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		st.Target = simulate.MediatorTarget(context.Background(), m)
	}
	h.Meta = map[string]any{metaKey: st}
	def, err := protocol.Definition(h)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// TestDefinitionCached: a session's stored definition is byte for byte
// what it was before the scenario cache, for every kind of scenario, the
// first time (the cache filled) and the second (read from it); and a
// session built from the stored definition alone, on a server that never
// saw the spec, is the one Create builds.
func TestDefinitionCached(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for name, sp := range cacheSpecs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			seed := uint64(7)
			sp.Seed = &seed
			var c modelCache
			var defs [][]byte
			for range 2 {
				h, e, err := define(ctx, sp, "S1", now, &c)
				if err != nil {
					t.Fatal(err)
				}
				def, bare, err := definition(h, e)
				if err != nil {
					t.Fatal(err)
				}
				if want := uncachedDefinition(t, sp, h); !bytes.Equal(def, want) {
					t.Fatalf("the definition differs from the uncached one:\n got %.300s\nwant %.300s", def, want)
				}
				sh, err := decodeDefinition(bare)
				if err != nil {
					t.Fatal(err)
				}
				b, err := sh.build(e, func() time.Time { return now })
				if err != nil {
					t.Fatal(err)
				}
				var fresh modelCache
				r, err := build(def, func() time.Time { return now }, &fresh)
				if err != nil {
					t.Fatal(err)
				}
				if r.model == b.model || !reflect.DeepEqual(r.model, b.model) {
					t.Fatal("the model restored from the definition is not an equal copy of the created session's")
				}
				if !reflect.DeepEqual(r.seats, b.seats) || r.rounds != b.rounds || r.seed != b.seed || r.scenario != b.scenario || r.variant != b.variant || r.protocol != b.protocol {
					t.Fatalf("restored %+v, created %+v", r, b)
				}
				defs = append(defs, def)
			}
			if !bytes.Equal(defs[0], defs[1]) {
				t.Fatal("the same spec defined twice, filling the cache and reading it, differs")
			}
			if len(c.canon) != 1 || len(c.specs) != 1 {
				t.Fatalf("after one spec twice the cache holds %d scenarios, %d specs", len(c.canon), len(c.specs))
			}
		})
	}
}

// TestModelCacheKeys: each variant and each upload's text is a scenario
// and a model of its own; the same source is one model, shared by the
// sessions created from it and restored from their definitions.
func TestModelCacheKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	specs := cacheSpecs(t)
	harbour := specs["harbour"].YAML
	edited := strings.Replace(harbour, "title: Harbour access talks", "title: Harbour access talks, edited", 1)
	if edited == harbour {
		t.Fatal("the edit did not apply")
	}
	var c modelCache
	model := func(sp *Spec) *scenarioEntry {
		t.Helper()
		h, e, err := define(ctx, sp, "S", time.Now(), &c)
		if err != nil {
			t.Fatal(err)
		}
		def, _, err := definition(h, e)
		if err != nil {
			t.Fatal(err)
		}
		b, err := build(def, time.Now, &c)
		if err != nil {
			t.Fatal(err)
		}
		if b.model != e.model {
			t.Fatalf("%s: the restored session has a model of its own", e.scenario.ID)
		}
		return e
	}
	base, factions := model(specs["istanbul"]), model(specs["istanbul-factions"])
	yaml, hard := model(specs["harbour"]), model(specs["harbour-hard"])
	ed := model(&Spec{YAML: edited})
	for _, x := range []struct {
		name string
		e    *scenarioEntry
		want string
	}{{"base", base, ""}, {"s0s1-factions", factions, "s0s1-factions"}, {"harbour", yaml, ""}, {"hard-north", hard, "hard-north"}} {
		if x.e.scenario.Variant != x.want {
			t.Errorf("%s: the model's scenario is variant %q", x.name, x.e.scenario.Variant)
		}
	}
	if base == factions || yaml == hard || yaml == ed || base.model == factions.model || yaml.model == ed.model {
		t.Fatal("two scenarios share a model")
	}
	if ed.scenario.Title != "Harbour access talks, edited" || yaml.scenario.Title != "Harbour access talks" {
		t.Fatalf("titles %q and %q", yaml.scenario.Title, ed.scenario.Title)
	}
	if again := model(&Spec{Scenario: "istanbul-2025", Seats: map[string]string{"mediator": "nash"}}); again != base {
		t.Fatal("the same built-in scenario loaded twice")
	}
	if again := model(&Spec{YAML: strings.Clone(harbour)}); again != yaml {
		t.Fatal("the same upload loaded twice")
	}
	if len(c.canon) != 5 {
		t.Fatalf("%d scenarios cached, want 5", len(c.canon))
	}
}

// TestModelCacheBounded: uploads past maxModels do not grow the cache.
func TestModelCacheBounded(t *testing.T) {
	t.Parallel()
	var c modelCache
	for i := range maxModels + 10 {
		sp := &Spec{YAML: fmt.Sprintf(`id: s%d
issues:
  - {name: a, options: [x, y]}
parties:
  - {name: P, preferences: {reservation: 0, issues: [{issue: a, weight: 1, values: {x: 1, y: 0}}]}}
  - {name: Q, preferences: {reservation: 0, issues: [{issue: a, weight: 1, values: {x: 0, y: 1}}]}}
`, i)}
		e, err := c.load(sp)
		if err != nil {
			t.Fatal(err)
		}
		if e.scenario.ID != fmt.Sprintf("s%d", i) {
			t.Fatalf("upload %d gave scenario %q", i, e.scenario.ID)
		}
		if len(c.canon) > maxModels || len(c.specs) > maxModels {
			t.Fatalf("after %d uploads the cache holds %d scenarios, %d specs", i+1, len(c.canon), len(c.specs))
		}
	}
	if len(c.canon) != 10 || len(c.specs) != 10 {
		t.Fatalf("the cache did not start over: %d scenarios, %d specs", len(c.canon), len(c.specs))
	}
}

// TestMediatorTargetCached: the target is simulate.MediatorTarget's, and
// one cut short by a cancelled request is not kept.
func TestMediatorTargetCached(t *testing.T) {
	t.Parallel()
	var c modelCache
	e, err := c.load(&Spec{Scenario: "istanbul-2025"})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_ = e.mediatorTarget(cancelled)
	want := simulate.MediatorTarget(context.Background(), e.model)
	if want == nil {
		t.Fatal("no target for istanbul-2025")
	}
	for range 2 {
		got := e.mediatorTarget(context.Background())
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("target %v, want %v", got, want)
		}
		got[0] = -7 // the caller's copy
	}
	if !e.targetSet || reflect.DeepEqual(e.target, parley.Outcome(nil)) {
		t.Fatal("the target was not kept")
	}
}
