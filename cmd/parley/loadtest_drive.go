package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
)

// loadResult is what the clients saw.
type loadResult struct {
	// latency of each acknowledged action: from its scheduled time in the
	// open loop, from its sending in the closed loop; service from its
	// sending in both; create of each session created during the run.
	latency, service, create []time.Duration
	// second is, for each latency, the second of the run (from its
	// start) the action was due in (sent in, in the closed loop).
	second []int32
	// turnWait is, with --turn stream, how long each client waited after
	// an answer for its stream to deliver the answer's events.
	turnWait []time.Duration
	// sendLag is, in the open loop, how late the generator sent the
	// actions it was idle for when they fell due: its own lateness.
	sendLag []time.Duration
	// moves and caucus count the acknowledged actions; failed those
	// refused or unanswered; scheduled and unsent, in the open loop, the
	// actions due before the end and those still unsent when the drain
	// ran out.
	moves, caucus, failed, scheduled, unsent int
	// created counts the sessions created during the run, setupFailed
	// the sessions that could not be created or read again, resyncs the
	// views read again after a surprise.
	created, setupFailed, resyncs int
	ends                          map[parley.EndState]int
	firstErr                      string
	elapsed                       time.Duration
}

func (r *loadResult) fail(err error) {
	r.failed++
	if r.firstErr == "" {
		r.firstErr = err.Error()
	}
}

func (r *loadResult) setupFail(err error) {
	r.setupFailed++
	if r.firstErr == "" {
		r.firstErr = err.Error()
	}
}

func (r *loadResult) add(o *loadResult) {
	r.latency = append(r.latency, o.latency...)
	r.second = append(r.second, o.second...)
	r.service = append(r.service, o.service...)
	r.create = append(r.create, o.create...)
	r.turnWait = append(r.turnWait, o.turnWait...)
	r.sendLag = append(r.sendLag, o.sendLag...)
	r.moves += o.moves
	r.caucus += o.caucus
	r.failed += o.failed
	r.scheduled += o.scheduled
	r.unsent += o.unsent
	r.created += o.created
	r.setupFailed += o.setupFailed
	r.resyncs += o.resyncs
	for k, v := range o.ends {
		r.ends[k] += v
	}
	if r.firstErr == "" {
		r.firstErr = o.firstErr
	}
}

// pace is when a client sends: in the closed loop as soon as its last
// action is answered, until end; in the open loop at times drawn in
// advance (gap after gap from start), those due before end, with the
// ones left when drain passes never sent.
type pace struct {
	open       bool
	next       time.Time
	gap        func() time.Duration
	end, drain time.Time
}

// due returns when the next action is due, and false when the client is
// done.
func (p *pace) due() (time.Time, bool) {
	if !p.open {
		now := time.Now()
		return now, now.Before(p.end)
	}
	d := p.next
	p.next = d.Add(p.gap())
	return d, d.Before(p.end)
}

// drive has one client per live session act until d has passed (and, in
// the open loop, the actions due by then are sent or the drain of
// another d, at least 10 s, has passed): each plays its seat, or posts a
// caucus message for a share mix of its actions, and replaces its
// session by a new one when it ends.
func (l *load) drive(ctx context.Context, sessions []*loadSession, d time.Duration, rate float64, poisson bool, mix float64) *loadResult {
	res := &loadResult{ends: map[parley.EndState]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	perSlot := rate / float64(len(sessions))
	for i, s := range sessions {
		p := &pace{open: rate > 0, end: start.Add(d), drain: start.Add(d + max(d, 10*time.Second))}
		rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
		if p.open {
			mean := time.Duration(float64(time.Second) / perSlot)
			p.gap = func() time.Duration { return mean }
			p.next = start.Add(time.Duration(float64(mean) * float64(i) / float64(len(sessions))))
			if poisson {
				p.gap = func() time.Duration { return time.Duration(rng.ExpFloat64() * float64(mean)) }
				p.next = start.Add(p.gap())
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &loadResult{ends: map[parley.EndState]int{}}
			l.client1(ctx, i, s, p, start, rng, mix, r)
			mu.Lock()
			res.add(r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// client1 is the client of one slot: a session, then the one replacing
// it when it ends, and so on.
func (l *load) client1(ctx context.Context, slot int, s *loadSession, p *pace, start time.Time, rng *rand.Rand, mix float64, r *loadResult) {
	hc := h1Client{}
	defer hc.close()
	free := false // in the open loop: the client was idle when the action fell due
	for k := 0; ; k++ {
		due, ok := p.due()
		if !ok {
			return
		}
		if p.open {
			r.scheduled++
			if time.Now().After(p.drain) {
				r.unsent++
				continue
			}
			free = !time.Now().After(due)
			time.Sleep(time.Until(due))
		}
		if s == nil || s.play.resync {
			if s = l.ready(ctx, hc.do, slot, s, r); s == nil {
				r.failed++ // no session to act in
				continue
			}
		}
		body := []byte(nil)
		if rng.Float64() < mix {
			body = fmt.Appendf(nil, `{"kind":"caucus","message":"load %d/%d"}`, slot, k)
		} else {
			body = l.strategy.move(&s.play)
		}
		t0 := time.Now()
		if free {
			r.sendLag = append(r.sendLag, t0.Sub(due))
		}
		kind, last, err := l.act(ctx, hc.do, s, body)
		now := time.Now()
		if err == nil && l.turnStream {
			if err = s.awaitStream(ctx, last, kind == protocol.EvCaucus); err == nil {
				r.turnWait = append(r.turnWait, time.Since(now))
			}
		}
		if err != nil {
			r.fail(fmt.Errorf("session %s: %w", s.id, err))
			s.play.resync = true
			continue
		}
		if kind == protocol.EvCaucus {
			r.caucus++
		} else {
			r.moves++
		}
		r.service = append(r.service, now.Sub(t0))
		if !p.open {
			due = t0
		}
		r.latency = append(r.latency, now.Sub(due))
		r.second = append(r.second, int32(due.Sub(start)/time.Second))
		if s.play.ended() {
			r.ends[s.play.end]++
			s = l.ready(ctx, hc.do, slot, nil, r) // at once: not in the next action's time
		}
	}
}

// ready returns a session for the slot to act in: s itself, read again
// from its view after a surprise, or a new one when s has ended. nil (and
// a failure counted) when it cannot.
func (l *load) ready(ctx context.Context, do doFunc, slot int, s *loadSession, r *loadResult) *loadSession {
	if s != nil && !s.play.ended() {
		r.resyncs++
		if err := l.view(ctx, do, s); err != nil {
			r.setupFail(err)
			return nil
		}
		if !s.play.ended() {
			return s
		}
	}
	t0 := time.Now()
	n, err := l.createOne(ctx, do, slot, true)
	if err == nil {
		err = l.view(ctx, do, n)
	}
	if err == nil {
		err = l.openStream(ctx, n)
	}
	if err != nil {
		r.setupFail(err)
		return nil
	}
	r.create = append(r.create, time.Since(t0))
	r.created++
	return n
}

// view reads s's client seat's view and sets where s stands from it; the
// first view also sets the clients' strategy (every session of a run is
// the same scenario from the same seat).
func (l *load) view(ctx context.Context, do doFunc, s *loadSession) error {
	b, status, err := do(ctx, "GET", s.post+"/api/sessions/"+s.id+"?events=false&brief=false", s.token, nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%d %s", status, b)
	}
	var v live.View
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		return fmt.Errorf("loadtest: the view of session %s: %w", s.id, err)
	}
	l.stOnce.Do(func() { l.strategy, l.stErr = newStrategy(v.Own) })
	if l.stErr != nil {
		return fmt.Errorf("loadtest: session %s: %w", s.id, l.stErr)
	}
	s.play.fromView(&v)
	if !s.play.ended() && v.Turn == nil && l.mix < 1 {
		return fmt.Errorf("loadtest: session %s: it is not the client seat's move but %s's, and only the client seat is played through the API (give every other seat a built-in agent with --seats)", s.id, seatName(v.Move))
	}
	return nil
}

func seatName(s *live.SeatInfo) string {
	if s == nil {
		return "nobody"
	}
	return s.Name
}

// act posts an action of s's client seat and follows the events of the
// answer: it records each as acknowledged (to find on the event stream
// and in the store) and moves s's play on. It returns the type of the
// action's own event.
func (l *load) act(ctx context.Context, do doFunc, s *loadSession, body []byte) (protocol.EventType, int64, error) {
	b, status, err := do(ctx, "POST", s.post+"/api/sessions/"+s.id+"/actions", s.token, body)
	if err != nil {
		s.mu.Lock()
		s.unknown++ // no answer: it may be stored, or not
		s.mu.Unlock()
		return "", 0, err
	}
	if status != http.StatusOK {
		return "", 0, fmt.Errorf("refused: %d %s", status, b) // a refused action changes nothing
	}
	var out struct {
		Events []answerEvent `json:"events"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", 0, fmt.Errorf("the answer: %w", err)
	}
	if len(out.Events) == 0 {
		return "", 0, errors.New("the answer holds no event")
	}
	now := time.Now()
	s.mu.Lock()
	s.posted++
	for i := range out.Events {
		ev := &out.Events[i]
		s.ack(ackedEvent{seq: int64(ev.Seq), typ: ev.Type, actor: ev.Actor, at: now})
		s.play.step(ev)
		if ev.Type == protocol.EvEnd {
			s.endSeq = int64(ev.Seq)
		}
	}
	if s.endSeq >= 0 && s.lastSeq >= s.endSeq && s.stopStream != nil {
		s.stopStream()
	}
	s.mu.Unlock()
	return out.Events[0].Type, int64(out.Events[len(out.Events)-1].Seq), nil
}

// secondly returns the p99 latency of the actions due in each second of
// the run, in order (seconds without any left out).
func (r *loadResult) secondly() []time.Duration {
	by := map[int32][]time.Duration{}
	for i, l := range r.latency {
		by[r.second[i]] = append(by[r.second[i]], l)
	}
	var out []time.Duration
	for _, sec := range slices.Sorted(maps.Keys(by)) {
		ds := by[sec]
		slices.Sort(ds)
		out = append(out, ds[min(len(ds)-1, (len(ds)*99+99)/100-1)])
	}
	return out
}
