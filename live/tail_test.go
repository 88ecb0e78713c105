package live_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// A session answers reads of its last append's records from memory; for
// every range, at every step of a session, what it gives is what the
// store holds (and a range it does not hold is read from the store).
func TestRecordsFromMemoryAreTheStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newManager(t, openStore(t))
	s, _, pak := created(t, m, loadSpec()) // the nash mediator and Afghanistan's delegate
	check := func(step int) {
		t.Helper()
		head := s.Head().Events
		for from := int64(0); from <= head; from++ {
			for to := max(from, head-8); to <= head; to++ { // the tail is near the head
				got, want, err := live.Records(ctx, s, from, to)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: records %d to %d: %d from the session, the store has %d", step, from, to, len(got), len(want))
				}
			}
		}
	}
	check(0)
	for step := 1; step <= 6; step++ {
		v, err := s.View(ctx, pak)
		if err != nil || v.Turn == nil {
			t.Fatalf("step %d: no turn for Pakistan: %v", step, err)
		}
		raw := []byte("[")
		for k, cl := range v.Turn.Text {
			a := "none"
			if cl.State == parley.ClauseProposed || cl.State == parley.ClauseAgreed {
				a = "accept"
			}
			if k > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, `"`+a+`"`...)
		}
		raw = append(raw, ']')
		if step%2 == 0 {
			if _, err := s.Act(ctx, pak, caucus("a word")); err != nil {
				t.Fatal(err)
			}
			check(step)
		}
		if _, err := s.Act(ctx, pak, &live.Action{Kind: "answer", Answers: raw}); err != nil {
			t.Fatal(err)
		}
		check(step)
	}
}
