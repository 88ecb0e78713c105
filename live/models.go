package live

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/parleyhq/parley"
)

// maxModels bounds the model cache; past it the cache starts over.
const maxModels = 256

// modelCache shares compiled models between the sessions of one scenario:
// a model is read-only once compiled (tournaments share one between
// workers), and it is most of an idle session's memory. Sessions are keyed
// by the scenario's JSON, so a variant or an edited file is a model of its
// own.
type modelCache struct {
	mu sync.Mutex
	m  map[[32]byte]*parley.Model
}

// compile returns the model of s, compiling it once.
func (c *modelCache) compile(s *parley.Scenario) (*parley.Model, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256(b)
	c.mu.Lock()
	m, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return m, nil
	}
	if m, err = s.Compile(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxModels {
		c.m = make(map[[32]byte]*parley.Model)
	}
	if old, ok := c.m[key]; ok {
		return old, nil
	}
	c.m[key] = m
	return m, nil
}
