package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// encodingJSON is how the server wrote an action's answer before
// AppendJSON: encoding/json without HTML escaping, its newline trimmed.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// An action's answer written by Acted.AppendJSON is what encoding/json
// writes, byte for byte: over every move of sessions played to their end
// (answers, the built-in agents' moves, agreements and their monitoring),
// caucus messages with characters JSON escapes, and answers that take
// encoding/json's path (a session ID it escapes, a payload that is not an
// object).
func TestActedJSONIsEncodingJSON(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newManager(t, openStore(t))
	check := func(out *live.Acted) {
		t.Helper()
		want := encodingJSON(t, out)
		got, err := out.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("AppendJSON:\n got %s\nwant prefix%s", got, want)
		}
	}
	moves, events := 0, 0
	for game := range 3 {
		s, _, pak := created(t, m, loadSpec())
		for i := 0; ; i++ {
			v, err := s.View(ctx, pak)
			if err != nil {
				t.Fatal(err)
			}
			if v.Turn == nil {
				break
			}
			if i%4 == 1 {
				out, err := s.Act(ctx, pak, caucus(`<b>&"quoted"\ `+"\u2028 é \t line\nbreak"))
				if err != nil {
					t.Fatal(err)
				}
				check(out)
			}
			answers := make([]string, len(v.Turn.Text))
			for k, cl := range v.Turn.Text {
				answers[k] = "none"
				switch {
				case cl.State == parley.ClauseAgreed || cl.State == parley.ClauseProposed && (i+k+game)%3 != 0:
					answers[k] = "accept"
				case cl.State == parley.ClauseProposed:
					answers[k] = "reject"
				}
			}
			raw, _ := json.Marshal(answers)
			out, err := s.Act(ctx, pak, &live.Action{Kind: "answer", Answers: raw})
			if err != nil {
				t.Fatal(err)
			}
			check(out)
			moves++
			events += len(out.Events)
		}
	}
	if moves < 10 || events < 2*moves {
		t.Fatalf("%d moves with %d events: too few to hold the writer to anything", moves, events)
	}
	for _, out := range []*live.Acted{
		{Events: []json.RawMessage{}, Head: parley.ChainHead{Session: "s1", Events: 3}},
		{Events: []json.RawMessage{json.RawMessage(`{"a":1}`)}, Head: parley.ChainHead{Session: `odd"id\`, Events: 1}},
		{Events: []json.RawMessage{json.RawMessage(`{"a":"<"}`)}, Head: parley.ChainHead{Session: "é", Events: 1}},
		{Events: []json.RawMessage{json.RawMessage(`[1, 2]`), json.RawMessage(` {"b": 2} `)}, Head: parley.ChainHead{Session: "s", Events: 9}},
	} {
		check(out)
	}
}

// A new session's head, which Create derives from the genesis instead of
// reading it back, is the store's: with no built-in agent (no event yet),
// with agents that move at once, and as the session holds it afterwards.
func TestCreateHeadIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	m := newManager(t, st)
	for _, sp := range []*live.Spec{{Scenario: "istanbul-2025"}, loadSpec(), {Scenario: "istanbul-2025", Protocol: "sao"}} {
		s, c, _ := created(t, m, sp)
		stored, err := st.ChainHead(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Head != stored {
			t.Errorf("%+v: created with head %+v, the store has %+v", sp.Seats, c.Head, stored)
		}
		if h := s.Head(); h != stored {
			t.Errorf("%+v: the session holds head %+v, the store has %+v", sp.Seats, h, stored)
		}
	}
}
