package http_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// sse reads one seat's event stream into a buffer until the test ends.
type sse struct {
	mu   sync.Mutex
	text strings.Builder
	done chan struct{}
}

func (s *server) stream(ctx context.Context, id, token, query string) *sse {
	s.t.Helper()
	res := s.request(ctx, "GET", "/api/sessions/"+id+"/events"+query, token, nil)
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("events: status %d", res.StatusCode)
	}
	st := &sse{done: make(chan struct{})}
	go func() {
		defer close(st.done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			st.mu.Lock()
			st.text.WriteString(sc.Text() + "\n")
			st.mu.Unlock()
		}
	}()
	return st
}

func (st *sse) String() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.text.String()
}

// wait waits until the stream holds want.
func (st *sse) wait(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(st.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the stream never got %q; it has:\n%s", want, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNoLeaks plays a session of a scenario whose confidential parts are
// marked (testdata/secrets.yaml) with every seat a person, and searches
// every response body and every event stream of each seat for what it
// must not know: the other side's preferences, reservation values, red
// lines and reasons, its caucus and its instructions. The mediator and
// the observer learn no party's preferences. The transcript (mediator and
// observer only) holds all of them, which shows the markers are there to
// be found.
func TestNoLeaks(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c, tok := s.secrets(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bodies := map[string]*strings.Builder{}
	streams := map[string]*sse{}
	for name, token := range tok {
		bodies[name] = &strings.Builder{}
		streams[name] = s.stream(ctx, c.ID, token, "")
	}
	act := func(seat string, a map[string]any) {
		t.Helper()
		r := s.call("POST", "/api/sessions/"+c.ID+"/actions", tok[seat], a)
		bodies[seat].WriteString(r.String())
		if r.status != http.StatusOK {
			t.Fatalf("%s: %v: %d %s", seat, a, r.status, r)
		}
	}
	act("North", map[string]any{"kind": "caucus", "message": "CAUCUSNORTH we could pay a little"})
	act("mediator", map[string]any{"kind": "caucus", "party": "South", "message": "CAUCUSSOUTH what about access?"})
	act("South", map[string]any{"kind": "caucus", "message": "CAUCUSSOUTH never exclusive"})
	act("South/Navy", map[string]any{"kind": "instruction", "instruction": map[string]any{"kind": "raise_floor", "delta": 0.1}})
	act("mediator", map[string]any{"kind": "text", "outcome": map[string]string{"access": "exclusive", "fee": "high"}})
	act("North", map[string]any{"kind": "answer", "answers": map[string]string{"access": "accept", "fee": "accept"}})
	act("South", map[string]any{"kind": "answer", "answers": map[string]string{"access": "accept", "fee": "accept"}})
	act("mediator", map[string]any{"kind": "end", "reason": "no ratification"})
	for name, token := range tok {
		streams[name].wait(t, "event: end")
		for _, path := range []string{"", "/head"} {
			bodies[name].WriteString(s.call("GET", "/api/sessions/"+c.ID+path, token, nil).String())
		}
		bodies[name].WriteString(streams[name].String())
	}
	north := []string{"NORTHSECRET", "northsecret", "0.41379", "0.61803"}
	south := []string{"SOUTHSECRET", "southsecret", "0.37193", "0.27183"}
	forbidden := map[string][]string{
		"North":      append([]string{"CAUCUSSOUTH", "event: instruction"}, south...),
		"South":      append([]string{"CAUCUSNORTH"}, north...),
		"South/Port": append([]string{"CAUCUSNORTH"}, north...),
		"South/Navy": append([]string{"CAUCUSNORTH"}, north...),
		"mediator":   append(append([]string{"event: instruction"}, north...), south...),
		"observer":   append(append([]string{"CAUCUSNORTH", "CAUCUSSOUTH", "event: instruction"}, north...), south...),
	}
	leaks := 0
	for seat, words := range forbidden {
		for _, w := range words {
			if strings.Contains(bodies[seat].String(), w) {
				t.Errorf("%s's responses contain %q", seat, w)
				leaks++
			}
		}
	}
	// What each side may know is there (the search is not vacuous).
	for seat, words := range map[string][]string{
		"North":      {"North does not ratify: red line northsecret-no-high-fee", "0.41379", "CAUCUSNORTH"},
		"South/Port": {"Navy: red line southsecret-no-exclusive", "0.37193", "CAUCUSSOUTH", "event: instruction"},
		"mediator":   {"CAUCUSNORTH", "CAUCUSSOUTH"},
	} {
		for _, w := range words {
			if !strings.Contains(bodies[seat].String(), w) {
				t.Errorf("%s's responses lack %q, which it may see", seat, w)
			}
		}
	}
	tr := s.call("GET", "/api/sessions/"+c.ID+"/transcript", tok["observer"], nil).String()
	for _, w := range append(append([]string{"CAUCUSNORTH", "CAUCUSSOUTH", `"type":"instruction"`}, north...), south...) {
		if !strings.Contains(tr, w) {
			t.Errorf("the transcript lacks %q", w)
		}
	}
	t.Logf("%d leaks in %d seats' responses", leaks, len(forbidden))
}
