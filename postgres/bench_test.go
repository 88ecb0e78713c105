package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/postgres"
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
//     once (MaxBatch 1, Committers min(writers, 64)): what a store without
//     group commit of its own gets, PostgreSQL's own grouping of WAL
//     flushes included.
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
					}
				})
				benchAppend(b, s, writers)
			})
		}
	}
}

func benchAppend(b *testing.B, s *store, writers int) {
	// A definition the size of a real one (the istanbul-2025 transcript
	// header is 26 KB).
	def := []byte(`{"scenario":"` + strings.Repeat("x", 26<<10) + `"}`)
	ids := make([]string, writers)
	for i := range ids {
		rec := &parley.SessionRecord{Definition: def}
		if err := s.CreateSession(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
		ids[i] = rec.ID
	}
	payload := []byte(fmt.Sprintf(`{"seq":0,"round":3,"type":"action","actor":1,"action":{"actor":1,"kind":"offer","outcome":[1,0,2,3]},"note":%q}`, "x"))
	for len(payload) < 200 {
		payload = append(payload[:len(payload)-2], 'x', '"', '}')
	}
	ev := []parley.EventRecord{{Type: "action", Audience: "everyone", Payload: payload}}
	// Warm up: one append per writer opens the connections the run
	// will use (a new backend costs milliseconds), outside the timing.
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			if _, err := s.AppendEvents(context.Background(), ids[w], 0, ev); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	var left atomic.Int64
	left.Store(int64(b.N))
	before := s.Stats()
	b.ResetTimer()
	for w := range writers {
		wg.Go(func() {
			for next := int64(1); left.Add(-1) >= 0; next++ {
				if _, err := s.AppendEvents(context.Background(), ids[w], next, ev); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	if n := st.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(st.Appends-before.Appends)/float64(n), "appends/commit")
	}
}
