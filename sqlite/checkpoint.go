package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints, off the commit path.
//
// In WAL mode a commit appends the pages it changed to the log (and syncs
// it); a checkpoint copies logged pages back into the database file and
// syncs that, and once the whole log is copied the next write transaction
// starts the log over from its beginning. SQLite's default runs a PASSIVE
// checkpoint inside the COMMIT that takes the log past 1,000 pages: every
// few batches one batch also waited for about a thousand page writes and
// two more fsyncs, and every append queued behind it waited too.
//
// Here the writer's connection has automatic checkpoints off, and a
// goroutine with a connection of its own (checkpointer) copies the log in
// the background (PASSIVE, so that it never blocks the writer or a
// reader), after commits, at most every CheckpointInterval.
// A background checkpoint cannot copy the pages of a commit that lands
// while it runs, so under steady load the log is never wholly copied and
// would never start over. Once the log is past restartFrames, the
// checkpointer asks the writer to finish the job: before its next batch
// the writer checkpoints what was committed since the background run
// started (a few batches' pages, not a thousand), so that its next
// transaction starts the log over. A reader in the middle of a read can
// keep that from happening (it holds a snapshot that needs the log); should
// the log still grow past maxFramesFactor × restartFrames, the writer runs
// a TRUNCATE checkpoint instead, which waits up to truncateWaitMillis for
// the readers of old snapshots to finish (new ones read the database file)
// and empties the log; if a reader holds on longer, it gives up and tries
// again later (after 100 ms, then twice as long each time up to 5 s), so
// that a long read (an export, an audit of the whole file) holds up
// commits for at most that long now and then, and the log grows until it
// ends. When the log starts over, a file that grew past
// twice restartFrames is cut back to that (journal_size_limit).
//
// None of this touches durability: a commit is acknowledged once the log
// holds it and is synced (synchronous=FULL), whoever copies it later, and
// SQLite recovers from a crash at any point of a checkpoint.

// Defaults of the checkpoint thresholds, in log frames (one page each,
// 4 KiB by default).
const (
	DefaultCheckpointFrames = 4096 // start the log over past 16 MiB
	maxFramesFactor         = 8    // TRUNCATE past 8 × CheckpointFrames
	truncateWaitMillis      = 50   // how long a TRUNCATE waits for readers
	truncateBackoffMin      = 100 * time.Millisecond
	truncateBackoffMax      = 5 * time.Second
	// DefaultCheckpointInterval is the least time between two background
	// checkpoints. Each copies the pages logged since the last, a page
	// written again and again (the chain heads, the ends of the tables and
	// indexes) once, and costs two fsyncs: at 5,000 appends/s (about
	// 6,500 log pages) 200 ms copies a few percent fewer pages than
	// SQLite's checkpoint every 1,000 pages, where 50 ms would copy a
	// third more and sync four times as often.
	DefaultCheckpointInterval = 200 * time.Millisecond
)

// WALStats counts the checkpoints since Open.
type WALStats struct {
	// Background is the PASSIVE checkpoints of the background connection;
	// CatchUps those the writer ran between batches to let the log start
	// over; Truncates the TRUNCATE checkpoints the writer ran because the
	// log outgrew its bound.
	Background, CatchUps, Truncates int64
	// Busy counts checkpoints that found another one running (and were
	// retried later).
	Busy int64
	// LastLog is the log's size in frames that the last checkpoint saw.
	LastLog int64
}

// walSizeLimit is the size in bytes that the log file is cut back to when
// it starts over (PRAGMA journal_size_limit): twice the restart threshold,
// in frames of a 4 KiB page and its 24-byte header.
func walSizeLimit(restartFrames int) int64 {
	if restartFrames <= 0 {
		restartFrames = DefaultCheckpointFrames
	}
	return 2 * int64(restartFrames) * (4096 + 24)
}

// checkpointer runs the background checkpoints and tells the writer when
// to catch up.
type checkpointer struct {
	db            *sql.DB // one connection of its own
	restartFrames int64
	interval      time.Duration

	kick     chan struct{} // a commit landed (capacity 1)
	stop     chan struct{}
	wg       sync.WaitGroup
	catchUp  atomic.Bool // the writer should checkpoint before its next batch
	truncate atomic.Bool // and empty the log: it is past its bound

	// The writer's alone: when a TRUNCATE that found readers holding on
	// may be tried again, and how long it waited for that.
	truncateNext    time.Time
	truncateBackoff time.Duration

	background, catchUps, truncates, busy, lastLog atomic.Int64
}

func newCheckpointer(db *sql.DB, restartFrames int, interval time.Duration) *checkpointer {
	if restartFrames <= 0 {
		restartFrames = DefaultCheckpointFrames
	}
	if interval <= 0 {
		interval = DefaultCheckpointInterval
	}
	c := &checkpointer{db: db, restartFrames: int64(restartFrames), interval: interval,
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c
}

// committed tells the checkpointer that the log grew; it never waits.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// close stops the background goroutine (a checkpoint under way finishes).
func (c *checkpointer) close() {
	close(c.stop)
	c.wg.Wait()
}

// run checkpoints after commits, at most once per interval, and leaves the
// rest to the writer while a catch-up is pending (two checkpoints at once
// would only make one of them busy).
func (c *checkpointer) run() {
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		if !c.catchUp.Load() {
			c.background1()
		}
		select {
		case <-time.After(c.interval):
		case <-c.stop:
			return
		}
	}
}

// background1 is one background round: a PASSIVE checkpoint, then a
// request to the writer to catch up if the log is past restartFrames, and
// to truncate it if past its bound.
func (c *checkpointer) background1() {
	log, _, err := c.checkpoint(context.Background(), c.db, "PASSIVE")
	if err != nil || log < 0 {
		return
	}
	c.background.Add(1)
	if log >= maxFramesFactor*c.restartFrames {
		c.truncate.Store(true)
	}
	if log >= c.restartFrames {
		c.catchUp.Store(true)
	}
}

// checkpoint runs PRAGMA wal_checkpoint(mode) on q and returns the log's
// size and how much of it is copied, in frames. A checkpoint that could
// not finish (another one running, or a TRUNCATE that timed out waiting
// for readers) counts as busy and returns log −1.
func (c *checkpointer) checkpoint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, mode string) (log, copied int64, err error) {
	var busy int
	if err := q.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &copied); err != nil {
		return -1, -1, fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if busy != 0 {
		c.busy.Add(1)
		return -1, -1, nil
	}
	c.lastLog.Store(log)
	return log, copied, nil
}

// writerCheckpoint is what the writer runs between batches when the
// background checkpointer asked it to: a PASSIVE checkpoint of the pages
// committed since the background one started, so that its next
// transaction starts the log over; or, when the log is past its bound, a
// TRUNCATE one, which waits up to truncateWaitMillis for readers of old
// snapshots (new ones read the database file) and empties the log. One
// that found the background checkpointer running leaves the request
// standing, to be tried before the next batch; one that could not finish
// for readers leaves it to the background checkpointer to ask again.
func (c *checkpointer) writerCheckpoint(db *sql.DB) {
	if !c.catchUp.Load() {
		return
	}
	ctx := context.Background()
	if c.truncate.Swap(false) && !time.Now().Before(c.truncateNext) {
		if c.truncateOn(ctx, db) {
			c.truncateBackoff = 0
			c.catchUp.Store(false)
			return
		}
		// A reader held on past the wait (a long read): try again only
		// after a while, twice as long each time, so that a long read
		// holds up commits now and then, not every few batches.
		c.truncateBackoff = min(max(2*c.truncateBackoff, truncateBackoffMin), truncateBackoffMax)
		c.truncateNext = time.Now().Add(c.truncateBackoff)
	}
	if log, _, err := c.checkpoint(ctx, db, "PASSIVE"); err != nil || log < 0 {
		return
	}
	c.catchUps.Add(1)
	c.catchUp.Store(false)
}

// truncateOn runs a TRUNCATE checkpoint on the writer's connection with a
// short busy timeout, and reports whether it emptied the log.
func (c *checkpointer) truncateOn(ctx context.Context, db *sql.DB) bool {
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", truncateWaitMillis)); err != nil {
		return false
	}
	log, _, err := c.checkpoint(ctx, db, "TRUNCATE")
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeoutMillis)); err != nil {
		return false
	}
	if err != nil || log < 0 {
		return false
	}
	c.truncates.Add(1)
	return true
}

func (c *checkpointer) stats() WALStats {
	return WALStats{Background: c.background.Load(), CatchUps: c.catchUps.Load(), Truncates: c.truncates.Load(),
		Busy: c.busy.Load(), LastLog: c.lastLog.Load()}
}
