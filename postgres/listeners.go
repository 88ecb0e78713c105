package postgres

import (
	"slices"
	"sync"
)

// A batch NOTIFYs the heads it moved only if a server other than its own
// listens: one server alone on its database would otherwise send each
// commit's heads to itself, which cost PostgreSQL a transaction (with a
// commit record, the notification queue and a signal to the listener) and
// this process the parsing of what it already knew — about two fifths of
// both sides' CPU per append (BenchmarkCommitCPU, servers=1).
//
// Each listening connection (WatchHeads) holds a shared advisory lock
// keyed by its channel for as long as it lives (sqlListening); the NOTIFY
// statement, run after its batch's COMMIT, sends only if pg_locks shows
// that lock held by a connection other than this DB's own listeners
// (sqlNotify). That needs no timing: a listener whose lock was granted
// before the statement ran is sent the heads; one whose lock was granted
// after it polls once it listens (WatchHeads asks for a poll, the zero
// head, each time it starts listening), after the batch had committed.
const (
	// sqlListening takes a listening connection's lock (the advisory lock
	// keyed 1886548333 and the channel's hashtext) and returns its
	// backend's process ID. The lock goes when the connection does.
	sqlListening = `SELECT pg_backend_pid(), pg_advisory_lock_shared(1886548333, hashtext($1))`
	// sqlNotify sends the heads of a batch ($2, many to a payload) on
	// channel $1 if a connection other than the backends $3 listens, in
	// a transaction of its own that commits without waiting for its WAL
	// flush (set_config(..., true) sets synchronous_commit for this
	// transaction only, evaluated before the first pg_notify). When no
	// other connection listens, the transaction writes nothing.
	sqlNotify = `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p
		WHERE EXISTS (SELECT FROM pg_locks
				WHERE locktype = 'advisory' AND classid = 1886548333 AND objid = hashtext($1)::oid AND objsubid = 2
					AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
					AND pid <> ALL($3::int[]))
			AND set_config('synchronous_commit', 'off', true) IS NOT NULL`
)

// listeners are the backends of a DB's own listening connections, whose
// locks do not count as another server listening.
type listeners struct {
	mu   sync.Mutex
	pids []int32
}

func (l *listeners) add(pid int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pids = append(l.pids, pid)
}

func (l *listeners) remove(pid int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.Index(l.pids, pid); i >= 0 {
		l.pids = slices.Delete(l.pids, i, i+1)
	}
}

// list returns a copy of the backends' process IDs.
func (l *listeners) list() []int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int32{}, l.pids...)
}
