package postgres

// SetNotifyChannel makes db's batches NOTIFY on channel; call it before
// the first append. Tests give a name PostgreSQL refuses, to see a NOTIFY
// fail after its batch committed.
func SetNotifyChannel(db *DB, channel string) { db.w.channel = channel }

// HeadStats returns how many batches db linked to cached heads, and how
// many of those found a head moved and were linked again.
func HeadStats(db *DB) (cached, moved int64) { return db.w.cached.Load(), db.w.moved.Load() }
