package jsonl_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/jsonl"
)

func mustOpen(tb testing.TB, path string) *jsonl.Store {
	tb.Helper()
	s, err := jsonl.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func accord() *parley.Accord {
	return &parley.Accord{Scenario: "t", Signed: "2025-11-01", Parties: []string{"A", "B"}, Seats: []string{"A", "B"},
		Commitments: []parley.Commitment{}, Mechanism: parley.Mechanism{Rule: parley.Ruling{By: parley.BodyConsensus}, Investigate: parley.Investigation{By: []string{"A", "B"}}}}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reg.jsonl")
	s := mustOpen(t, path)
	t.Run("ErrNoAccord", func(t *testing.T) {
		if _, err := s.Accord(ctx); parley.ErrorCode(err) != parley.ENOTFOUND || !strings.Contains(err.Error(), "holds no agreement") {
			t.Errorf("got %v", err)
		}
		if err := s.AppendCaseEvents(ctx, []parley.CaseEvent{{Seq: 0}}); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("events before the accord: %v", err)
		}
	})
	t.Run("Sign", func(t *testing.T) {
		if err := s.Sign(ctx, accord()); err != nil {
			t.Fatal(err)
		}
		if err := s.Sign(ctx, accord()); err != nil {
			t.Errorf("signing the same accord again: %v", err)
		}
		b := accord()
		b.Signed = "2025-12-01"
		if err := s.Sign(ctx, b); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("a different accord: %v", err)
		}
	})
	in := []parley.Incident{{Key: "acled:1", Date: "2025-11-02"}, {Key: "acled:2", Date: "2025-11-03"}}
	t.Run("AddIncidents", func(t *testing.T) {
		added, err := s.AddIncidents(ctx, in)
		if err != nil || len(added) != 2 {
			t.Fatalf("added %v, %v", added, err)
		}
		added, err = s.AddIncidents(ctx, append(in, parley.Incident{Key: "ucdp:3", Date: "2025-11-04"}))
		if err != nil || len(added) != 1 || added[0].Key != "ucdp:3" {
			t.Fatalf("re-import added %v, %v", added, err)
		}
	})
	t.Run("ErrBatch", func(t *testing.T) {
		for _, bad := range [][]parley.Incident{{{Key: ""}}, {{Key: "x:1"}, {Key: "x:1"}}} {
			if _, err := s.AddIncidents(ctx, bad); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("%v: %v", bad, err)
			}
		}
	})
	t.Run("Events", func(t *testing.T) {
		evs := []parley.CaseEvent{{Seq: 0, Kind: parley.CaseTick, Audience: []string{"A", "B"}}, {Seq: 1, Kind: parley.CaseTick, Audience: []string{"A", "B"}}}
		if err := s.AppendCaseEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendCaseEvents(ctx, []parley.CaseEvent{{Seq: 1}}); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("out of sequence: %v", err)
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		if _, err := jsonl.Open(path); parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), "in use") {
			t.Errorf("second open: %v", err)
		}
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Everything acknowledged is there after reopening.
	s = mustOpen(t, path)
	defer s.Close()
	a, err := s.Accord(ctx)
	if err != nil || !reflect.DeepEqual(a, accord()) {
		t.Errorf("accord %+v, %v", a, err)
	}
	got, _ := s.Incidents(ctx)
	if len(got) != 3 || got[2].Key != "ucdp:3" {
		t.Errorf("incidents %+v", got)
	}
	evs, _ := s.CaseEvents(ctx)
	if len(evs) != 2 || evs[1].Seq != 1 {
		t.Errorf("events %+v", evs)
	}
}

// TestTornTail: a last line cut short by a crash is reported, ignored, and
// cut off by the next write; nothing acknowledged is lost.
func TestTornTail(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reg.jsonl")
	s := mustOpen(t, path)
	if err := s.Sign(ctx, accord()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIncidents(ctx, []parley.Incident{{Key: "a:1", Date: "2025-11-02"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"incident","incident":{"key":"a:2"`)
	f.Close()
	s = mustOpen(t, path)
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "reg.jsonl:4: the last line is incomplete") {
		t.Errorf("warnings %v", w)
	}
	if in, _ := s.Incidents(ctx); len(in) != 1 {
		t.Errorf("incidents %v", in)
	}
	if _, err := s.AddIncidents(ctx, []parley.Incident{{Key: "a:3", Date: "2025-11-03"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, path)
	defer s.Close()
	if in, _ := s.Incidents(ctx); len(in) != 2 || in[1].Key != "a:3" || len(s.Warnings()) != 0 {
		t.Errorf("after repair: %v %v", in, s.Warnings())
	}
}

func TestCorrupt(t *testing.T) {
	head := `{"schema":"parley.monitor/1"}` + "\n"
	tests := []struct {
		name, text, msg string
		line            int
	}{
		{"NotRegister", "hello\n", "not a parley monitoring register", 1},
		{"Schema", `{"schema":"parley.monitor/9"}` + "\n", `unsupported register schema "parley.monitor/9"`, 1},
		{"BadJSON", head + "{nope\n", "bad record", 2},
		{"UnknownField", head + `{"type":"incident","incident":{"key":"a"},"extra":1}` + "\n", "bad record", 2},
		{"UnknownType", head + `{"type":"vote"}` + "\n", `unknown record type "vote"`, 2},
		{"EventFirst", head + `{"type":"event","event":{"seq":0,"day":0,"kind":"tick","audience":[]}}` + "\n", "before the accord", 2},
		{"RepeatedIncident", head + `{"type":"incident","incident":{"key":"a","date":"2025-01-01"}}` + "\n" + `{"type":"incident","incident":{"key":"a","date":"2025-01-01"}}` + "\n", `repeated key "a"`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "reg.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := jsonl.Open(path)
			pe, ok := err.(*parley.PosError)
			if !ok || pe.Line != tt.line || !strings.Contains(err.Error(), tt.msg) || parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("got %v, want line %d %q", err, tt.line, tt.msg)
			}
		})
	}
}

// FuzzOpen opens arbitrary files as registers: Open either refuses with a
// positioned EINVALID error or loads a register that takes an append and
// reopens with everything it held plus the append.
func FuzzOpen(f *testing.F) {
	head := `{"schema":"parley.monitor/1"}` + "\n"
	f.Add([]byte(head))
	f.Add([]byte(head + `{"type":"incident","incident":{"key":"a:1","date":"2025-01-01","precision":"day","fatalities":0}}` + "\n"))
	f.Add([]byte(head + `{"type":"accord","accord":{"scenario":"t","signed":"2025-01-01","clauses":[],"commitments":[],"mechanism":{"investigate":{"by":["A"]},"rule":{"by":"consensus"},"assume":{}},"parties":["A","B"],"seats":["A","B"]}}` + "\n" +
		`{"type":"event","event":{"seq":0,"day":1,"kind":"tick","audience":["A","B"]}}` + "\n" + `{"type":"inc`))
	f.Add([]byte("nonsense"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "reg.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := jsonl.Open(path)
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error code %q: %v", parley.ErrorCode(err), err)
			}
			if pe, ok := err.(*parley.PosError); !ok || pe.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		before, _ := s.Incidents(ctx)
		if _, err := s.AddIncidents(ctx, []parley.Incident{{Key: "fuzz:new", Date: "2025-01-01"}}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = mustOpen(t, path)
		defer s.Close()
		after, _ := s.Incidents(ctx)
		want := len(before) + 1
		if containsKey(before, "fuzz:new") {
			want-- // already there: nothing added twice
		}
		if len(after) != want || !containsKey(after, "fuzz:new") {
			t.Fatalf("after an append: %d incidents, had %d", len(after), len(before))
		}
		for i := range before {
			if before[i].Key != after[i].Key {
				t.Fatalf("incident %d changed from %q to %q", i, before[i].Key, after[i].Key)
			}
		}
	})
}

func containsKey(ins []parley.Incident, k string) bool {
	for _, in := range ins {
		if in.Key == k {
			return true
		}
	}
	return false
}

// TestInputLimit: the register is read within the input size limit like
// every other input — a larger one is refused naming the file and the
// limit — and a long record within the limit is read (no fixed cap).
func TestInputLimit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reg.jsonl")
	// A register of the unchained version (quick to write by hand) with
	// a record of 17 MiB (JSON allows the blanks).
	acc, err := json.Marshal(accord())
	if err != nil {
		t.Fatal(err)
	}
	text := `{"schema":"` + jsonl.SchemaV1 + `"}` + "\n" + `{"type":"accord","accord":` + string(acc) + "}\n" +
		`{"type":"incident",` + strings.Repeat(" ", 17<<20) + `"incident":{"key":"long","date":"2025-11-02"}}` + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonl.OpenLimit(path, fi.Size())
	if err != nil {
		t.Fatalf("a register of %d bytes within a limit of as many, with a line of 17 MiB: %v", fi.Size(), err)
	}
	if in, _ := s.Incidents(ctx); len(in) != 1 || in[0].Key != "long" {
		t.Errorf("incidents %v, want the long one", in)
	}
	s.Close()
	for _, max := range []int64{100, fi.Size() - 1} {
		s, err := jsonl.OpenLimit(path, max)
		if err == nil {
			s.Close()
		}
		if parley.ErrorCode(err) != parley.ELIMIT || !errors.Is(err, limit.ErrTooLarge) ||
			!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "larger than the input size limit of "+limit.Size(max)) {
			t.Errorf("limit %d: %v, want ELIMIT naming %s and the limit", max, err, path)
		}
	}
}
