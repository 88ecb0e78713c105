package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// openStreams opens every session's event stream (the mediator's, who
// sees the caucus) and reads it in the background until the run ends; it
// returns once each stream has started.
func (l *load) openStreams(ctx context.Context) error {
	errs := make(chan error, len(l.sessions))
	for _, s := range l.sessions {
		go func() { errs <- l.stream(ctx, s) }()
	}
	for range l.sessions {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// stream starts s's event stream: it returns once the server answered,
// and records the seq of each event in the background.
func (l *load) stream(ctx context.Context, s *loadSession) error {
	req, err := http.NewRequestWithContext(ctx, "GET", s.stream+"/api/sessions/"+s.id+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.med)
	res, err := l.client.Do(req)
	if err != nil {
		return fmt.Errorf("loadtest: event stream of %s: %w", s.id, err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return fmt.Errorf("loadtest: event stream of %s: %s", s.id, res.Status)
	}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			v, ok := strings.CutPrefix(sc.Text(), "id: ")
			if !ok {
				continue
			}
			seq, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				continue
			}
			s.mu.Lock()
			s.delivered[seq] = time.Now()
			s.mu.Unlock()
		}
	}()
	return nil
}

// loadResult is what the clients saw.
type loadResult struct {
	latencies []time.Duration // of acknowledged actions
	failed    int
	firstErr  string
	elapsed   time.Duration
}

// drive has every session's client post caucus messages, one at a time,
// for d.
func (l *load) drive(ctx context.Context, d time.Duration) *loadResult {
	res := &loadResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i, s := range l.sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, failed, firstErr := l.client1(ctx, i, s, end)
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, lat...)
			res.failed += failed
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// client1 is one session's client until end.
func (l *load) client1(ctx context.Context, i int, s *loadSession, end time.Time) (lat []time.Duration, failed int, firstErr string) {
	url := s.post + "/api/sessions/" + s.id + "/actions"
	for k := 0; time.Now().Before(end); k++ {
		body := fmt.Appendf(nil, `{"kind":"caucus","message":"load %d/%d"}`, i, k)
		t0 := time.Now()
		b, status, err := l.do(ctx, "POST", url, s.pakistan, body)
		took := time.Since(t0)
		var out struct {
			Events []struct{ Seq int64 } `json:"events"`
		}
		if err == nil && status == http.StatusOK {
			err = json.Unmarshal(b, &out)
		} else if err == nil {
			err = fmt.Errorf("%d %s", status, b)
		}
		if err != nil {
			if failed++; firstErr == "" {
				firstErr = err.Error()
			}
			continue
		}
		lat = append(lat, took)
		now := time.Now()
		s.mu.Lock()
		for _, ev := range out.Events {
			s.acked[ev.Seq] = now
		}
		s.mu.Unlock()
	}
	return lat, failed, firstErr
}

// settle waits, at most d, for the streams to deliver every acknowledged
// event.
func (l *load) settle(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, missing, _ := l.streamStats(); missing == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamStats counts the acknowledged events the streams delivered and
// missed, with the delay of each delivery after its acknowledgement (0
// when the stream was first).
func (l *load) streamStats() (delivered, missing int, lat []time.Duration) {
	for _, s := range l.sessions {
		s.mu.Lock()
		for seq, at := range s.acked {
			got, ok := s.delivered[seq]
			if !ok {
				missing++
				continue
			}
			delivered++
			lat = append(lat, max(got.Sub(at), 0))
		}
		s.mu.Unlock()
	}
	return delivered, missing, lat
}
