package http_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/sqlite"
)

// BenchmarkActions measures acknowledged actions per second over the real
// HTTP API on loopback: clients, each on a session of its own, post
// caucus messages (every one stored durably — fsync'd — before it is
// answered). GroupCommit is the server as it runs; OneByOne turns group
// commit off (one transaction and fsync per append).
//
//	go test -run '^$' -bench Actions -benchtime 2000x ./http
func BenchmarkActions(b *testing.B) {
	for _, mode := range []struct {
		name     string
		maxBatch int
	}{{"GroupCommit", 0}, {"OneByOne", 1}} {
		for _, clients := range []int{1, 16, 64, 256} {
			b.Run(fmt.Sprintf("%s/clients=%d", mode.name, clients), func(b *testing.B) {
				benchActions(b, mode.maxBatch, clients)
			})
		}
	}
}

func benchActions(b *testing.B, maxBatch, clients int) {
	s := start(b, "", func(s *server) {
		// The database was opened by start; reopen it with the batch size.
		_ = s.db.Close()
		s.db = sqlite.NewDB(s.path)
		s.db.MaxBatch = maxBatch
		if err := s.db.Open(); err != nil {
			b.Fatal(err)
		}
		s.m.Sessions, s.m.Events = sqlite.NewSessionStore(s.db), sqlite.NewEventStore(s.db)
	})
	type seat struct{ id, token string }
	seats := make([]seat, clients)
	for i := range seats {
		c := s.create(map[string]any{"scenario": "istanbul-2025", "deadline": 5000})
		seats[i] = seat{c.ID, tokens(c)["Pakistan"]}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	b.ResetTimer()
	for _, st := range seats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest("POST", s.url+"/api/sessions/"+st.id+"/actions", strings.NewReader(`{"kind":"caucus","message":"load"}`))
				req.Header.Set("Authorization", "Bearer "+st.token)
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d actions failed", failed.Load())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "actions/s")
	st := s.db.Stats()
	if st.Batches > 0 {
		b.ReportMetric(float64(st.Appends)/float64(st.Batches), "appends/commit")
	}
}

// BenchmarkIdleSession measures the memory an idle live session holds:
// the heap and goroutine stacks after creating 1,000 istanbul-2025
// sessions (waiting for the mediator's first text), over those before,
// per session — with every seat a person; with the seats `parley
// loadtest` gives agents (the nash mediator, Afghanistan's delegate); with
// the factions of s0s1-factions agents too; and with the loadtest's seats
// and an event stream open on each session (the server's side of it: the
// client is a bare TCP connection that sent its request and reads
// nothing more).
//
//	go test -run '^$' -bench IdleSession -benchtime 1x ./http
func BenchmarkIdleSession(b *testing.B) {
	loadtest := live.Spec{Scenario: "istanbul-2025", Seats: map[string]string{"mediator": "nash", "Afghanistan": "delegate"}}
	for _, spec := range []struct {
		name   string
		spec   live.Spec
		stream bool
	}{
		{"istanbul-2025", live.Spec{Scenario: "istanbul-2025"}, false},
		{"istanbul-2025-loadtest-seats", loadtest, false},
		{"istanbul-2025-agents", live.Spec{Scenario: "istanbul-2025", Variant: "s0s1-factions", Seats: map[string]string{"mediator": "nash", "Afghanistan/Kabul": "watchdog:recall=1", "Afghanistan/Kandahar": "loyal", "Afghanistan/Khost": "loyal"}}, false},
		{"istanbul-2025-loadtest-seats-stream", loadtest, true},
	} {
		b.Run(spec.name, func(b *testing.B) {
			const n = 1000
			for range b.N {
				s := start(b, "")
				ctx := context.Background()
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				g0 := runtime.NumGoroutine()
				var conns []net.Conn
				for range n {
					sp := spec.spec
					c, err := s.m.Create(ctx, &sp)
					if err != nil {
						b.Fatal(err)
					}
					if spec.stream {
						conns = append(conns, openStream(b, s.url, c))
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-bytes/session")
				b.ReportMetric(float64(int64(after.StackInuse)-int64(before.StackInuse))/n, "stack-bytes/session")
				b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/session")
				for _, c := range conns {
					c.Close()
				}
				s.stop()
			}
		})
	}
}

// openStream opens the mediator's event stream of session c on a bare
// TCP connection and returns once the server has begun to answer.
func openStream(b *testing.B, url string, c *live.Created) net.Conn {
	b.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/sessions/%s/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", c.ID, tokens(c)["mediator"])
	buf := make([]byte, 512)
	if _, err := io.ReadAtLeast(conn, buf, 12); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 200") {
		b.Fatalf("event stream of %s: %v %q", c.ID, err, buf)
	}
	return conn
}
