package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/live"
)

// item is one event of a stream: a stored one (its id) or a turn event.
type item struct {
	seq  int64 // −1 for a turn event
	typ  string
	turn live.Turn
}

// items parses a stream's text into its events.
func items(t *testing.T, text string) []item {
	t.Helper()
	var out []item
	for _, block := range strings.Split(text, "\n\n") {
		it := item{seq: -1}
		var data string
		for _, line := range strings.Split(block, "\n") {
			switch k, v, _ := strings.Cut(line, ": "); k {
			case "id":
				it.seq, _ = strconv.ParseInt(v, 10, 64)
			case "event":
				it.typ = v
			case "data":
				data = v
			}
		}
		if it.typ == "" {
			continue // a comment
		}
		if it.typ == "turn" {
			if it.seq != -1 {
				t.Fatalf("a turn event with an id: %q", block)
			}
			if err := json.Unmarshal([]byte(data), &it.turn); err != nil {
				t.Fatalf("turn event %q: %v", data, err)
			}
		} else if it.seq < 0 {
			t.Fatalf("a stored event without an id: %q", block)
		}
		out = append(out, it)
	}
	return out
}

// moveOf names a view's move as a turn event names it.
func moveOf(v *live.View) string {
	if v.Move == nil {
		return "nobody"
	}
	return fmt.Sprintf("%s in round %d", v.Move.Name, v.Clock.Round)
}

func turnOf(tr live.Turn) string {
	if tr.Mover == nil {
		if tr.Seat != nil || tr.Actor != -2 {
			return fmt.Sprintf("a turn event without a mover but seat %v, actor %d", tr.Seat, tr.Actor)
		}
		return "nobody"
	}
	if tr.Seat == nil || tr.Mover.Seat != *tr.Seat {
		return fmt.Sprintf("a turn event whose seat %v is not its mover's %v", tr.Seat, tr.Mover.Seat)
	}
	return fmt.Sprintf("%s in round %d", tr.Mover.Name, tr.Round)
}

// TestTurnEvents plays a mediated session of people through the API while
// the observer and Afghanistan follow their streams, and a student's
// alternating offers against a built-in agent. After each action the
// observer's view says whose move it is; each stream must carry a turn
// event exactly where that changes — after the stored events that moved
// it, seen or not (Pakistan's answer to the text is its caucus's only, yet
// it hands Afghanistan the move) — and nowhere else (a caucus message
// moves nothing), naming the view's move. Turn events carry no id, so
// they never disturb resuming; and they are not stored (the transcript
// holds the protocol's events only).
func TestTurnEvents(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025"})
	tok := tokens(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followers := []string{"observer", "Afghanistan"}
	streams := map[string]*sse{}
	for _, who := range followers {
		streams[who] = s.stream(ctx, c.ID, tok[who], "")
		streams[who].wait(t, "event: turn")
	}
	type want struct {
		after int64 // the seq the turn follows
		move  string
	}
	v := s.view(c.ID, tok["observer"])
	wants := []want{{v.Head.Events - 1, moveOf(v)}}
	steps := []struct {
		seat string
		a    map[string]any
	}{
		{"Pakistan", map[string]any{"kind": "caucus", "message": "nothing moves"}},
		{"mediator", map[string]any{"kind": "text", "outcome": map[string]string{"ceasefire": "open_ended", "monitoring": "bilateral_cell"}}},
		{"Pakistan", map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "accept", "monitoring": "reject"}}},
		{"mediator", map[string]any{"kind": "caucus", "party": "Afghanistan", "message": "still nothing"}},
		{"Afghanistan", map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "accept"}}},
		{"mediator", map[string]any{"kind": "text", "outcome": map[string]string{"ceasefire": "open_ended", "monitoring": "mediated_mechanism"}}},
		{"Pakistan", map[string]any{"kind": "answer", "answers": map[string]string{"monitoring": "accept"}}},
		{"Afghanistan", map[string]any{"kind": "answer", "answers": map[string]string{"monitoring": "reject"}}},
		{"mediator", map[string]any{"kind": "end", "reason": "enough for today"}},
	}
	for _, st := range steps {
		s.act(c.ID, tok[st.seat], st.a)
		v := s.view(c.ID, tok["observer"])
		if m := moveOf(v); m != wants[len(wants)-1].move {
			wants = append(wants, want{v.Head.Events - 1, m})
		}
	}
	if len(wants) != 8 {
		t.Fatalf("the moves were %v; the script wants 8 (the first and seven changes)", wants)
	}
	for _, who := range followers {
		streams[who].wait(t, `"move":null`)
		var turns []want
		last := int64(-1) // the last stored seq seen
		for _, it := range items(t, streams[who].String()) {
			if it.seq >= 0 {
				if len(turns) > 0 && it.seq <= turns[len(turns)-1].after {
					t.Errorf("%s: event %d comes after the turn event that follows event %d", who, it.seq, turns[len(turns)-1].after)
				}
				last = it.seq
				continue
			}
			if int64(it.turn.After) < last {
				t.Errorf("%s: a turn event after event %d says it follows event %d", who, last, it.turn.After)
			}
			if it.turn.Audience.String() != "everyone" || it.turn.Type != "turn" {
				t.Errorf("%s: turn event %+v", who, it.turn)
			}
			turns = append(turns, want{int64(it.turn.After), turnOf(it.turn)})
		}
		if fmt.Sprint(turns) != fmt.Sprint(wants) {
			t.Errorf("%s's stream has the turn events\n%v\nwant (from the views)\n%v", who, turns, wants)
		}
	}
	tr := s.call("GET", "/api/sessions/"+c.ID+"/transcript", tok["observer"], nil).String()
	if strings.Contains(tr, `"turn"`) {
		t.Error("the transcript holds a turn event")
	}

	// A student against a built-in agent: the agent answers inside the
	// student's request, so the move comes back to the student, a round on.
	c = s.create(map[string]any{"scenario": "istanbul-2025", "protocol": "sao", "deadline": 30, "seats": map[string]string{"Afghanistan": "hardliner"}})
	tok = tokens(c)
	st := s.stream(ctx, c.ID, tok["Pakistan"], "")
	st.wait(t, "event: turn")
	offer := map[string]any{"kind": "offer", "outcome": []int{0, 0, 0, 0, 0, 0, 0}}
	for range 2 {
		s.act(c.ID, tok["Pakistan"], offer)
	}
	st.wait(t, `"round":2`)
	var rounds []string
	for _, it := range items(t, st.String()) {
		if it.seq < 0 {
			rounds = append(rounds, turnOf(it.turn))
		}
	}
	if got := strings.Join(rounds, ", "); got != "Pakistan in round 0, Pakistan in round 1, Pakistan in round 2" {
		t.Errorf("the student's turn events: %s", got)
	}
}
