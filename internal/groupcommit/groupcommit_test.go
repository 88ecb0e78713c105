package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// fake commits batches in memory: it records each batch's size, can be
// held (to let requests queue), and fails a batch that holds a request of
// session "poison" (as a whole, or at COMMIT when commitFails is set).
type fake struct {
	mu          sync.Mutex
	sizes       []int
	stored      []string
	hold        chan struct{}
	commitFails bool
}

func (f *fake) commit(batch []*Request) error {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes = append(f.sizes, len(batch))
	for _, r := range batch {
		if r.Session == "poison" {
			if f.commitFails {
				return fmt.Errorf("%w: connection lost", ErrCommit)
			}
			return errors.New("poisoned")
		}
	}
	for _, r := range batch {
		if r.Next < 0 {
			r.Err = parley.Errorf(parley.ECONFLICT, "stale")
			continue
		}
		r.Out = r.Events
		f.stored = append(f.stored, r.Session)
	}
	return nil
}

func submitAll(q *Queue, sessions []string) []error {
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Go(func() {
			errs[i] = q.Submit(context.Background(), &Request{Session: s, Events: make([]parley.EventRecord, 1)})
		})
	}
	wg.Wait()
	return errs
}

func sessions(n int, poison int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("s", i)
	}
	if poison >= 0 {
		out[poison] = "poison"
	}
	return out
}

// Requests that queue while a commit runs share the next one.
func TestBatches(t *testing.T) {
	f := &fake{hold: make(chan struct{})}
	q := New(Config{Commit: f.commit})
	defer q.Close()
	done := make(chan []error)
	go func() { done <- submitAll(q, sessions(50, -1)) }()
	time.Sleep(100 * time.Millisecond)
	close(f.hold)
	for _, err := range <-done {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := q.Stats()
	if st.Appends != 50 || st.Events != 50 || st.Batches > 3 || st.Failed != 0 {
		t.Errorf("stats %+v; want 50 appends in at most 3 batches (sizes %v)", st, f.sizes)
	}
}

// MaxBatch 1 is one commit per request.
func TestMaxBatchOne(t *testing.T) {
	f := &fake{}
	q := New(Config{Commit: f.commit, MaxBatch: 1, Committers: 3})
	defer q.Close()
	submitAll(q, sessions(20, -1))
	for _, n := range f.sizes {
		if n != 1 {
			t.Fatalf("batch sizes %v with MaxBatch 1", f.sizes)
		}
	}
}

// A batch that fails before COMMIT is retried request by request: only
// the culprit fails, with the wrapped error.
func TestFailedBatchRetriedOneByOne(t *testing.T) {
	f := &fake{hold: make(chan struct{})}
	q := New(Config{Commit: f.commit, Wrap: func(r *Request, err error) error { return fmt.Errorf("write to %s: %w", r.Session, err) }})
	defer q.Close()
	done := make(chan []error)
	go func() { done <- submitAll(q, sessions(30, 7)) }()
	time.Sleep(100 * time.Millisecond)
	close(f.hold)
	for i, err := range <-done {
		switch {
		case i == 7 && (err == nil || err.Error() != "write to poison: poisoned"):
			t.Errorf("the poisoned request: %v", err)
		case i != 7 && err != nil:
			t.Errorf("request %d failed with the poisoned one: %v", i, err)
		}
	}
	if len(f.stored) != 29 {
		t.Errorf("%d stored, want 29", len(f.stored))
	}
	if q.Stats().Failed == 0 {
		t.Error("no failed batch counted")
	}
}

// A failed COMMIT fails the whole batch and is not retried: whether it was
// stored is unknown, and a retry could store it twice.
func TestFailedCommitNotRetried(t *testing.T) {
	f := &fake{hold: make(chan struct{}), commitFails: true}
	q := New(Config{Commit: f.commit})
	defer q.Close()
	done := make(chan []error)
	go func() { done <- submitAll(q, sessions(30, 7)) }()
	time.Sleep(100 * time.Millisecond)
	close(f.hold)
	failed := 0
	for _, err := range <-done {
		if errors.Is(err, ErrCommit) {
			failed++
		}
	}
	if failed == 0 || failed+len(f.stored) != 30 {
		t.Errorf("%d failed at COMMIT, %d stored; want every request answered once", failed, len(f.stored))
	}
	for _, s := range f.stored {
		if s == "poison" {
			t.Error("the poisoned request was stored")
		}
	}
	// Each request went into exactly one commit attempt.
	total := 0
	for _, n := range f.sizes {
		total += n
	}
	if total != 30 {
		t.Errorf("%d requests in commit attempts, want 30 (no retries): sizes %v", total, f.sizes)
	}
}

// A request's own failure leaves the rest of its batch alone.
func TestOwnError(t *testing.T) {
	f := &fake{}
	q := New(Config{Commit: f.commit})
	defer q.Close()
	err := q.Submit(context.Background(), &Request{Session: "a", Next: -1})
	if parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("own error: %v", err)
	}
	if st := q.Stats(); st.Appends != 0 || st.Failed != 0 {
		t.Errorf("stats %+v after a request's own error", st)
	}
}

// A full queue makes Submit wait; its context ends the wait, and then
// nothing is stored. Close commits what is queued; Submit after Close
// fails.
func TestContextAndClose(t *testing.T) {
	f := &fake{hold: make(chan struct{})}
	q := New(Config{Commit: f.commit, Queue: 1, MaxBatch: 1})
	go func() { _ = q.Submit(context.Background(), &Request{Session: "first"}) }() // held in commit
	time.Sleep(50 * time.Millisecond)
	go func() { _ = q.Submit(context.Background(), &Request{Session: "second"}) }() // fills the queue
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.Submit(ctx, &Request{Session: "third"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("submit to a full queue: %v", err)
	}
	close(f.hold)
	q.Close()
	if len(f.stored) != 2 || f.stored[0] != "first" || f.stored[1] != "second" {
		t.Errorf("stored %v; Close should commit what was queued, and nothing else", f.stored)
	}
	if err := q.Submit(context.Background(), &Request{Session: "late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("submit after Close: %v", err)
	}
}
