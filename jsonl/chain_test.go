package jsonl_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/jsonl"
)

// register writes a chained register of an accord, three incidents and a
// tick, and returns its path and lines.
func register(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reg.jsonl")
	s := mustOpen(t, path)
	if err := s.Sign(ctx, accord()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIncidents(ctx, []parley.Incident{{Key: "a:1", Date: "2025-11-02"}, {Key: "a:2", Date: "2025-11-03"}, {Key: "a:3", Date: "2025-11-04"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendCaseEvents(ctx, []parley.CaseEvent{{Seq: 0, Day: 5, Kind: parley.CaseTick, Audience: []string{"A", "B"}}}); err != nil {
		t.Fatal(err)
	}
	head := s.Head()
	s.Close()
	if head.Events != 5 || head.Hash.IsZero() {
		t.Fatalf("head after five records: %v", head)
	}
	s = mustOpen(t, path)
	if s.Head() != head {
		t.Errorf("head read back %v, written %v", s.Head(), head)
	}
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if !strings.Contains(lines[0], jsonl.Schema) || !strings.Contains(lines[3], `"seq":2`) || !strings.Contains(lines[3], `"prev":`) {
		t.Fatalf("register lines:\n%s", b)
	}
	return path, lines[:len(lines)-1]
}

// TestChain: a register's records are hash-chained; an edited, deleted,
// moved or inserted line is refused at its line when the register is
// opened, and appends continue the chain.
func TestChain(t *testing.T) {
	path, lines := register(t)
	for _, tc := range []struct {
		name string
		edit func([]string) []string
		line int
	}{
		{"Edited", func(l []string) []string { l[3] = strings.Replace(l[3], "2025-11-03", "2025-11-30", 1); return l }, 4},
		{"Deleted", func(l []string) []string { return append(l[:2], l[3:]...) }, 3},
		{"Swapped", func(l []string) []string { l[2], l[3] = l[3], l[2]; return l }, 3},
		{"Inserted", func(l []string) []string { return append(l[:3], append([]string{l[2]}, l[3:]...)...) }, 4},
		{"Unchained", func(l []string) []string {
			l[4] = `{"type":"incident","incident":{"key":"x:1","date":"2025-01-01","precision":"day","fatalities":0}}` + "\n"
			return l
		}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "reg.jsonl")
			edited := tc.edit(append([]string(nil), lines...))
			if err := os.WriteFile(p, []byte(strings.Join(edited, "")), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := jsonl.Open(p)
			pe, ok := err.(*parley.PosError)
			if !ok || pe.Line != tc.line || parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("got %v, want an EINVALID break at line %d", err, tc.line)
			}
		})
	}
	s := mustOpen(t, path)
	if _, err := s.AddIncidents(context.Background(), []parley.Incident{{Key: "a:4", Date: "2025-11-05"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s = mustOpen(t, path); s.Head().Events != 6 {
		t.Errorf("after an append: head %v", s.Head())
	}
	s.Close()
}

// TestChainV1: a register from before the chain opens with a warning and
// is extended unchained.
func TestChainV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reg.jsonl")
	old := `{"schema":"parley.monitor/1"}` + "\n" + `{"type":"incident","incident":{"key":"a:1","date":"2025-01-01","precision":"day","fatalities":0}}` + "\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	if len(s.Warnings()) != 1 || !strings.Contains(s.Warnings()[0], "hash-chained") || !s.Head().Hash.IsZero() {
		t.Errorf("warnings %q, head %v", s.Warnings(), s.Head())
	}
	if _, err := s.AddIncidents(context.Background(), []parley.Incident{{Key: "a:2", Date: "2025-01-02"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, path)
	defer s.Close()
	if got, _ := s.Incidents(context.Background()); len(got) != 2 {
		t.Errorf("%d incidents", len(got))
	}
}
