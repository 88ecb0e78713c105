package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/cputime"
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

// BenchmarkAppendSessions is the shape of the live server's load: 1,000
// sessions (a real definition each), 250 concurrent writers each cycling
// over 4 of them, one event of ~300 bytes per append (a caucus message),
// so that every batch touches as many sessions as it holds appends. It
// reports appends/s, appends per commit and the process's CPU time per
// append, which a busy machine disturbs less than the rate.
//
//	go test ./sqlite -run '^$' -bench AppendSessions -benchtime 20000x -count 5
func BenchmarkAppendSessions(b *testing.B) {
	s := MustOpenDB(b)
	const sessions, writers = 1000, 250
	ids := make([]string, sessions)
	def := []byte(`{"scenario":"` + strings.Repeat("x", 26<<10) + `"}`)
	for i := range ids {
		rec := &parley.SessionRecord{Definition: def}
		if err := s.CreateSession(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
		ids[i] = rec.ID
	}
	payload := []byte(fmt.Sprintf(`{"actor":0,"audience":"caucus:0","message":%q,"round":3,"seq":0,"type":"caucus"}`, strings.Repeat("m", 200)))
	ev := []parley.EventRecord{{Type: "caucus", Audience: "caucus:0", Payload: payload}}
	next := make([]int64, sessions)
	var left atomic.Int64
	left.Store(int64(b.N))
	before := s.Stats()
	cpu0 := cputime.Process()
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; left.Add(-1) >= 0; i++ {
				k := w + writers*(i%(sessions/writers))
				if _, err := s.AppendEvents(context.Background(), ids[k], next[k], ev); err != nil {
					b.Error(err)
					return
				}
				next[k]++
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(st.Appends-before.Appends)/float64(max(st.Batches-before.Batches, 1)), "appends/commit")
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N), "cpu-µs/append")
}
