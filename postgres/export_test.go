package postgres

// SetNotifyChannel makes db's batches NOTIFY on channel; call it before
// the first append. Tests give a name PostgreSQL refuses, to see a NOTIFY
// fail after its batch committed.
func SetNotifyChannel(db *DB, channel string) { db.w.channel = channel }
