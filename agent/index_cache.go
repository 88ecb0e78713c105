package agent

import (
	"runtime"
	"sync"
	"weak"

	"github.com/parleyhq/parley"
)

// IndexCache shares indexes between agents that negotiate with the same
// utility function, so that a tournament builds one index per domain and
// profile rather than one per agent and session. It is keyed by the
// *parley.UtilityFn pointer (the Session.Utility the runner hands out), which
// is why a UtilityFn must not be modified once it has been indexed.
//
// Keys are weak: an entry disappears after its UtilityFn has been garbage
// collected, so a long-running server does not accumulate indexes of
// finished scenarios. An IndexCache is safe for concurrent use; concurrent
// Gets for the same key build the index once.
type IndexCache struct {
	opt     IndexOptions
	mu      sync.Mutex
	entries map[weak.Pointer[parley.UtilityFn]]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	idx  *Index
}

// NewIndexCache returns an empty cache building indexes with opt.
func NewIndexCache(opt IndexOptions) *IndexCache {
	return &IndexCache{opt: opt, entries: map[weak.Pointer[parley.UtilityFn]]*cacheEntry{}}
}

// DefaultCache is the cache agents use when their Cache field is nil. Its
// keys are weak, so it holds no scenario alive.
var DefaultCache = NewIndexCache(IndexOptions{})

// Get returns the index of u over m's outcomes, building it on first use.
func (c *IndexCache) Get(m *parley.Model, u *parley.UtilityFn) *Index {
	key := weak.Make(u)
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{}
		c.entries[key] = e
		runtime.AddCleanup(u, c.drop, key)
	}
	c.mu.Unlock()
	e.once.Do(func() { e.idx = NewIndexWith(m, u, c.opt) })
	return e.idx
}

// Len returns the number of cached indexes.
func (c *IndexCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *IndexCache) drop(key weak.Pointer[parley.UtilityFn]) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}
