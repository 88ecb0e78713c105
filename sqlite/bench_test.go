package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/sqlite"
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
				// A definition the size of a real one (the istanbul-2025
				// transcript header is 26 KB).
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
				var left atomic.Int64
				left.Store(int64(b.N))
				before := s.Stats()
				b.ResetTimer()
				var wg sync.WaitGroup
				for w := range writers {
					wg.Go(func() {
						ev := []parley.EventRecord{{Type: "action", Audience: "everyone", Payload: payload}}
						for next := int64(0); left.Add(-1) >= 0; next++ {
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
			})
		}
	}
}
