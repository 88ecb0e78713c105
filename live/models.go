package live

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/simulate"
)

// maxModels bounds each map of the model cache; past it the map starts
// over.
const maxModels = 256

// modelCache holds what is pure per scenario, so that the thousandth
// session of a scenario costs little to create or restore: the scenario
// as loaded from a spec (a built-in's name and variant, or an upload's
// exact text), its canonical JSON (what a session's definition embeds),
// its compiled model and the target of a built-in mediator. Everything in
// it is read-only once made: models are shared between sessions (and
// tournaments share one between workers), and they are most of an idle
// session's memory. Scenarios are keyed by their canonical JSON, so a
// variant or an edited upload is a scenario, and a model, of its own.
type modelCache struct {
	mu sync.Mutex
	// canon holds the scenarios by the SHA-256 of their canonical JSON;
	// specs the scenario each spec's source loads, by specKey.
	canon map[[32]byte]*scenarioEntry
	specs map[[32]byte]*scenarioEntry
}

// scenarioEntry is one scenario and what derives from it alone. The
// scenario is decoded from canon, as a session restored from its stored
// definition decodes it, so that a session comes out alike whether it was
// just created or restored.
type scenarioEntry struct {
	canon    []byte
	scenario *parley.Scenario
	model    *parley.Model

	mu        sync.Mutex
	target    parley.Outcome
	targetSet bool
}

// mediatorTarget is what a built-in mediator is told to aim at
// (simulate.MediatorTarget), computed once per scenario. A computation
// cut short by ctx is not kept.
func (e *scenarioEntry) mediatorTarget(ctx context.Context) parley.Outcome {
	e.mu.Lock()
	t, ok := e.target, e.targetSet
	e.mu.Unlock()
	if !ok {
		t = simulate.MediatorTarget(ctx, e.model)
		if ctx.Err() != nil {
			return t
		}
		e.mu.Lock()
		e.target, e.targetSet = t, true
		e.mu.Unlock()
	}
	return slices.Clone(t)
}

// specKey identifies what a spec's scenario is loaded from: the built-in
// name, the YAML text or the imported documents, and the variant.
func specKey(sp *Spec) ([32]byte, error) {
	b, err := json.Marshal(struct {
		Scenario  string `json:"scenario"`
		YAML      string `json:"yaml"`
		Genius    *Files `json:"genius"`
		GeniusWeb *Files `json:"geniusweb"`
		Variant   string `json:"variant"`
	}{sp.Scenario, sp.YAML, sp.Genius, sp.GeniusWeb, sp.Variant})
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// load returns the scenario sp names or carries, loading and compiling
// it the first time. Errors are Spec.load's and Scenario.Compile's.
func (c *modelCache) load(sp *Spec) (*scenarioEntry, error) {
	key, err := specKey(sp)
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "scenario: %v", err)
	}
	c.mu.Lock()
	e, ok := c.specs[key]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	s, err := sp.load()
	if err != nil {
		return nil, err
	}
	line, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	canon, err := audit.Canonical(line)
	if err != nil {
		return nil, err
	}
	if e, err = c.scenario(canon); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.specs == nil || len(c.specs) >= maxModels {
		c.specs = make(map[[32]byte]*scenarioEntry)
	}
	c.specs[key] = e
	return e, nil
}

// scenario returns the scenario whose JSON is raw (as a stored definition
// holds it), decoding and compiling it the first time.
func (c *modelCache) scenario(raw []byte) (*scenarioEntry, error) {
	key := sha256.Sum256(raw)
	c.mu.Lock()
	e, ok := c.canon[key]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	e = &scenarioEntry{canon: bytes.Clone(raw), scenario: new(parley.Scenario)}
	if err := json.Unmarshal(raw, e.scenario); err != nil {
		return nil, parley.Errorf(parley.EINVALID, "live: session definition: scenario: %v", err)
	}
	var err error
	if e.model, err = e.scenario.Compile(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.canon[key]; ok {
		return old, nil
	}
	if c.canon == nil || len(c.canon) >= maxModels {
		c.canon = make(map[[32]byte]*scenarioEntry)
		c.specs = nil // their entries are no longer shared through canon
	}
	c.canon[key] = e
	return e, nil
}
