package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
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
	body, err := l.connect(sctx, s, -1)
	if err != nil {
		cancel()
		return err
	}
	go func() {
		defer cancel()
		for {
			l.read(s, body)
			if sctx.Err() != nil || s.streamDone() {
				return
			}
			s.mu.Lock()
			last := s.lastSeq
			s.reconnects++
			s.mu.Unlock()
			if body, err = l.connect(sctx, s, last); err != nil {
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
// start), on a connection of its own that ends with ctx.
func (l *load) connect(ctx context.Context, s *loadSession, last int64) (io.ReadCloser, error) {
	base, path := splitURL(s.stream + "/api/sessions/" + s.id + "/events")
	body, err := h1Stream(ctx, base, path, s.token, last)
	if err != nil {
		return nil, fmt.Errorf("loadtest: event stream of %s: %w", s.id, err)
	}
	return body, nil
}

// read records the seq of each stored event on the stream, and the last
// turn event, until the stream ends or s is done with it; a seq delivered
// again (or out of order) is counted as doubled.
func (l *load) read(s *loadSession, body io.ReadCloser) {
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4<<10), 1<<20)
	turn := false // the frame is a turn event (it has no id)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || string(line) == "event: turn" {
			turn = len(line) != 0
			continue
		}
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok && turn {
			s.turned(data)
			continue
		}
		v, ok := bytes.CutPrefix(line, []byte("id: "))
		if !ok {
			continue
		}
		if seq, err := strconv.ParseInt(string(v), 10, 64); err == nil && s.delivered1(seq) {
			return
		}
	}
}

// delivered1 records the stored event seq as delivered, and reports
// whether the stream has now delivered the session's end.
func (s *loadSession) delivered1(seq int64) bool {
	now := time.Now()
	s.mu.Lock()
	if seq <= s.lastSeq { // delivered before (or out of order)
		s.doubled++
	} else {
		s.delivered = append(s.delivered, deliveredEvent{seq: seq, at: now})
		s.lastSeq = seq
	}
	done := s.endSeq >= 0 && s.lastSeq >= s.endSeq
	s.mu.Unlock()
	s.poke()
	return done
}

// turned records a turn event: whose move it is, after which seq.
func (s *loadSession) turned(data []byte) {
	var t struct {
		Actor int   `json:"actor"`
		After int64 `json:"after"`
	}
	if json.Unmarshal(data, &t) != nil {
		return
	}
	s.mu.Lock()
	s.turns++
	s.turnActor, s.turnAfter = t.Actor, t.After
	s.mu.Unlock()
	s.poke()
}

// poke wakes a client waiting on s's stream.
func (s *loadSession) poke() {
	select {
	case s.moved <- struct{}{}:
	default:
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
	streams, delivered, missing, doubled, reconnects, turns int
	lat                                                     []time.Duration // delivery after the acknowledgement (0 when first)
	firstErr                                                string
}

func (l *load) streamStats() streamCounts {
	var st streamCounts
	for _, s := range l.allSessions() {
		s.mu.Lock()
		if s.stopStream != nil {
			st.streams++
		}
		for _, a := range s.acked {
			got, ok := s.deliveredAt(a.seq)
			if !ok {
				st.missing++
				continue
			}
			st.delivered++
			st.lat = append(st.lat, max(got.Sub(a.at), 0))
		}
		st.doubled += s.doubled
		st.reconnects += s.reconnects
		st.turns += s.turns
		if st.firstErr == "" {
			st.firstErr = s.streamErr
		}
		s.mu.Unlock()
	}
	return st
}

// awaitStream waits until s's stream says it is the client's move again
// after the event seq (a turn event naming the client's party, after
// seq), or has delivered the session's end, or, after a caucus message
// (which moves no turn on), has delivered seq itself; or until ctx ends or
// requestTimeout passes.
func (s *loadSession) awaitStream(ctx context.Context, seq int64, caucus bool) error {
	timeout := time.NewTimer(requestTimeout)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		last, actor, after, end := s.lastSeq, s.turnActor, s.turnAfter, s.endSeq
		s.mu.Unlock()
		switch {
		case end >= 0 && last >= end, caucus && last >= seq, !caucus && actor == s.play.party && after >= seq:
			return nil
		}
		select {
		case <-s.moved:
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			return fmt.Errorf("its event stream did not say it was the client's move after event %d in %v (it has delivered up to %d, and said it was party %d's move after %d)", seq, requestTimeout, last, actor, after)
		}
	}
}
