package postgres

import (
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// maxCachedHeads bounds the heads a writer keeps; past it the cache starts
// again empty (a session missing costs its next batch one round trip).
const maxCachedHeads = 1 << 16

// headCache holds the chain heads that this process's batches committed
// or that it heard other servers commit (NOTIFY), so that a batch can link
// its events to them without first reading the heads from the database:
// it sends BEGIN, the statement that locks those heads, fails unless each
// is still the one cached and moves them (sqlMoveHeads), the insert of the
// events and COMMIT in one round trip. A cached head is only ever a guess checked under the lock:
// when another server moved it meanwhile, the batch rolls back and takes
// the reading path, so the chain is the same either way.
type headCache struct {
	mu sync.Mutex
	m  map[string]audit.Chain
}

func newHeadCache() *headCache { return &headCache{m: map[string]audit.Chain{}} }

// chains returns the cached chains of the sessions of batch, each a copy
// that linking may advance, or nil when one is missing.
func (h *headCache) chains(ids []string) map[string]*audit.Chain {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]*audit.Chain, len(ids))
	for _, id := range ids {
		c, ok := h.m[id]
		if !ok {
			return nil
		}
		out[id] = &c
	}
	return out
}

// put caches c, unless a later head of its session is cached already (a
// NOTIFY heard after this process's own next commit).
func (h *headCache) put(c audit.Chain) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.m[c.Session]; ok && old.Next > c.Next {
		return
	}
	if len(h.m) >= maxCachedHeads {
		clear(h.m)
	}
	h.m[c.Session] = c
}

// heard caches a head another server committed.
func (h *headCache) heard(head parley.ChainHead) {
	if head.Session != "" {
		h.put(audit.FromHead(head))
	}
}

// forget drops the heads of sessions, whose state is unknown (a batch
// that failed).
func (h *headCache) forget(ids []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		delete(h.m, id)
	}
}
