package postgres_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/storetest"
)

// BenchmarkAppend measures durable appends per second of one event (a
// 200-byte payload, about a protocol event) by N concurrent writers, each
// on a session of its own, against the test cluster with fsync on
// (pgtest.Durable), on the disk that holds the temporary directory.
//
//   - group=true: group commit (the defaults: up to 512 appends per
//     transaction, two transactions in flight).
//
//   - group=false: one transaction per append, on up to 64 connections at
//     once (MaxBatch 1, Committers min(writers, 64)) and without NOTIFY:
//     what a store without group commit of its own gets, PostgreSQL's own
//     grouping of WAL flushes included. (With NOTIFY, one transaction per
//     append is bound to the disk's flush rate: transactions that NOTIFY
//     take turns at COMMIT.)
//
//     go test ./postgres -run '^$' -bench Append -benchtime 2s
func BenchmarkAppend(b *testing.B) {
	pgtest.Durable(b)
	for _, group := range []bool{true, false} {
		for _, writers := range []int{1, 4, 16, 64, 256} {
			name := fmt.Sprintf("group=%v/writers=%d", group, writers)
			b.Run(name, func(b *testing.B) {
				s, _ := MustOpenDB(b, func(db *postgres.DB) {
					if !group {
						db.MaxBatch = 1
						db.Committers = min(writers, 64)
						db.NoNotify = true
					}
				})
				storetest.BenchAppend(b, s, writers)
			})
		}
	}
}

// BenchmarkAppendNoNotify is BenchmarkAppend's group commit without the
// NOTIFY of each batch (DB.NoNotify), for its cost: transactions that
// NOTIFY take turns at COMMIT.
//
//	go test ./postgres -run '^$' -bench AppendNoNotify -benchtime 2s
func BenchmarkAppendNoNotify(b *testing.B) {
	pgtest.Durable(b)
	for _, writers := range []int{16, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s, _ := MustOpenDB(b, func(db *postgres.DB) { db.NoNotify = true })
			storetest.BenchAppend(b, s, writers)
		})
	}
}

// BenchmarkAppendTwoServers is BenchmarkAppend's group commit with the
// writers split between two DBs on one database, as two `parley serve`
// instances are: each batch NOTIFYs its heads, and the batches of both
// flush together (the NOTIFYs take turns in short transactions of their
// own after them). appends/s counts the first DB's half.
//
//	go test ./postgres -run '^$' -bench AppendTwoServers -benchtime 4000x
func BenchmarkAppendTwoServers(b *testing.B) {
	pgtest.Durable(b)
	for _, writers := range []int{64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s, url := MustOpenDB(b)
			s2, err := open(url)
			if err != nil {
				b.Fatal(err)
			}
			defer s2.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				storetest.BenchAppend(&testing.B{N: b.N}, s2, writers/2)
			}()
			storetest.BenchAppend(b, s, writers/2)
			<-done
		})
	}
}
