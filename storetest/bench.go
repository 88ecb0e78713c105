package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// BenchAppend measures durable appends per second of one event (a
// 200-byte payload, about a protocol event) by writers concurrent writers,
// each on a session of its own whose definition is the size of a real one
// (the istanbul-2025 transcript header, 26 KB). It reports appends/s and,
// if s has Stats, the mean appends per commit. One append per writer,
// before the timing, opens the connections the run will use.
func BenchAppend(b *testing.B, s Store, writers int) {
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
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			if _, err := s.AppendEvents(context.Background(), ids[w], 0, ev); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	stats, _ := s.(interface{ Stats() groupcommit.Stats })
	var before groupcommit.Stats
	if stats != nil {
		before = stats.Stats()
	}
	var left atomic.Int64
	left.Store(int64(b.N))
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	if stats != nil {
		st := stats.Stats()
		if n := st.Batches - before.Batches; n > 0 {
			b.ReportMetric(float64(st.Appends-before.Appends)/float64(n), "appends/commit")
		}
	}
}

// AppendAll starts one append of one event (of type typ(i)) at seq 0 to
// each session at once and returns their errors once all have returned.
func AppendAll(s parley.EventStore, sessions []*parley.SessionRecord, typ func(i int) string) []error {
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	for i, rec := range sessions {
		wg.Go(func() {
			_, errs[i] = s.AppendEvents(context.Background(), rec.ID, 0,
				[]parley.EventRecord{{Type: typ(i), Audience: "everyone", Payload: fmt.Appendf(nil, `{"i":%d}`, i)}})
		})
	}
	wg.Wait()
	return errs
}

// Crash is the crash test: runs times, it starts a child appender
// (start), kills it with SIGKILL at a random moment after it is ready,
// and checks (CheckAcked, on a store it opens anew) that every event the
// child acknowledged so far is stored exactly once and every chain
// verifies.
func Crash(t *testing.T, runs int, open Opener, start func(run int) *Child) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acked := map[Ack]bool{}
	for run := range runs {
		delay := time.Duration(50+r.IntN(400)) * time.Millisecond
		c := start(run)
		<-c.Ready()
		time.Sleep(delay)
		c.Kill()
		for _, a := range c.Acks() {
			acked[a] = true
		}
		if f := c.Fails(); len(f) > 0 {
			t.Fatalf("run %d: appends failed: %v", run, f)
		}
		s, err := open()
		if err != nil {
			t.Fatalf("reopen after the kill: %v", err)
		}
		n := CheckAcked(t, s, acked)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: killed after %v; %d events acknowledged, %d in all, %d stored", run, delay, len(c.Acks()), len(acked), n)
	}
	if len(acked) == 0 {
		t.Fatal("no append was acknowledged: the test tested nothing")
	}
}
