package http_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

var idLine = regexp.MustCompile(`(?m)^id: (\d+)$`)

// ids lists the event ids of a stream, in order.
func ids(text string) []int64 {
	var out []int64
	for _, m := range idLine.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// caucusRound has the mediator and Pakistan exchange n caucus messages.
func caucusRound(s *server, id string, tok map[string]string, n int) {
	for i := 0; i < n; i++ {
		s.act(id, tok["Pakistan"], map[string]any{"kind": "caucus", "message": "p" + strconv.Itoa(i)})
		s.act(id, tok["mediator"], map[string]any{"kind": "caucus", "party": "Afghanistan", "message": "a" + strconv.Itoa(i)})
	}
}

// TestStreamResume drops a seat's event stream, goes on, and resumes it
// with Last-Event-ID, then with ?after= across a restart of the server:
// the seat gets every event it may see exactly once, in order — the ones
// its view lists — and none it may not see.
func TestStreamResume(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025"})
	tok := tokens(c)
	ctx, cancel := context.WithCancel(context.Background())
	first := s.stream(ctx, c.ID, tok["Pakistan"], "")
	caucusRound(s, c.ID, tok, 3)
	first.wait(t, "p2")
	cancel()
	<-first.done
	got := ids(first.String())
	caucusRound(s, c.ID, tok, 2)

	// Resume with Last-Event-ID.
	req, _ := http.NewRequest("GET", s.url+"/api/sessions/"+c.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok["Pakistan"])
	req.Header.Set("Last-Event-ID", strconv.FormatInt(got[len(got)-1], 10))
	ctx2, cancel2 := context.WithCancel(context.Background())
	res, err := http.DefaultClient.Do(req.WithContext(ctx2))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("resume: %v %v", err, res)
	}
	st := &sse{done: make(chan struct{})}
	go func() {
		defer close(st.done)
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			st.mu.Lock()
			st.text.Write(buf[:n])
			st.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	st.wait(t, "p1\"")
	cancel2()
	<-st.done
	got = append(got, ids(st.String())...)

	// Restart the server; resume with ?after=.
	s.stop()
	s2 := start(t, s.path)
	caucusRound(s2, c.ID, tok, 1)
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	third := s2.stream(ctx3, c.ID, tok["Pakistan"], "?after="+strconv.FormatInt(got[len(got)-1], 10))
	third.wait(t, "p0\"")
	got = append(got, ids(third.String())...)

	v := s2.view(c.ID, tok["Pakistan"])
	var want []int64
	for _, ev := range v.Events {
		want = append(want, int64(ev.Seq))
	}
	if len(got) != len(want) {
		t.Fatalf("the streams carried seqs %v; the view lists %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("the streams carried seqs %v; the view lists %v", got, want)
		}
	}
	if len(want) >= int(v.Head.Events) {
		t.Fatalf("Pakistan sees all %d events, Afghanistan's caucus included", len(want))
	}
	r := s2.call("GET", "/api/sessions/"+c.ID+"/events?after=x", tok["Pakistan"], nil)
	if r.status != http.StatusBadRequest {
		t.Errorf("?after=x: %d %s", r.status, r)
	}
}

// TestRestart stops the server and starts another on the same database:
// each seat's view and the chain head are as they were, and the session
// goes on.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "variant": "s0s1-factions", "seats": map[string]string{"Afghanistan/Kabul": "watchdog:recall=1"}})
	tok := tokens(c)
	s.act(c.ID, tok["mediator"], map[string]any{"kind": "text", "outcome": map[string]string{"ceasefire": "open_ended", "monitoring": "bilateral_cell"}})
	s.act(c.ID, tok["Pakistan"], map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "accept"}})
	before := map[string]string{}
	for name, token := range tok {
		before[name] = s.call("GET", "/api/sessions/"+c.ID, token, nil).String()
	}
	s.stop()
	s2 := start(t, s.path)
	if s2.m.Loaded() != 1 {
		t.Errorf("%d sessions restored at start, want the running one", s2.m.Loaded())
	}
	clockLine := regexp.MustCompile(`"now":"[^"]*"`)
	for name, token := range tok {
		after := s2.call("GET", "/api/sessions/"+c.ID, token, nil).String()
		if clockLine.ReplaceAllString(after, "") != clockLine.ReplaceAllString(before[name], "") {
			t.Errorf("%s's view changed across the restart:\n%s\n%s", name, before[name], after)
		}
	}
	s2.act(c.ID, tok["Afghanistan"], map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "accept", "monitoring": "reject"}})
	if v := s2.view(c.ID, tok["observer"]); v.Move == nil || v.Move.Name != "mediator" {
		t.Fatalf("after the restart the session does not go on: %+v", v.Move)
	}
	checkTranscript(t, s2, c.ID, tok["observer"], parley.Running)
}

// TestWallClock runs a session on the calendar at one minute an hour of
// session and a wall-clock deadline of 30 minutes, with an injected
// clock: the mediator's turn lapses when its round is over, the view
// shows the deadlines, and the deadline ends the session.
func TestWallClock(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "hour": "1m", "deadline": map[string]any{"duration": "30m"}})
	tok := tokens(c)
	v := s.view(c.ID, tok["Pakistan"])
	start := s.clock.now()
	if v.Clock.TurnDeadline == nil || !v.Clock.TurnDeadline.Equal(start.Add(2*time.Minute)) || v.Clock.Deadline == nil || !v.Clock.Deadline.Equal(start.Add(30*time.Minute)) {
		t.Fatalf("clock %+v; want the turn to lapse at +2m (2 hours a round) and the deadline at +30m", v.Clock)
	}
	s.clock.add(2*time.Minute + time.Second)
	if err := s.m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	v = s.view(c.ID, tok["Pakistan"])
	if n := len(v.Events); n < 2 || v.Events[n-1].Type != protocol.EvLapse || v.Clock.Round != 1 {
		t.Fatalf("after the round's time: round %d, last event %+v", v.Clock.Round, v.Events[n-1])
	}
	s.clock.add(30 * time.Minute)
	if err := s.m.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v = s.view(c.ID, tok["observer"]); v.Result.End != parley.Deadline {
		t.Fatalf("after the deadline: %+v", v.Result)
	}
	checkTranscript(t, s, c.ID, tok["mediator"], parley.Deadline)
}
