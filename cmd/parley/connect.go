package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/agentwire"
)

const connectAbout = `Plays a remote seat of a live session (parley serve) with a program that speaks the agent
protocol on its standard input and output, as exec: agents do (docs/agent-protocol.md): it connects
to the session's agent WebSocket with the seat's token and passes the messages through, one line
each way. It ends when the session does (exit status 0), when the server ends the conversation
because the agent was at fault (the reason is printed; status 1), or when the connection drops
(status 1: run it again to resume the seat). The token is read from --token or PARLEY_TOKEN.`

// ConnectCommand bridges a remote seat's WebSocket to a local program.
type ConnectCommand struct {
	*Main
	Server, Session, Token string
}

// Run connects, starts the program and relays until one side ends.
func (c *ConnectCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley connect", "--session ID [--server URL] [--token TOKEN] COMMAND [ARGS...]", connectAbout)
	fs.StringVar(&c.Server, "server", "http://127.0.0.1:8080", "the server's base `URL`")
	fs.StringVar(&c.Session, "session", "", "the session's `ID` (required)")
	fs.StringVar(&c.Token, "token", "", "the seat's `TOKEN` (default: $PARLEY_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args() // the program's own flags are its own
	switch {
	case c.Session == "":
		return usagef("--session is required: the ID that creating the session answered")
	case len(argv) == 0:
		return usagef("connect needs the agent's COMMAND, e.g. parley connect --session ID python3 examples/python/agent.py")
	}
	if c.Token == "" {
		c.Token = os.Getenv("PARLEY_TOKEN")
	}
	if c.Token == "" {
		return usagef("no token: give --token or set PARLEY_TOKEN to the seat's token")
	}
	u, err := agentURL(c.Server, c.Session)
	if err != nil {
		return usagef("--server %s: %v", c.Server, err)
	}
	if err := agentwire.CheckCommand(argv); err != nil {
		return usagef("%v", err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ws, res, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.Token}}})
	if err != nil {
		return fmt.Errorf("connecting to %s: %s", u, dialWhy(res, err))
	}
	defer ws.CloseNow()
	ws.SetReadLimit(agentwire.DefaultMaxLine)
	tr, err := agentwire.Start(argv, agentwire.CommandOptions{})
	if err != nil {
		return fmt.Errorf("starting %s: %w", strings.Join(argv, " "), err)
	}
	defer tr.Close()
	fmt.Fprintf(c.Stderr, "parley connect: %s plays session %s\n", argv[0], c.Session)
	return relay(ctx, ws, tr, c.Stdout)
}

// agentURL is the WebSocket URL of a session's agent endpoint.
func agentURL(server, session string) (string, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("want an http:// or https:// URL")
	}
	u.Path += "/api/sessions/" + url.PathEscape(session) + "/agent"
	return u.String(), nil
}

// dialWhy words a refused connection: the server's JSON error when it
// gave one.
func dialWhy(res *http.Response, err error) string {
	if res == nil {
		return err.Error()
	}
	var b [1024]byte
	n, _ := res.Body.Read(b[:])
	if n > 0 {
		return fmt.Sprintf("%s: %s", res.Status, strings.TrimSpace(string(b[:n])))
	}
	return res.Status
}

// relay passes the server's messages to the program and its lines to the
// server until the conversation ends, and says how it ended.
func relay(ctx context.Context, ws *websocket.Conn, tr agentwire.Transport, out io.Writer) error {
	fromServer := make(chan error, 1)
	go func() {
		for {
			_, msg, err := ws.Read(ctx)
			if err != nil {
				fromServer <- err
				return
			}
			if err := tr.Send(ctx, msg); err != nil {
				fromServer <- fmt.Errorf("the agent does not read its input: %w", err)
				return
			}
		}
	}()
	fromAgent := make(chan error, 1)
	go func() {
		for {
			line, err := tr.Recv(ctx)
			if err != nil {
				fromAgent <- err
				return
			}
			if err := ws.Write(ctx, websocket.MessageText, line); err != nil {
				fromAgent <- err
				return
			}
		}
	}()
	select {
	case err := <-fromServer:
		return serverEnd(err, out)
	case err := <-fromAgent:
		// An agent exits once it has read finished, which may be before
		// the server's close frame is read: give the server a moment.
		select {
		case serr := <-fromServer:
			if e := serverEnd(serr, out); e == nil {
				return nil
			}
		case <-time.After(2 * time.Second):
		}
		_ = ws.Close(websocket.StatusNormalClosure, "the agent left")
		return fmt.Errorf("the agent stopped: %v; run again to resume the seat", err)
	case <-ctx.Done():
		_ = ws.Close(websocket.StatusNormalClosure, "interrupted")
		return ctx.Err()
	}
}

// serverEnd says how the server ended the conversation: nil when the
// session ended (finished, then a normal close).
func serverEnd(err error, out io.Writer) error {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce) && ce.Code == websocket.StatusNormalClosure:
		fmt.Fprintln(out, "parley connect: the session has ended")
		return nil
	case errors.As(err, &ce):
		return fmt.Errorf("the server ended the conversation (%d): %s", ce.Code, ce.Reason)
	}
	return fmt.Errorf("the connection dropped (%v); run again to resume the seat", err)
}
