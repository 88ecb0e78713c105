package postgres

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

var _ parley.HeadWatcher = (*DB)(nil)

// channelOf names the NOTIFY channel of a schema: servers on one schema
// hear each other, servers on other schemas of the same database do not.
// PostgreSQL cuts identifiers at 63 bytes; so do we, for LISTEN and
// pg_notify to agree.
func channelOf(schema string) string {
	c := "parley:" + schema
	if len(c) > 63 {
		c = c[:63]
	}
	return c
}

// WatchHeads implements parley.HeadWatcher with LISTEN on a connection of
// its own: every batch that moves heads NOTIFYs them right after its
// COMMIT (unless NoNotify), so a listener hears of each head when, and
// only if, its batch commits — if another DB (another server) listens:
// a DB's batches are not sent to its own listeners alone (listeners.go),
// whose server made them. When the connection fails, WatchHeads calls
// moved with the zero ChainHead every PollInterval until it listens
// again, and once more when it does, so that the caller polls for what it
// missed.
func (db *DB) WatchHeads(ctx context.Context, moved func(parley.ChainHead)) error {
	if db.pool == nil || db.closed.Load() {
		return ErrClosed
	}
	every := db.PollInterval
	if every <= 0 {
		every = DefaultPollInterval
	}
	cfg := db.pool.Config().ConnConfig.Copy()
	for {
		err := db.listen(ctx, cfg, moved)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_ = err // the connection failed: poll, and listen again
		moved(parley.ChainHead{})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// listen listens until the connection fails or ctx ends.
func (db *DB) listen(ctx context.Context, cfg *pgx.ConnConfig, moved func(parley.ChainHead)) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	// The lock first: a batch that sees it NOTIFYs while the LISTEN is
	// still to come, which the poll below makes up for.
	var pid int32
	if err := conn.QueryRow(ctx, sqlListening, db.channel).Scan(&pid, nil); err != nil {
		return err
	}
	db.listening.add(pid)
	defer db.listening.remove(pid)
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel}.Sanitize()); err != nil {
		return err
	}
	// Heads may have moved while no one listened.
	moved(parley.ChainHead{})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		for line := range strings.Lines(n.Payload) {
			if h, ok := parseHead(line); ok {
				if db.w != nil {
					db.w.heads.heard(h) // the next batch to extend it need not read it
				}
				moved(h)
			}
		}
	}
}

// parseHead reads a line of a NOTIFY payload: "SESSION EVENTS HEXHASH"
// (notifyPayloads).
func parseHead(p string) (parley.ChainHead, bool) {
	f := strings.Fields(p)
	if len(f) != 3 {
		return parley.ChainHead{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return parley.ChainHead{}, false
	}
	var h parley.ChainHead
	b, err := hex.DecodeString(f[2])
	if err != nil || len(b) != len(h.Hash) {
		return parley.ChainHead{}, false
	}
	h.Session, h.Events = f[0], n
	copy(h.Hash[:], b)
	return h, true
}
