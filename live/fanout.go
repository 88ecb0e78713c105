package live

import (
	"context"
	"sync"

	"github.com/parleyhq/parley"
)

// Visible reports whether seat may see a stored event: its audience, read
// back from the store, includes the seat (parley.Audiences.Includes: a
// monitoring event may be seen by a union of audiences). An audience that
// does not parse is seen by nobody.
func Visible(r parley.EventRecord, seat parley.Seat) bool {
	a, err := parley.ParseAudiences(r.Audience)
	return err == nil && a.Includes(seat)
}

// Subscription is one seat's stream of a session's events as they are
// stored: the events whose audience includes the seat, from seq From on,
// taken with Take whenever Ready says there are some. A subscriber that
// falls Buffer events behind is dropped — its stream ends — rather than
// hold up the session or other subscribers (the shape of wtf's inmem
// event service); it resumes by subscribing again and reading what it
// missed with Backfill. An idle subscription holds no buffer: events wait
// in a queue that exists only while they do.
type Subscription struct {
	s    *Session
	seat parley.Seat
	from int64
	max  int           // Buffer
	done bool          // removed from the session; under the session's lock
	wake chan struct{} // holds a token while there is something to Take
	// turns: the stream carries the turn events too (SubscribeTurns).
	turns bool

	mu    sync.Mutex
	queue []parley.EventRecord
	ended bool // no more events after those queued
	lots  int  // hand-overs (offer) so far, each a wake of the reader
}

// Subscribe starts a stream of the events seat may see, from the next
// event to be stored on.
func (s *Session) Subscribe(ctx context.Context, seat parley.Seat) (*Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	return s.subscribe(seat), nil
}

// subscribe adds a subscriber from the head on; the lock is held and the
// session loaded.
func (s *Session) subscribe(seat parley.Seat) *Subscription {
	n := s.m.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	sub := &Subscription{s: s, seat: seat, from: s.head.Events, max: n, wake: make(chan struct{}, 1)}
	if s.subs == nil {
		s.subs = map[*Subscription]struct{}{}
	}
	s.subs[sub] = struct{}{}
	return sub
}

// Ready receives when there are events to Take, or the stream has ended.
func (sub *Subscription) Ready() <-chan struct{} { return sub.wake }

// Take returns the events queued since the last Take, in order, and
// whether more may come: open is false once the subscriber was dropped
// or the server shuts down (what was queued before is still returned).
func (sub *Subscription) Take() (recs []parley.EventRecord, open bool) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	recs, sub.queue = sub.queue, nil
	return recs, !sub.ended
}

// From is the seq of the first event the subscription can carry.
func (sub *Subscription) From() int64 { return sub.from }

// Backfill calls fn, in order, for the stored events after seq after and
// before From that the seat may see: what a client that last saw after
// missed. after −1 means from the start.
func (sub *Subscription) Backfill(ctx context.Context, after int64, fn func(parley.EventRecord) error) error {
	return sub.s.records(ctx, max(after+1, 0), sub.from, func(r parley.EventRecord) error {
		if !Visible(r, sub.seat) {
			return nil
		}
		return fn(r)
	})
}

// Close ends the subscription.
func (sub *Subscription) Close() {
	sub.s.mu.Lock()
	defer sub.s.mu.Unlock()
	sub.drop()
}

// drop removes the subscriber and ends its stream; the session's lock is
// held.
func (sub *Subscription) drop() {
	if sub.done {
		return
	}
	sub.done = true
	delete(sub.s.subs, sub)
	sub.mu.Lock()
	sub.ended = true
	sub.mu.Unlock()
	sub.poke()
}

// poke tells the reader there is something to Take.
func (sub *Subscription) poke() {
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// offer queues events for the subscriber; it reports false, queuing
// nothing, when they would put it more than max events behind.
func (sub *Subscription) offer(recs []parley.EventRecord) bool {
	sub.mu.Lock()
	ok := len(sub.queue)+len(recs) <= sub.max
	if ok {
		sub.queue = append(sub.queue, recs...)
		sub.lots++
	}
	sub.mu.Unlock()
	if ok {
		sub.poke()
	}
	return ok
}

// publish hands stored events to every subscriber that may see them,
// without waiting: a subscriber they would put more than Buffer behind
// is dropped. The session's lock is held.
func (s *Session) publish(recs []parley.EventRecord) { s.publishWith(recs, nil) }

// publishWith is publish with the turn event that follows the events
// (nil: none) handed over with them to the turn subscribers that may see
// it, so that a stream wakes and writes once for both.
func (s *Session) publishWith(recs []parley.EventRecord, turn *turnNews) {
	if len(s.subs) == 0 {
		return
	}
	var buf [8]parley.Audiences
	var okBuf [8]bool
	auds, ok := buf[:0], okBuf[:0]
	for _, r := range recs {
		a, err := parley.ParseAudiences(r.Audience)
		auds, ok = append(auds, a), append(ok, err == nil)
	}
	var seen []parley.EventRecord
	for sub := range s.subs {
		seen = seen[:0]
		for i, r := range recs {
			if ok[i] && auds[i].Includes(sub.seat) {
				seen = append(seen, r)
			}
		}
		if turn != nil && sub.turns && turn.aud.Includes(sub.seat) {
			seen = append(seen, turn.rec)
		}
		if len(seen) > 0 && !sub.offer(seen) {
			sub.drop()
		}
	}
}
