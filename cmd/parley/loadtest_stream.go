package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// openStreams opens the event stream of each of sessions and reads it in
// the background; it returns once each has started.
func (l *load) openStreams(ctx context.Context, sessions []*loadSession) error {
	errs := make(chan error, len(sessions))
	for _, s := range sessions {
		go func() { errs <- l.openStream(ctx, s) }()
	}
	var first error
	for range sessions {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openStream starts s's event stream (its client seat's, from s.stream):
// it returns once the server answered, and follows it in the background
// until s is done with it (its end delivered, or the run over),
// reconnecting with Last-Event-ID when the server lets it go.
func (l *load) openStream(ctx context.Context, s *loadSession) error {
	sctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.stopStream = cancel
	s.mu.Unlock()
	res, err := l.connect(sctx, s, -1)
	if err != nil {
		cancel()
		return err
	}
	go func() {
		defer cancel()
		for {
			l.read(s, res)
			if sctx.Err() != nil || s.streamDone() {
				return
			}
			s.mu.Lock()
			last := s.lastSeq
			s.reconnects++
			s.mu.Unlock()
			if res, err = l.connect(sctx, s, last); err != nil {
				s.mu.Lock()
				s.streamErr = err.Error()
				s.mu.Unlock()
				return
			}
		}
	}()
	return nil
}

// connect asks for s's event stream after the seq last (−1: from the
// start).
func (l *load) connect(ctx context.Context, s *loadSession, last int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s.stream+"/api/sessions/"+s.id+"/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if last >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	res, err := l.streams.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loadtest: event stream of %s: %w", s.id, err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fmt.Errorf("loadtest: event stream of %s: %s", s.id, res.Status)
	}
	return res, nil
}

// read records the seq of each event on the stream until it ends or s is
// done with it; a seq delivered again (or out of order) is counted as
// doubled.
func (l *load) read(s *loadSession, res *http.Response) {
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "id: ")
		if !ok {
			continue
		}
		seq, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		now := time.Now()
		s.mu.Lock()
		if _, seen := s.delivered[seq]; seen || seq <= s.lastSeq {
			s.doubled++
		} else {
			s.delivered[seq] = now
			s.lastSeq = seq
		}
		done := s.endSeq >= 0 && s.lastSeq >= s.endSeq
		s.mu.Unlock()
		select {
		case s.moved <- struct{}{}:
		default:
		}
		if done {
			return
		}
	}
}

// streamDone reports whether s's stream has delivered its session's end.
func (s *loadSession) streamDone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endSeq >= 0 && s.lastSeq >= s.endSeq
}

// settle waits for the streams to deliver every acknowledged event, as
// long as they make progress (at most quiet without any, at most limit
// in all), then closes them all; it returns how long it waited.
func (l *load) settle(quiet, limit time.Duration) time.Duration {
	start := time.Now()
	last, progress := -1, start
	for time.Since(start) < limit && time.Since(progress) < quiet {
		missing := l.streamStats().missing
		if missing == 0 {
			break
		}
		if missing != last {
			last, progress = missing, time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, s := range l.allSessions() {
		s.mu.Lock()
		if s.stopStream != nil {
			s.stopStream()
		}
		s.mu.Unlock()
	}
	return time.Since(start)
}

// streamCounts is what the event streams delivered of the acknowledged
// events: each exactly once, or missing, or more than once.
type streamCounts struct {
	streams, delivered, missing, doubled, reconnects int
	lat                                              []time.Duration // delivery after the acknowledgement (0 when first)
	firstErr                                         string
}

func (l *load) streamStats() streamCounts {
	var st streamCounts
	for _, s := range l.allSessions() {
		s.mu.Lock()
		if s.stopStream != nil {
			st.streams++
		}
		for seq, a := range s.acked {
			got, ok := s.delivered[seq]
			if !ok {
				st.missing++
				continue
			}
			st.delivered++
			st.lat = append(st.lat, max(got.Sub(a.at), 0))
		}
		st.doubled += s.doubled
		st.reconnects += s.reconnects
		if st.firstErr == "" {
			st.firstErr = s.streamErr
		}
		s.mu.Unlock()
	}
	return st
}

// awaitStream waits until s's stream has delivered the event seq (or
// ctx ends, or requestTimeout passes).
func (s *loadSession) awaitStream(ctx context.Context, seq int64) error {
	timeout := time.NewTimer(requestTimeout)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		last := s.lastSeq
		s.mu.Unlock()
		if last >= seq {
			return nil
		}
		select {
		case <-s.moved:
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			return fmt.Errorf("its event stream did not deliver event %d in %v (it has %d)", seq, requestTimeout, last)
		}
	}
}
