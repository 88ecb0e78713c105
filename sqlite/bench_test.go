package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// BenchmarkAppend measures durable appends per second of one event (a
// 200-byte payload, about a protocol event) by N concurrent writers, each
// on a session of its own, with group commit and without (one transaction
// and one fsync per append), on the disk that holds the temporary
// directory (set TMPDIR to measure another).
//
//	go test ./sqlite -run '^$' -bench Append -benchtime 2s
func BenchmarkAppend(b *testing.B) {
	for _, group := range []bool{true, false} {
		for _, writers := range []int{1, 4, 16, 64, 256} {
			name := fmt.Sprintf("group=%v/writers=%d", group, writers)
			b.Run(name, func(b *testing.B) {
				s := MustOpenDB(b, func(db *sqlite.DB) {
					if !group {
						db.MaxBatch = 1
					}
				})
				storetest.BenchAppend(b, s, writers)
			})
		}
	}
}
