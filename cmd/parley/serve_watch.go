package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// watchStore keeps m in step with the other servers of a database several
// share (PostgreSQL: parley.HeadWatcher) until ctx ends or the returned
// stop is called, which waits for the watch to end. A database one server
// has to itself (SQLite) needs nothing: stop is then a no-op.
func watchStore(ctx context.Context, m *live.Manager, db store, log *slog.Logger) (stop func()) {
	w, ok := db.(parley.HeadWatcher)
	if !ok {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Watch(ctx, w); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("serve: watching the database for other servers' appends stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}
