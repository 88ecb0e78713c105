package live

import (
	"context"

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
// on C. A subscriber that falls Buffer events behind is dropped — C is
// closed — rather than hold up the session or other subscribers (the
// shape of wtf's inmem event service); it resumes by subscribing again and
// reading what it missed with Backfill.
type Subscription struct {
	s    *Session
	seat parley.Seat
	from int64
	ch   chan parley.EventRecord
	done bool
	// turns: C carries the turn events too (SubscribeTurns).
	turns bool
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
	sub := &Subscription{s: s, seat: seat, from: s.head.Events, ch: make(chan parley.EventRecord, n)}
	if s.subs == nil {
		s.subs = map[*Subscription]struct{}{}
	}
	s.subs[sub] = struct{}{}
	return sub
}

// C delivers the events; it is closed when the subscriber is dropped or
// the server shuts down.
func (sub *Subscription) C() <-chan parley.EventRecord { return sub.ch }

// From is the seq of the first event C can carry.
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

// drop removes the subscriber and closes its channel; the session's lock
// is held.
func (sub *Subscription) drop() {
	if sub.done {
		return
	}
	sub.done = true
	delete(sub.s.subs, sub)
	close(sub.ch)
}

// publish hands stored events to every subscriber that may see them,
// without waiting: a full subscriber is dropped. The session's lock is
// held.
func (s *Session) publish(recs []parley.EventRecord) {
	if len(s.subs) == 0 {
		return
	}
	auds := make([]parley.Audiences, len(recs))
	ok := make([]bool, len(recs))
	for i, r := range recs {
		a, err := parley.ParseAudiences(r.Audience)
		auds[i], ok[i] = a, err == nil
	}
	for sub := range s.subs {
		for i, r := range recs {
			if !ok[i] || !auds[i].Includes(sub.seat) {
				continue
			}
			select {
			case sub.ch <- r:
				continue
			default:
				sub.drop()
			}
			break
		}
	}
}
