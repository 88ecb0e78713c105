// Package storetest is the storage contract as a test suite: what every
// implementation of parley.SessionStore and parley.EventStore must do.
// Each store's tests run it against a real database:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Opener {
//			path := filepath.Join(t.TempDir(), "parley.db")
//			return func() (storetest.Store, error) { return open(path) }
//		})
//	}
//
// The suite checks the error codes each method's documentation names, that
// payloads and definitions come back byte for byte, that concurrent
// appenders make one gap-free chain that audit.Verify accepts with every
// acknowledged event in it exactly once, and that everything survives
// Close and a reopen.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// Store is what the suite tests: both halves of the contract, and Close.
type Store interface {
	parley.SessionStore
	parley.EventStore
	Close() error
}

// Opener opens the database under test. Each call opens the same database
// anew; the suite closes one Store before it opens the next.
type Opener func() (Store, error)

// Run runs the contract suite. newDB makes a new, empty database for one
// subtest and returns its Opener; it should clean up with t.Cleanup.
func Run(t *testing.T, newDB func(t *testing.T) Opener) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"CreateSession", testCreateSession},
		{"FindSessions", testFindSessions},
		{"FindSeat", testFindSeat},
		{"Append", testAppend},
		{"AppendErrors", testAppendErrors},
		{"FindEvents", testFindEvents},
		{"FindEventsOf", testFindEventsOf},
		{"Payloads", testPayloads},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Durable", testDurable},
		{"Context", testContext},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newDB(t))
		})
	}
}

// MustOpen opens a store and closes it when the test ends.
func MustOpen(t testing.TB, open Opener) Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// NewSession creates a session with n seats and returns it with the
// seats' tokens.
func NewSession(t testing.TB, s parley.SessionStore, n int) (*parley.SessionRecord, []string) {
	t.Helper()
	rec := &parley.SessionRecord{Definition: []byte(`{"scenario":"storetest","seats":` + fmt.Sprint(n) + `}`)}
	var tokens []string
	for i := range n {
		tok, h := parley.NewToken()
		tokens = append(tokens, tok)
		seat := []parley.Seat{parley.MediatorSeat(), parley.PartySeat(i), parley.ObserverSeat()}[i%3]
		rec.Seats = append(rec.Seats, parley.SeatRecord{Seat: i, Role: seat.String(), Name: fmt.Sprintf("seat %d", i), TokenHash: h})
	}
	if err := s.CreateSession(context.Background(), rec); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return rec, tokens
}

// Events returns n events whose payloads name tag and their index.
func Events(tag string, n int) []parley.EventRecord {
	out := make([]parley.EventRecord, n)
	for i := range out {
		aud := []parley.Audience{parley.ToEveryone(), parley.ToCaucus(1), parley.ToSeat(parley.PartySeat(0))}[i%3]
		out[i] = parley.EventRecord{Type: "action", Audience: aud.String(), Payload: fmt.Appendf(nil, `{"tag":%q,"i":%d}`, tag, i)}
	}
	return out
}

// All reads every event of session, page by page.
func All(t testing.TB, s parley.EventStore, session string) []parley.EventRecord {
	t.Helper()
	var all []parley.EventRecord
	for {
		page, err := s.FindEvents(context.Background(), session, int64(len(all)), 0)
		if err != nil {
			t.Fatalf("find events of %s from %d: %v", session, len(all), err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
	}
}

// Verify checks session's whole chain against its stored definition and
// head, and returns its events.
func Verify(t testing.TB, s Store, session string) []parley.EventRecord {
	t.Helper()
	ctx := context.Background()
	rec, err := s.FindSession(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.ChainHead(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	all := All(t, s, session)
	if res := audit.Verify(session, audit.Genesis(session, rec.Definition), all, &head); !res.Holds() {
		t.Fatalf("session %s: %v", session, res.Err())
	}
	return all
}

func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if parley.ErrorCode(err) != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, parley.ErrorCode(err), code)
	}
}

func testCreateSession(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	rec, _ := NewSession(t, s, 3)
	if rec.ID == "" || rec.Created.IsZero() {
		t.Fatalf("CreateSession did not fill in ID and Created: %+v", rec)
	}
	got, err := s.FindSession(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != rec.ID || !bytes.Equal(got.Definition, rec.Definition) || !got.Created.Equal(rec.Created) || len(got.Seats) != 3 {
		t.Fatalf("found %+v, created %+v", got, rec)
	}
	for i, st := range got.Seats {
		if st != rec.Seats[i] || st.Session != rec.ID {
			t.Errorf("seat %d: found %+v, created %+v", i, st, rec.Seats[i])
		}
	}
	head, err := s.ChainHead(ctx, rec.ID)
	if err != nil || head != (parley.ChainHead{Session: rec.ID, Hash: audit.Genesis(rec.ID, rec.Definition)}) {
		t.Errorf("head of a new session: %v, %v; want 0 events at the genesis", head, err)
	}
	// A caller-chosen ID is kept.
	mine := &parley.SessionRecord{ID: "chosen-id", Definition: []byte(` { "x" : 1 } `)}
	if err := s.CreateSession(ctx, mine); err != nil || mine.ID != "chosen-id" {
		t.Fatalf("create with an ID: %v, %q", err, mine.ID)
	}
	if got, err := s.FindSession(ctx, "chosen-id"); err != nil || string(got.Definition) != ` { "x" : 1 } ` || len(got.Seats) != 0 {
		t.Errorf("definition not kept byte for byte: %q, %v", got.Definition, err)
	}
	again := &parley.SessionRecord{ID: "chosen-id", Definition: []byte("{}")}
	wantCode(t, "duplicate ID", s.CreateSession(ctx, again), parley.ECONFLICT)
	_, h := parley.NewToken()
	stolen := &parley.SessionRecord{Definition: []byte("{}"), Seats: []parley.SeatRecord{{Role: "party", TokenHash: rec.Seats[1].TokenHash}}}
	wantCode(t, "token hash of another session's seat", s.CreateSession(ctx, stolen), parley.ECONFLICT)
	for name, bad := range map[string]*parley.SessionRecord{
		"definition not JSON": {Definition: []byte("{")},
		"seat without role":   {Definition: []byte("{}"), Seats: []parley.SeatRecord{{TokenHash: h}}},
		"ID with a space":     {ID: "a b", Definition: []byte("{}")},
	} {
		wantCode(t, name, s.CreateSession(ctx, bad), parley.EINVALID)
	}
	// A failed create leaves nothing behind.
	if _, err := s.FindSession(ctx, stolen.ID); stolen.ID != "" && err == nil {
		t.Error("a refused session was stored")
	}
	_, err = s.FindSession(ctx, "no-such-session")
	wantCode(t, "unknown session", err, parley.ENOTFOUND)
}

func testFindSessions(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	want := map[string]bool{}
	for range 7 {
		rec, _ := NewSession(t, s, 1)
		want[rec.ID] = true
	}
	var got []string
	after := ""
	for {
		page, err := s.FindSessions(ctx, parley.SessionFilter{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 3 {
			t.Fatalf("page of %d sessions, limit 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if !want[r.ID] || len(r.Seats) != 1 {
				t.Errorf("listed %+v", r)
			}
			if r.ID <= after {
				t.Errorf("session %q listed after %q: not in ID order", r.ID, after)
			}
			after = r.ID
			got = append(got, r.ID)
		}
	}
	if len(got) != len(want) {
		t.Errorf("listed %d sessions, created %d", len(got), len(want))
	}
	_, err := s.FindSessions(ctx, parley.SessionFilter{Limit: -1})
	wantCode(t, "negative limit", err, parley.EINVALID)
	_, err = s.FindSessions(ctx, parley.SessionFilter{Limit: parley.MaxFindSessions + 1})
	wantCode(t, "limit too large", err, parley.EINVALID)
}

func testFindSeat(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	a, tokA := NewSession(t, s, 3)
	b, tokB := NewSession(t, s, 2)
	for i, tok := range tokA {
		st, err := s.FindSeat(ctx, a.ID, parley.HashToken(tok))
		if err != nil || st.Seat != i || st.Session != a.ID || st.Role != a.Seats[i].Role || !parley.TokenMatches(tok, st.TokenHash) {
			t.Errorf("seat %d of A: %+v, %v", i, st, err)
		}
	}
	_, err := s.FindSeat(ctx, b.ID, parley.HashToken(tokA[0]))
	wantCode(t, "token of A in session B", err, parley.ENOTFOUND)
	_, err = s.FindSeat(ctx, a.ID, parley.HashToken(tokB[1]))
	wantCode(t, "token of B in session A", err, parley.ENOTFOUND)
	forged, _ := parley.NewToken()
	_, err = s.FindSeat(ctx, a.ID, parley.HashToken(forged))
	wantCode(t, "forged token", err, parley.ENOTFOUND)
	_, err = s.FindSeat(ctx, a.ID, parley.Hash{})
	wantCode(t, "zero hash", err, parley.ENOTFOUND)
	_, err = s.FindSeat(ctx, "no-such-session", parley.HashToken(tokA[0]))
	wantCode(t, "unknown session", err, parley.ENOTFOUND)
}

func testAppend(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	rec, _ := NewSession(t, s, 1)
	first, err := s.AppendEvents(ctx, rec.ID, 0, Events("a", 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 {
		t.Fatalf("append returned %d records, want 3", len(first))
	}
	for i, e := range first {
		if e.Session != rec.ID || e.Seq != int64(i) || e.Hash.IsZero() {
			t.Errorf("record %d: %+v", i, e)
		}
	}
	more, err := s.AppendEvents(ctx, rec.ID, 3, Events("b", 2))
	if err != nil {
		t.Fatal(err)
	}
	if more[0].Seq != 3 || more[0].Prev != first[2].Hash {
		t.Errorf("second append does not continue the chain: %+v", more[0])
	}
	head, err := s.ChainHead(ctx, rec.ID)
	if err != nil || head.Events != 5 || head.Hash != more[1].Hash {
		t.Errorf("head %v, %v; want 5 events at %s", head, err, more[1].Hash)
	}
	all := Verify(t, s, rec.ID)
	for i, e := range append(first, more...) {
		if all[i].Hash != e.Hash || all[i].Type != e.Type || all[i].Audience != e.Audience || !bytes.Equal(all[i].Payload, e.Payload) {
			t.Errorf("stored event %d differs from the one returned", i)
		}
	}
	// Sessions have chains of their own.
	other, _ := NewSession(t, s, 1)
	if o, err := s.AppendEvents(ctx, other.ID, 0, Events("o", 1)); err != nil || o[0].Seq != 0 || o[0].Prev != audit.Genesis(other.ID, other.Definition) {
		t.Errorf("other session: %+v, %v", o, err)
	}
}

func testAppendErrors(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	rec, _ := NewSession(t, s, 1)
	if _, err := s.AppendEvents(ctx, rec.ID, 0, Events("a", 2)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		session string
		next    int64
		events  []parley.EventRecord
		code    string
	}{
		{"Stale", rec.ID, 1, Events("x", 1), parley.ECONFLICT},
		{"Again", rec.ID, 0, Events("x", 1), parley.ECONFLICT},
		{"Gap", rec.ID, 3, Events("x", 1), parley.ECONFLICT},
		{"UnknownSession", "no-such-session", 0, Events("x", 1), parley.ENOTFOUND},
		{"Negative", rec.ID, -1, Events("x", 1), parley.EINVALID},
		{"NoEvents", rec.ID, 2, nil, parley.EINVALID},
		{"NoType", rec.ID, 2, []parley.EventRecord{{Payload: []byte("{}")}}, parley.EINVALID},
		{"NotJSON", rec.ID, 2, []parley.EventRecord{{Type: "a", Payload: []byte("{x}")}}, parley.EINVALID},
		{"OneBadOfMany", rec.ID, 2, append(Events("x", 2), parley.EventRecord{Type: "a"}), parley.EINVALID},
		{"TooMany", rec.ID, 2, Events("x", parley.MaxAppendEvents+1), parley.EINVALID},
	} {
		_, err := s.AppendEvents(ctx, tc.session, tc.next, tc.events)
		wantCode(t, tc.name, err, tc.code)
	}
	// Nothing of the refused appends was stored.
	if all := Verify(t, s, rec.ID); len(all) != 2 {
		t.Errorf("%d events after refused appends, want 2", len(all))
	}
}

func testFindEvents(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	rec, _ := NewSession(t, s, 1)
	const n = 2500
	for next := 0; next < n; next += parley.MaxAppendEvents {
		if _, err := s.AppendEvents(ctx, rec.ID, int64(next), Events("p", min(parley.MaxAppendEvents, n-next))); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.FindEvents(ctx, rec.ID, 0, 0)
	if err != nil || len(page) != parley.DefaultFindLimit {
		t.Fatalf("default page: %d events, %v", len(page), err)
	}
	page, err = s.FindEvents(ctx, rec.ID, 1234, 3)
	if err != nil || len(page) != 3 || page[0].Seq != 1234 || page[2].Seq != 1236 {
		t.Fatalf("from 1234, 3: %v, %v", seqs(page), err)
	}
	page, err = s.FindEvents(ctx, rec.ID, n-2, 10)
	if err != nil || len(page) != 2 {
		t.Fatalf("the last two: %v, %v", seqs(page), err)
	}
	for _, from := range []int64{n, n + 100} {
		if page, err := s.FindEvents(ctx, rec.ID, from, 10); err != nil || len(page) != 0 {
			t.Errorf("past the end (%d): %v, %v", from, seqs(page), err)
		}
	}
	if all := Verify(t, s, rec.ID); len(all) != n {
		t.Errorf("%d events, want %d", len(all), n)
	}
	empty, _ := NewSession(t, s, 1)
	if page, err := s.FindEvents(ctx, empty.ID, 0, 0); err != nil || len(page) != 0 {
		t.Errorf("session without events: %v, %v", seqs(page), err)
	}
	_, err = s.FindEvents(ctx, "no-such-session", 0, 0)
	wantCode(t, "unknown session", err, parley.ENOTFOUND)
	_, err = s.FindEvents(ctx, rec.ID, -1, 0)
	wantCode(t, "negative seq", err, parley.EINVALID)
	_, err = s.FindEvents(ctx, rec.ID, 0, parley.MaxFindEvents+1)
	wantCode(t, "limit too large", err, parley.EINVALID)
	_, err = s.ChainHead(ctx, "no-such-session")
	wantCode(t, "head of unknown session", err, parley.ENOTFOUND)
}

// testFindEventsOf reads several sessions' events at once: each from its
// cursor, in the cursors' order, cut at the limit, exactly as FindEvents
// has them.
func testFindEventsOf(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	sizes := []int{5, 0, 7, parley.DefaultFindLimit + 30}
	var recs []*parley.SessionRecord
	var all [][]parley.EventRecord
	for i, n := range sizes {
		rec, _ := NewSession(t, s, 1)
		for next := 0; next < n; next += parley.MaxAppendEvents {
			if _, err := s.AppendEvents(ctx, rec.ID, int64(next), Events(fmt.Sprint("of", i), min(parley.MaxAppendEvents, n-next))); err != nil {
				t.Fatal(err)
			}
		}
		recs = append(recs, rec)
		all = append(all, All(t, s, rec.ID))
	}
	a, b, c, d := recs[0].ID, recs[1].ID, recs[2].ID, recs[3].ID
	// want is the events of session i from seq from on, as FindEvents has them.
	want := func(i int, from int64) []parley.EventRecord { return all[i][min(from, int64(len(all[i]))):] }
	check := func(what string, got, want []parley.EventRecord) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d events %v, want %d", what, len(got), seqs(got), len(want))
			return
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Session != w.Session || g.Seq != w.Seq || g.Type != w.Type || g.Audience != w.Audience ||
				!bytes.Equal(g.Payload, w.Payload) || g.Prev != w.Prev || g.Hash != w.Hash {
				t.Errorf("%s: event %d is %s/%d, want %s/%d as FindEvents has it", what, i, g.Session, g.Seq, w.Session, w.Seq)
				return
			}
		}
	}
	cursors := []parley.EventCursor{{Session: c, From: 2}, {Session: "no-such-session"}, {Session: a}, {Session: b}, {Session: a + "x", From: 3}}
	got, err := s.FindEventsOf(ctx, cursors, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("c from 2, a missing session, a, b (none)", got, append(want(2, 2), want(0, 0)...))
	got, err = s.FindEventsOf(ctx, cursors, 7)
	if err != nil {
		t.Fatal(err)
	}
	check("the same, cut at 7", got, append(want(2, 2), want(0, 0)[:2]...))
	got, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: a, From: 3}, {Session: c, From: 6}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("a from 3, then c from 6 (the cursors' order, whatever the IDs')", got, append(want(0, 3), want(2, 6)...))
	got, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: a, From: 5}, {Session: c, From: 6}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("a past its end, the last of c", got, want(2, 6))
	got, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: d, From: 10}, {Session: a, From: 4}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("the default limit", got, want(3, 10)[:parley.DefaultFindLimit])
	got, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: d, From: 10}, {Session: a, From: 4}}, parley.MaxFindEvents)
	if err != nil {
		t.Fatal(err)
	}
	check("d from 10 and a from 4", got, append(want(3, 10), want(0, 4)...))
	if got, err := s.FindEventsOf(ctx, nil, 0); err != nil || len(got) != 0 {
		t.Errorf("no cursors: %v, %v", seqs(got), err)
	}
	_, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: a, From: -1}}, 0)
	wantCode(t, "negative seq", err, parley.EINVALID)
	_, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: a}, {Session: c}, {Session: a, From: 3}}, 0)
	wantCode(t, "a session twice", err, parley.EINVALID)
	_, err = s.FindEventsOf(ctx, []parley.EventCursor{{Session: a}}, parley.MaxFindEvents+1)
	wantCode(t, "limit too large", err, parley.EINVALID)
	many := make([]parley.EventCursor, parley.MaxEventCursors+1)
	for i := range many {
		many[i].Session = fmt.Sprint("s", i)
	}
	_, err = s.FindEventsOf(ctx, many, 0)
	wantCode(t, "too many cursors", err, parley.EINVALID)
}

func seqs(evs []parley.EventRecord) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func testPayloads(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	rec, _ := NewSession(t, s, 1)
	big := `"` + strings.Repeat("x", parley.MaxEventPayload-2) + `"`
	odd := []parley.EventRecord{
		{Type: "action", Audience: "everyone", Payload: []byte(` { "b" : 1 ,"a" :2 } `)},
		{Type: "caucus", Audience: "caucus:ß", Payload: []byte(`"é\u00e9\n<&>"`)},
		{Type: "x", Audience: "", Payload: []byte(`[1e400, 1.0, -0, 12345678901234567890]`)},
		{Type: "big", Audience: "party:0", Payload: []byte(big)},
	}
	if _, err := s.AppendEvents(ctx, rec.ID, 0, odd); err != nil {
		t.Fatal(err)
	}
	all := Verify(t, s, rec.ID)
	for i, e := range odd {
		if !bytes.Equal(all[i].Payload, e.Payload) || all[i].Audience != e.Audience || all[i].Type != e.Type {
			t.Errorf("event %d not kept byte for byte: %.60q", i, all[i].Payload)
		}
	}
	_, err := s.AppendEvents(ctx, rec.ID, 4, []parley.EventRecord{{Type: "big", Payload: []byte(big + " ")}})
	wantCode(t, "payload over the limit", err, parley.EINVALID)
}

// testConcurrentWriters has writers race on one session (each retrying on
// ECONFLICT from the head, as a server would after reloading) and others
// append to sessions of their own. Every acknowledged event must be in the
// one chain exactly once, without gaps.
func testConcurrentWriters(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	ctx := context.Background()
	shared, _ := NewSession(t, s, 1)
	const writers, each = 8, 25
	own := make([]*parley.SessionRecord, writers)
	for w := range own {
		own[w], _ = NewSession(t, s, 1)
	}
	var mu sync.Mutex
	acked := map[string]int64{} // payload -> seq
	var conflicts int
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				ev := []parley.EventRecord{{Type: "action", Audience: "everyone", Payload: fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i)}}
				for {
					head, err := s.ChainHead(ctx, shared.ID)
					if err != nil {
						errs <- err
						return
					}
					out, err := s.AppendEvents(ctx, shared.ID, head.Events, ev)
					if parley.ErrorCode(err) == parley.ECONFLICT {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					acked[string(out[0].Payload)] = out[0].Seq
					mu.Unlock()
					break
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.AppendEvents(ctx, own[w].ID, int64(i), Events(fmt.Sprint(w), 1)); err != nil {
					errs <- fmt.Errorf("own session of writer %d, event %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := Verify(t, s, shared.ID)
	if len(all) != writers*each || len(acked) != writers*each {
		t.Fatalf("%d events stored, %d acknowledged; want %d", len(all), len(acked), writers*each)
	}
	seen := map[string]bool{}
	for _, e := range all {
		p := string(e.Payload)
		if seen[p] {
			t.Errorf("event %s stored twice", p)
		}
		seen[p] = true
		if seq, ok := acked[p]; !ok || seq != e.Seq {
			t.Errorf("event %s at seq %d was acknowledged at %d (%v)", p, e.Seq, seq, ok)
		}
	}
	for w := range own {
		if n := len(Verify(t, s, own[w].ID)); n != each {
			t.Errorf("own session %d: %d events, want %d", w, n, each)
		}
	}
	t.Logf("%d conflicts retried", conflicts)
}

func testDurable(t *testing.T, open Opener) {
	ctx := context.Background()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	rec, tokens := NewSession(t, s, 2)
	if _, err := s.AppendEvents(ctx, rec.ID, 0, Events("before", 5)); err != nil {
		t.Fatal(err)
	}
	head, err := s.ChainHead(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.AppendEvents(ctx, rec.ID, 5, Events("closed", 1)); err == nil {
		t.Error("append after Close succeeded")
	}
	s = MustOpen(t, open)
	if h, err := s.ChainHead(ctx, rec.ID); err != nil || h != head {
		t.Fatalf("head after reopen: %v, %v; want %v", h, err, head)
	}
	if st, err := s.FindSeat(ctx, rec.ID, parley.HashToken(tokens[1])); err != nil || st.Seat != 1 {
		t.Errorf("seat after reopen: %+v, %v", st, err)
	}
	if _, err := s.AppendEvents(ctx, rec.ID, 5, Events("after", 2)); err != nil {
		t.Fatal(err)
	}
	if all := Verify(t, s, rec.ID); len(all) != 7 {
		t.Errorf("%d events after reopen, want 7", len(all))
	}
}

func testContext(t *testing.T, open Opener) {
	s := MustOpen(t, open)
	rec, _ := NewSession(t, s, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.AppendEvents(ctx, rec.ID, 0, Events("x", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("append with a done context: %v, want context.Canceled", err)
	}
	if h, err := s.ChainHead(context.Background(), rec.ID); err != nil || h.Events != 0 {
		t.Errorf("an append with a done context was stored: %v, %v", h, err)
	}
}
