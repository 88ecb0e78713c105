package protocol_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// lifecycle returns the transcript of a short mediated negotiation.
func lifecycle(t testing.TB) (protocol.Header, []protocol.Event) {
	s := deleg()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := protocol.MediatedConfig{Rounds: 4, Agenda: []int{0, 1}, Calendar: []float64{19, 11}, HoursPerRound: 2}
	p, err := protocol.NewMediated(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc := []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept, parley.AnswerNone}
	for _, a := range []parley.Action{
		{Actor: -1, Kind: parley.ActText, Outcome: parley.Outcome{1, 1, -1}},
		{Actor: 0, Kind: parley.ActAnswer, Answers: acc},
	} {
		if err := p.Step(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Instruct(1, 1, parley.Instruction{Kind: parley.LowerFloor, Delta: 0.1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Step(parley.Action{Actor: 1, Kind: parley.ActAnswer, Answers: acc}); err != nil {
		t.Fatal(err)
	}
	if p.Result().End != parley.Agreement {
		t.Fatalf("end %v, want agreement", p.Result().End)
	}
	h, err := protocol.NewHeader(s, cfg, 9)
	if err != nil {
		t.Fatal(err)
	}
	h.Agents = []protocol.AgentInfo{{Actor: -1, Agent: "nash"}, {Actor: 0, Agent: "boulware"}, {Actor: 1, Agent: "delegate"}, {Actor: 1, Principal: "hardliners", Agent: "watchdog"}}
	h.Meta = map[string]any{"version": "test"}
	return h, p.Events()
}

func TestWriterStreamsWhatWriteTranscriptWrites(t *testing.T) {
	t.Parallel()
	h, events := lifecycle(t)
	var a, b bytes.Buffer
	if err := protocol.WriteTranscript(&a, h, events); err != nil {
		t.Fatal(err)
	}
	w, err := protocol.NewWriter(&b, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatalf("streamed transcript differs:\n%s\n%s", a.String(), b.String())
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if len(lines) != len(events)+2 || !strings.HasPrefix(lines[len(lines)-1], `{"trailer":{"events":12,"head":"`) || !strings.HasPrefix(lines[0], `{"schema":"parley.transcript/1","protocol":"mediated","config":{`) {
		t.Fatalf("unexpected transcript shape:\n%s", a.String())
	}
	// Round trip: what is read writes back byte for byte.
	h2, ev2, err := protocol.ReadTranscript(&a)
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := protocol.WriteTranscript(&c, h2, ev2); err != nil {
		t.Fatal(err)
	}
	if c.String() != b.String() {
		t.Fatalf("re-written transcript differs:\n%s\n%s", c.String(), b.String())
	}
}

func TestReplayNamesTheFirstDifference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(h *protocol.Header, ev []protocol.Event) []protocol.Event
		want   string
	}{
		{"OK", func(h *protocol.Header, ev []protocol.Event) []protocol.Event { return ev }, ""},
		{"ChangedAction", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			ev[4].Action.Answers[0] = parley.AnswerReject
			return ev
		}, "event 7: clause differs"},
		{"ChangedNote", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			ev[0].Note = "forged"
			return ev
		}, `event 0: note differs: recorded "forged"`},
		{"ChangedScenario", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			h.Scenario.Parties[1].Delegation.Rule.Kind = parley.Majority
			h.Scenario.Parties[1].Delegation.Factions[0].Preferences.Reservation.Value = 0.99
			return ev
		}, `event 9: type differs: recorded "clause", replayed "ratification_failed"`},
		{"Truncated", func(h *protocol.Header, ev []protocol.Event) []protocol.Event { return ev[:len(ev)-2] }, "replay produced a"},
		{"Extra", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			return append(ev, protocol.Event{Seq: len(ev), Type: protocol.EvTimeout, Actor: protocol.NoActor})
		}, "comes after the end"},
		{"ForgedOutput", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			return append(ev[:3:3], protocol.Event{Seq: 3, Type: protocol.EvExtend, Actor: -1})
		}, "event 3: type differs"},
		{"BadConfig", func(h *protocol.Header, ev []protocol.Event) []protocol.Event {
			h.Config = []byte(`{"rounds":4,"agendas":[0]}`)
			return ev
		}, `unknown field "agendas"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, ev := lifecycle(t)
			ev = tc.tamper(&h, ev)
			r, err := protocol.Replay(h, ev)
			if tc.want == "" {
				if err != nil || r.End != parley.Agreement {
					t.Fatalf("replay: %v, %v", r.End, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestReadTranscriptErrors(t *testing.T) {
	t.Parallel()
	h, events := lifecycle(t)
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		t.Fatal(err)
	}
	good := strings.Split(strings.TrimSpace(buf.String()), "\n")
	header := good[0]
	for _, tc := range []struct {
		name  string
		input string
		line  int
		want  string
	}{
		{"Empty", "", 1, "empty transcript"},
		{"NoSchema", `{"protocol":"sao"}`, 1, "no schema"},
		{"NewerSchema", `{"schema":"parley.transcript/2"}`, 1, `unsupported transcript schema version "parley.transcript/2"`},
		{"OtherSchema", `{"schema":"something/1"}`, 1, "not a parley transcript"},
		{"UnknownProtocol", strings.Replace(header, `"protocol":"mediated"`, `"protocol":"auction"`, 1), 1, `unknown protocol "auction"`},
		{"Syntax", header + "\n" + good[1] + "\n{\"seq\":1,", 3, "unexpected end of JSON input"},
		{"Gap", header + "\n" + good[1] + "\n" + good[3], 3, "chain breaks at seq 1: found seq 2"},
		{"UnknownType", header + "\n" + `{"seq":0,"round":0,"type":"dance","actor":-2}`, 2, `unknown type "dance"`},
		{"ActionWithoutAction", header + "\n" + `{"seq":0,"round":0,"type":"action","actor":0}`, 2, "without an action"},
		{"BadEnum", header + "\n" + `{"seq":0,"round":0,"type":"action","actor":0,"action":{"actor":0,"kind":"dance"}}`, 2, `unknown action kind "dance"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := protocol.ReadTranscript(strings.NewReader(tc.input))
			var pe *parley.PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not positioned", err)
			}
			if pe.Line != tc.line || !strings.Contains(err.Error(), tc.want) || parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error %q (line %d, code %s), want line %d mentioning %q", err, pe.Line, parley.ErrorCode(err), tc.line, tc.want)
			}
		})
	}
	// Blank lines are skipped but counted.
	var one bytes.Buffer
	if err := protocol.WriteTranscript(&one, h, events[:1]); err != nil {
		t.Fatal(err)
	}
	spaced := strings.ReplaceAll(one.String(), "\n", "\n\n")
	_, evs, err := protocol.ReadTranscript(strings.NewReader(spaced))
	if err != nil || len(evs) != 1 {
		t.Fatalf("blank lines: %v, %d events", err, len(evs))
	}
}

func FuzzReadTranscript(f *testing.F) {
	h, events := lifecycle(f)
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	lines := strings.SplitAfter(buf.String(), "\n")
	f.Add([]byte(lines[0]))
	f.Add([]byte(lines[0] + lines[2]))
	f.Add([]byte(`{"schema":"parley.transcript/1","protocol":"sao","config":{"rounds":1},"scenario":{"id":"x"}}` + "\n" + `{"seq":0,"type":"start","actor":-2}`))
	f.Add([]byte("\n\n{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, evs, err := protocol.ReadTranscript(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever reads must replay without panicking (it may fail).
		_, _ = protocol.Replay(h, evs)
	})
}

func TestConfigFor(t *testing.T) {
	t.Parallel()
	s := deleg()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	c, err := protocol.ConfigFor(m, &parley.SimulationSpec{Protocol: "mediated", Rounds: 30, HoursPerRound: 2, Calendar: []float64{19, 11, 18, 12}, MaxExtensions: 1, Agenda: []string{"prisoners", "ceasefire"}})
	if err != nil {
		t.Fatal(err)
	}
	mc, ok := c.(protocol.MediatedConfig)
	if !ok || mc.Rounds != 30 || len(mc.Agenda) != 2 || mc.Agenda[0] != 1 || mc.Agenda[1] != 0 || mc.MaxExtensions != 1 || mc.HoursPerRound != 2 {
		t.Fatalf("config %+v", c)
	}
	if c, err := protocol.ConfigFor(m, &parley.SimulationSpec{Protocol: "sao", Rounds: 5}); err != nil || c.(protocol.SAOConfig).Rounds != 5 {
		t.Fatalf("sao: %+v %v", c, err)
	}
	for _, sp := range []parley.SimulationSpec{{Protocol: "auction", Rounds: 1}, {Protocol: "mediated", Rounds: 1, Agenda: []string{"nope"}}} {
		if _, err := protocol.ConfigFor(m, &sp); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%+v: error %v, want EINVALID", sp, err)
		}
	}
}
