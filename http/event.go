package http

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// handleEvents streams a seat's events as Server-Sent Events (GET
// /api/sessions/{id}/events): each event the seat may see, as it is
// stored, as
//
//	id: SEQ
//	event: TYPE
//	data: {...the event...}
//
// A client that reconnects with Last-Event-ID (or ?after=SEQ) gets what it
// missed after that seq first, then the live events; without either it
// gets every event from the start. A client that falls behind is dropped
// (the stream ends) and resumes the same way.
//
// Whose move it is comes as a "turn" event (live.Turn) without an id: once
// the stored events are through, then after each stored batch that moves
// the turn on — including batches the seat may not see (the other party's
// answer to the text), which is why a page needs no polling.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.seat(w, r)
	if !ok {
		return
	}
	after, err := lastSeen(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	sub, turn, err := sess.SubscribeTurns(r.Context(), seat.Seat)
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &stream{rc: http.NewResponseController(w), w: w, timeout: s.writeTimeout()}
	st.comment("parley events of session " + sess.ID() + " for " + seat.Name)
	if err := sub.Backfill(r.Context(), after, func(rec parley.EventRecord) error { return st.event(rec) }); err != nil {
		if parley.ErrorCode(err) == parley.EINTERNAL {
			s.log().Error("http: event stream backfill", "session", sess.ID(), "err", err)
		}
		return
	}
	if turn.Type != "" && st.turn(turn) != nil {
		return
	}
	if st.flush() != nil {
		return
	}
	keep := time.NewTicker(s.keepAlive())
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keep.C:
			st.comment("keep-alive")
		case <-sub.Ready():
			recs, open := sub.Take()
			for _, rec := range recs {
				var err error
				switch {
				case live.IsTurn(rec):
					err = st.turn(rec)
				case rec.Seq > after:
					err = st.event(rec)
				}
				if err != nil {
					return
				}
			}
			if !open {
				_ = st.flush()
				return // dropped, or shutting down: the client resumes
			}
		}
		if st.flush() != nil {
			return
		}
	}
}

// lastSeen reads the last seq a client has: Last-Event-ID, else ?after=;
// −1 when it has none.
func lastSeen(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	name := "Last-Event-ID"
	if v == "" {
		v, name = r.URL.Query().Get("after"), "after"
	}
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < -1 {
		return 0, parley.Errorf(parley.EINVALID, "%s: want the seq of the last event seen (a whole number >= -1)", name)
	}
	return n, nil
}

// stream writes Server-Sent Events, each write bounded by a deadline so
// that a client that stops reading is let go. It writes to the response
// as it is (net/http buffers it) and flushes after each lot of events: a
// buffer of its own would be 4 KB more held by every idle stream.
type stream struct {
	rc      *http.ResponseController
	w       io.Writer
	timeout time.Duration
	err     error
}

func (st *stream) event(rec parley.EventRecord) error {
	st.deadline()
	st.write("id: " + strconv.FormatInt(rec.Seq, 10) + "\nevent: " + rec.Type + "\ndata: ")
	if st.err == nil {
		_, st.err = st.w.Write(rec.Payload) // canonical JSON: one line
	}
	st.write("\n\n")
	return st.err
}

// turn writes a turn event: derived, not stored, so without an id (a
// client's Last-Event-ID stays the seq of the last stored event).
func (st *stream) turn(rec parley.EventRecord) error {
	st.deadline()
	st.write("event: " + rec.Type + "\ndata: ")
	if st.err == nil {
		_, st.err = st.w.Write(rec.Payload)
	}
	st.write("\n\n")
	return st.err
}

func (st *stream) comment(text string) {
	st.deadline()
	st.write(": " + text + "\n\n")
}

// deadline bounds the writes that follow (those the buffer passes on).
func (st *stream) deadline() {
	if st.err == nil {
		_ = st.rc.SetWriteDeadline(time.Now().Add(st.timeout))
	}
}

func (st *stream) write(s string) {
	if st.err == nil {
		_, st.err = io.WriteString(st.w, s)
	}
}

func (st *stream) flush() error {
	st.deadline()
	if st.err == nil {
		st.err = st.rc.Flush()
	}
	return st.err
}

func (s *Server) keepAlive() time.Duration {
	if s.KeepAlive <= 0 {
		return 15 * time.Second
	}
	return s.KeepAlive
}

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout <= 0 {
		return 30 * time.Second
	}
	return s.WriteTimeout
}
