package protocol_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/protocol"
)

// transcriptLines writes the lifecycle transcript and returns its lines
// (header, events, trailer).
func transcriptLines(t *testing.T) (protocol.Header, []protocol.Event, []string) {
	t.Helper()
	h, events := lifecycle(t)
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		t.Fatal(err)
	}
	return h, events, strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// breakOf reads lines and returns the line and the seq of the chain break.
func breakOf(t *testing.T, lines []string) (line int, brk *audit.BreakError, err error) {
	t.Helper()
	_, err = protocol.DecodeTranscript(strings.NewReader(strings.Join(lines, "\n")+"\n"), protocol.ReadOptions{})
	var pe *parley.PosError
	if errors.As(err, &pe) {
		line = pe.Line
	}
	errors.As(err, &brk)
	return line, brk, err
}

// Every edit, deletion, insertion and reordering of an event line is
// caught at the first seq where the chain breaks, on the right line.
func TestTranscriptChainCatchesEveryChange(t *testing.T) {
	t.Parallel()
	_, events, lines := transcriptLines(t)
	n := len(events) // event k is on line k+2 (lines[k+1])
	hashRE := regexp.MustCompile(`"hash":"[0-9a-f]{64}"`)
	for _, tc := range []struct {
		name   string
		change func(ls []string, k int) []string
		fault  audit.Fault
		seq    func(k int) int64
		line   func(k int) int
	}{
		{"EditValue", func(ls []string, k int) []string {
			ls[k+1] = strings.Replace(ls[k+1], `"round":0`, `"round":1`, 1)
			return ls
		}, audit.BadHash, at(0), onLine(2)},
		{"EditHash", func(ls []string, k int) []string {
			ls[k+1] = hashRE.ReplaceAllString(ls[k+1], `"hash":"`+strings.Repeat("0", 64)+`"`)
			return ls
		}, audit.BadHash, at(0), onLine(2)},
		{"EditAndRehash", func(ls []string, k int) []string {
			// A forger who recomputes the edited event's hash breaks the
			// link of the next one.
			ls[k+1] = rehash(t, strings.Replace(ls[k+1], `"round":0`, `"round":1`, 1))
			return ls
		}, audit.BadLink, at(1), onLine(3)},
		{"DropChainFields", func(ls []string, k int) []string {
			ls[k+1] = regexp.MustCompile(`,"prev":.*}$`).ReplaceAllString(ls[k+1], "}")
			return ls
		}, audit.BadLink, at(0), onLine(2)},
		{"Delete", func(ls []string, k int) []string { return slices.Delete(ls, k+1, k+2) }, audit.OutOfPlace, at(0), onLine(2)},
		{"Duplicate", func(ls []string, k int) []string { return slices.Insert(ls, k+2, ls[k+1]) }, audit.OutOfPlace, at(1), onLine(3)},
		{"SwapWithNext", func(ls []string, k int) []string {
			ls[k+1], ls[k+2] = ls[k+2], ls[k+1]
			return ls
		}, audit.OutOfPlace, at(0), onLine(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for k := 0; k < n-1; k++ {
				line, brk, err := breakOf(t, tc.change(slices.Clone(lines), k))
				if tc.name == "DropChainFields" && k == 0 {
					// Without chain fields on its first event the file
					// looks like an old transcript: refused as one.
					if err == nil || line != 2 || !strings.Contains(err.Error(), "event 0 has no hash") {
						t.Errorf("first event without chain fields: line %d, %v", line, err)
					}
					continue
				}
				if brk == nil || brk.Fault != tc.fault || brk.Seq != tc.seq(k) || line != tc.line(k) {
					t.Errorf("change at seq %d: %v; want %v at seq %d on line %d", k, err, tc.fault, tc.seq(k), tc.line(k))
				}
			}
		})
	}
	// The tail and the trailer.
	trailer := lines[n+1]
	for _, tc := range []struct {
		name  string
		lines []string
		fault audit.Fault
		seq   int64
		line  int
	}{
		{"NoTrailer", lines[:n+1], audit.NoEnd, int64(n), n + 2},
		{"CutTail", lines[:5], audit.NoEnd, 4, 6},
		{"HeaderOnly", lines[:1], audit.NoEnd, 0, 2},
		{"DeleteLastEvent", append(slices.Clone(lines[:n]), trailer), audit.Missing, int64(n - 1), n + 1},
		{"Miscount", append(slices.Clone(lines[:n+1]), strings.Replace(trailer, `"events":12`, `"events":11`, 1)), audit.Extra, 11, n + 2},
		{"OtherHead", append(slices.Clone(lines[:n+1]), hashRE.ReplaceAllString(strings.Replace(trailer, `"head"`, `"hash"`, 1), `"head":"`+strings.Repeat("a", 64)+`"`)), audit.BadHead, int64(n - 1), n + 2},
		{"EditedHeader", append([]string{strings.Replace(lines[0], `"seed":9`, `"seed":10`, 1)}, lines[1:]...), audit.BadLink, 0, 2},
	} {
		line, brk, err := breakOf(t, tc.lines)
		if brk == nil || brk.Fault != tc.fault || brk.Seq != tc.seq || line != tc.line {
			t.Errorf("%s: %v; want %v at seq %d on line %d", tc.name, err, tc.fault, tc.seq, tc.line)
		}
	}
	// Lines after the trailer are refused, and so is a second trailer.
	for _, extra := range []string{lines[1], trailer} {
		if line, _, err := breakOf(t, append(slices.Clone(lines), extra)); err == nil || line != n+3 || !strings.Contains(err.Error(), "after the trailer") {
			t.Errorf("a line after the trailer: line %d, %v", line, err)
		}
	}
	// Formatting is not content: key order and spaces may change.
	reformatted := slices.Clone(lines)
	reformatted[3] = strings.Replace(strings.Replace(reformatted[3], `{"seq":2,`, `{ "seq" : 2 , `, 1), `"round":0,`, ``, 1) + ` `
	reformatted[3] = strings.Replace(reformatted[3], `"type":`, `"round":0,  "type":`, 1)
	if _, _, err := breakOf(t, reformatted); err != nil {
		t.Errorf("a reformatted line: %v", err)
	}
}

// rehash recomputes the hash of a transcript line (of a session without
// an ID) from its content, as a forger would.
func rehash(t *testing.T, line string) string {
	var f struct {
		Seq      int64       `json:"seq"`
		Type     string      `json:"type"`
		Audience string      `json:"audience"`
		Prev     parley.Hash `json:"prev"`
	}
	if err := json.Unmarshal([]byte(line), &f); err != nil {
		t.Fatal(err)
	}
	payload, err := audit.Canonical([]byte(line), "prev", "hash")
	if err != nil {
		t.Fatal(err)
	}
	h := audit.Sum(&parley.EventRecord{Seq: f.Seq, Type: f.Type, Audience: f.Audience, Payload: payload, Prev: f.Prev})
	return regexp.MustCompile(`"hash":"[0-9a-f]{64}"`).ReplaceAllString(line, `"hash":"`+h.String()+`"`)
}

func at(d int) func(int) int64   { return func(k int) int64 { return int64(k + d) } }
func onLine(d int) func(int) int { return func(k int) int { return k + d } }

// A transcript written before the chain, or stripped of it, is refused
// unless the reader asks for legacy reading, and then only if it ends with
// its end event.
func TestLegacyTranscripts(t *testing.T) {
	t.Parallel()
	_, events, lines := transcriptLines(t)
	strip := regexp.MustCompile(`,"prev":.*}$`)
	legacy := []string{lines[0]}
	for _, l := range lines[1 : len(lines)-1] {
		legacy = append(legacy, strip.ReplaceAllString(l, "}"))
	}
	read := func(ls []string, opt protocol.ReadOptions) (*protocol.Transcript, error) {
		return protocol.DecodeTranscript(strings.NewReader(strings.Join(ls, "\n")+"\n"), opt)
	}
	if _, err := read(legacy, protocol.ReadOptions{}); err == nil || !strings.Contains(err.Error(), "--legacy") {
		t.Errorf("legacy transcript read strictly: %v", err)
	}
	tr, err := read(legacy, protocol.ReadOptions{Legacy: true})
	if err != nil || !tr.Legacy || len(tr.Events) != len(events) {
		t.Fatalf("legacy read: %v", err)
	}
	if _, err := read(legacy[:6], protocol.ReadOptions{Legacy: true}); err == nil || !strings.Contains(err.Error(), "without an end event") {
		t.Errorf("cut legacy transcript: %v", err)
	}
	if _, err := read(slices.Delete(slices.Clone(legacy), 3, 4), protocol.ReadOptions{Legacy: true}); err == nil || !strings.Contains(err.Error(), "event seq 3, want 2") {
		t.Errorf("legacy transcript with a gap: %v", err)
	}
	mixed := slices.Clone(legacy)
	mixed[4] = lines[4]
	if _, err := read(mixed, protocol.ReadOptions{Legacy: true}); err == nil || !strings.Contains(err.Error(), "have none") {
		t.Errorf("chain fields halfway: %v", err)
	}
	// A trailer cannot vouch for events that carry no chain.
	trailed := append(slices.Clone(legacy), lines[len(lines)-1])
	_, err = read(trailed, protocol.ReadOptions{Legacy: true})
	var pe *parley.PosError
	if !errors.As(err, &pe) || pe.Line != len(trailed) || !strings.Contains(err.Error(), "a trailer after events without a hash chain") {
		t.Errorf("legacy events with a trailer: %v", err)
	}
	// Legacy reading does not weaken a chained transcript's check.
	if _, err := read(lines[:len(lines)-1], protocol.ReadOptions{Legacy: true}); err == nil {
		t.Error("a chained transcript without its trailer passed legacy reading")
	}
	if tr, err := read(lines, protocol.ReadOptions{Legacy: true}); err != nil || tr.Legacy || tr.Head.Events != int64(len(events)) {
		t.Errorf("chained transcript with legacy allowed: %+v, %v", tr, err)
	}
}

// A live session stored with Definition and Record has the chain its
// transcript has, and WriteRecords writes that stored chain as a
// transcript that reads back with the same head.
func TestStoredChainIsTheTranscriptChain(t *testing.T) {
	t.Parallel()
	h, events := lifecycle(t)
	h.Session = "S42"
	def, err := protocol.Definition(h)
	if err != nil {
		t.Fatal(err)
	}
	c := audit.NewChain(h.Session, audit.Genesis(h.Session, def))
	var stored []parley.EventRecord
	for _, ev := range events {
		rec, err := protocol.Record(ev)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type != string(ev.Type) || rec.Audience != ev.Audience.String() || rec.Audience == "" {
			t.Fatalf("event %d stored as type %q audience %q; want %q, %q", ev.Seq, rec.Type, rec.Audience, ev.Type, ev.Audience)
		}
		c.Link(&rec)
		stored = append(stored, rec)
	}
	var written bytes.Buffer
	w, err := protocol.NewWriter(&written, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(w.Write(events...), w.Close()); err != nil {
		t.Fatal(err)
	}
	if w.Head() != c.ChainHead() {
		t.Fatalf("transcript head %v, stored head %v", w.Head(), c.ChainHead())
	}
	var exported bytes.Buffer
	if err := protocol.WriteRecords(&exported, def, stored, c.ChainHead()); err != nil {
		t.Fatal(err)
	}
	tr, err := protocol.DecodeTranscript(&exported, protocol.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Head != c.ChainHead() || tr.Header.Session != "S42" || len(tr.Events) != len(events) {
		t.Fatalf("exported transcript: head %v, session %q, %d events", tr.Head, tr.Header.Session, len(tr.Events))
	}
	if _, err := protocol.Replay(tr.Header, tr.Events); err != nil {
		t.Fatalf("exported transcript does not replay: %v", err)
	}
	// The session ID is part of every link: the same events under another
	// session do not verify.
	other := strings.Replace(exported.String(), `"session":"S42"`, `"session":"S43"`, 1)
	if _, err := protocol.DecodeTranscript(strings.NewReader(other), protocol.ReadOptions{}); err == nil {
		t.Error("a transcript moved to another session verified")
	}
}

func TestWriterRefusesOutOfOrderEvents(t *testing.T) {
	t.Parallel()
	h, events := lifecycle(t)
	w, err := protocol.NewWriter(&bytes.Buffer{}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(events[1]); err == nil {
		t.Error("wrote event 1 first")
	}
	if err := errors.Join(w.Write(events[0]), w.Close()); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(events[1]); err == nil {
		t.Error("wrote after Close")
	}
}

// FuzzTranscriptChain: whatever DecodeTranscript accepts is whole — its
// head counts its events, and every cut at a line boundary before the end
// is refused.
func FuzzTranscriptChain(f *testing.F) {
	h, events := lifecycle(f)
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	var short bytes.Buffer
	if err := protocol.WriteTranscript(&short, h, events[:2]); err != nil {
		f.Fatal(err)
	}
	f.Add(short.Bytes())
	f.Add(bytes.ReplaceAll(short.Bytes(), []byte(`"round":0`), []byte(`"round":1`)))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := protocol.DecodeTranscript(bytes.NewReader(b), protocol.ReadOptions{})
		if err != nil {
			return
		}
		if tr.Legacy || tr.Head.Events != int64(len(tr.Events)) {
			t.Fatalf("accepted with head %v and %d events", tr.Head, len(tr.Events))
		}
		content := bytes.TrimRight(b, " \t\r\n")
		for i := 0; i < len(content); i++ {
			if content[i] != '\n' {
				continue
			}
			if _, err := protocol.DecodeTranscript(bytes.NewReader(b[:i+1]), protocol.ReadOptions{}); err == nil && len(bytes.TrimSpace(content[i:])) > 0 {
				t.Fatalf("cut after byte %d accepted", i)
			}
		}
	})
}
