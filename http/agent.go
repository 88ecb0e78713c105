package http

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/live"
)

// handleAgent connects a remote agent to its seat: GET
// /api/sessions/{id}/agent with the seat's token, upgraded to a
// WebSocket on which the agent speaks parley.agent/1
// (docs/agent-protocol.md), one message per text message. Before the
// upgrade a request is refused with the usual JSON errors: 401 without a
// token of the session, 403 for a seat not created "remote", 409 while
// another connection holds the seat, 400 for a request that is not a
// WebSocket handshake.
func (s *Server) handleAgent(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.seat(w, r)
	if !ok {
		return
	}
	conn, settings, err := sess.Connect(r.Context(), seat.Seat)
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer conn.Close()
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		s.error(w, r, parley.Errorf(parley.EINVALID, "this endpoint is a WebSocket: connect with a WebSocket client (Upgrade: websocket) and speak parley.agent/1"))
		return
	}
	// Counted before the hijack, while Shutdown still waits for this
	// handler, so that its wait for the agents cannot miss this one.
	s.agents.Add(1)
	defer s.agents.Done()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the failed handshake
	}
	ws.SetReadLimit(agentwire.DefaultMaxLine)
	a := &agentLink{s: s, ws: ws, conn: conn, session: sess.ID(), seat: seat.Name}
	a.serve(r.Context(), settings)
}

// agentLink is one remote agent's WebSocket, driven by one goroutine
// (serve) with a reader and a pinger beside it.
type agentLink struct {
	s       *Server
	ws      *websocket.Conn
	conn    *live.AgentConn
	session string
	seat    string
}

// agentMsg is a message the agent wrote, or the error that ended reading.
type agentMsg struct {
	data []byte
	err  error
}

// serve sends the settings, then what the session hands the agent as it
// changes, and takes its replies, until the conversation ends: finished
// was sent, the agent is at fault or went away, or the server shuts down
// (ctx).
func (a *agentLink) serve(ctx context.Context, settings []byte) {
	// ctx ends at shutdown; the connection's own work runs on a context
	// that ends when serve returns: a read, ping or write whose context
	// ends drops the connection at once, which would beat the close frame
	// that tells the agent why.
	done := ctx.Done()
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	in := make(chan agentMsg)
	go a.read(ctx, in)
	go a.ping(ctx)
	if a.send(ctx, settings) != nil {
		return
	}
	var (
		turn  int64
		timer = time.NewTimer(time.Hour)
	)
	timer.Stop()
	defer timer.Stop()
	for {
		step, changed, err := a.conn.Poll(ctx)
		if err != nil {
			a.close(err)
			return
		}
		if a.send(ctx, step.Msgs...) != nil {
			return // gone: the seat waits for the next connection
		}
		if step.Finished {
			_ = a.ws.Close(websocket.StatusNormalClosure, "finished")
			return
		}
		if step.Turn != 0 {
			turn = step.Turn
			timer.Reset(step.Wait)
		}
		select {
		case <-changed:
		case m := <-in:
			if m.err != nil {
				if errors.Is(m.err, websocket.ErrMessageTooBig) {
					a.close(a.conn.Fail(ctx, errors.New("wrote a message longer than 1048576 bytes")))
				}
				return // gone: the seat waits for the next connection
			}
			if err := a.conn.Reply(ctx, m.data); err != nil {
				a.close(err)
				return
			}
		case <-timer.C:
			if err := a.conn.Expire(ctx, turn); err != nil {
				a.close(err)
				return
			}
		case <-done:
			a.close(live.ErrClosed)
			return
		}
	}
}

// read hands every message the agent writes to serve, until reading
// fails (the agent went away, or broke the framing).
func (a *agentLink) read(ctx context.Context, in chan<- agentMsg) {
	for {
		_, data, err := a.ws.Read(ctx)
		select {
		case in <- agentMsg{data: data, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// ping checks, every KeepAlive, that the agent is still there: a
// connection that does not answer within WriteTimeout is closed, and the
// seat is free for the agent to connect again.
func (a *agentLink) ping(ctx context.Context) {
	t := time.NewTicker(a.s.keepAlive())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, a.s.writeTimeout())
			err := a.ws.Ping(pctx)
			cancel()
			if err != nil {
				_ = a.ws.CloseNow()
				return
			}
		}
	}
}

// send writes msgs, each one text message, each within WriteTimeout.
func (a *agentLink) send(ctx context.Context, msgs ...[]byte) error {
	for _, m := range msgs {
		wctx, cancel := context.WithTimeout(ctx, a.s.writeTimeout())
		err := a.ws.Write(wctx, websocket.MessageText, m)
		cancel()
		if err != nil {
			_ = a.ws.CloseNow()
			return err
		}
	}
	return nil
}

// close ends the conversation on err: the agent's fault is told as a
// policy violation with the fault (the session's "why"), a shutdown as
// going away, anything else as an internal error the client does not
// read.
func (a *agentLink) close(err error) {
	var fault *live.AgentFault
	switch {
	case err == nil:
		_ = a.ws.Close(websocket.StatusNormalClosure, "")
	case errors.As(err, &fault):
		_ = a.ws.Close(websocket.StatusPolicyViolation, closeReason(fault.Why))
	case errors.Is(err, live.ErrClosed):
		_ = a.ws.Close(websocket.StatusGoingAway, "The server is shutting down; connect again shortly.")
	default:
		a.s.log().Error("http: remote agent", "session", a.session, "seat", a.seat, "err", err)
		_ = a.ws.Close(websocket.StatusInternalError, "Internal error.")
	}
}

// closeReason fits a reason into a close frame (at most 123 bytes).
func closeReason(why string) string {
	const n = 120
	if len(why) <= n {
		return why
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(why[cut]) {
		cut--
	}
	return why[:cut] + "..."
}
