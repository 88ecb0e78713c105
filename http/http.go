// Package http serves parley's live sessions over HTTP: the JSON API,
// the event streams (Server-Sent Events) and the remote agents' WebSocket,
// on the session manager of package live. It owns the translation of
// error codes to HTTP statuses (codes, below) and shows clients only an
// error's code and message, never internal text.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// Limits of what one request may carry.
const (
	// MaxCreateBody bounds the body of POST /api/sessions (a scenario
	// with its Genius or GeniusWeb documents inline).
	MaxCreateBody = 16 << 20
	// MaxActionBody bounds the body of an action (a caucus message is at
	// most 64 KiB).
	MaxActionBody = 256 << 10
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
)

// Server is parley's HTTP server on a live.Manager.
type Server struct {
	// Addr is the address to listen on (default "127.0.0.1:8080").
	Addr string
	// Manager holds the live sessions. Required.
	Manager *live.Manager
	// Log receives internal errors (clients only see "Internal error.").
	Log *slog.Logger
	// KeepAlive is how often an idle event stream gets a comment line, so
	// that proxies keep it open, and a remote agent's WebSocket a ping
	// (default 15 s).
	KeepAlive time.Duration
	// WriteTimeout bounds each write to an event stream or a remote
	// agent's WebSocket, and the wait for a ping's answer: a client that
	// stops reading is let go (default 30 s).
	WriteTimeout time.Duration

	more []route // routes added by Handle

	ln      net.Listener
	srv     *http.Server
	streams context.Context // cancelled at shutdown: ends event streams
	stop    context.CancelFunc
	agents  sync.WaitGroup // remote agents' WebSockets (hijacked: Shutdown does not wait for them)
}

// NewServer returns a server on m with the defaults.
func NewServer(m *live.Manager) *Server {
	return &Server{Addr: "127.0.0.1:8080", Manager: m, Log: slog.Default(), KeepAlive: 15 * time.Second, WriteTimeout: 30 * time.Second}
}

// route is a route added with Handle.
type route struct {
	pattern string
	h       http.Handler
}

// Handle adds a route (an http.ServeMux pattern, "GET /metrics") beside
// the API's, with the same middleware: pages, monitoring. Call it before
// Open or Handler.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.more = append(s.more, route{pattern, h})
}

// Handler returns the API's routes, and those added with Handle, with
// their middleware. The API's routes are the contract of docs/server.md.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.more {
		mux.Handle(r.pattern, r.h)
	}
	mux.HandleFunc("POST /api/sessions", s.handleCreate)
	mux.HandleFunc("GET /api/sessions/{id}", s.seatJSON(view))
	mux.HandleFunc("POST /api/sessions/{id}/actions", s.handleAction)
	mux.HandleFunc("GET /api/sessions/{id}/events", s.handleEvents)
	mux.HandleFunc("GET /api/sessions/{id}/transcript", s.handleTranscript)
	mux.HandleFunc("GET /api/sessions/{id}/head", s.seatJSON(head))
	mux.HandleFunc("GET /api/sessions/{id}/agent", s.handleAgent)
	mux.HandleFunc("GET /api/scenarios", s.handleScenarios)
	mux.HandleFunc("POST /api/scenarios/preview", s.handlePreview)
	mux.HandleFunc("GET /api/agents", s.handleAgents)
	mux.HandleFunc("GET /api/sessions/{id}/analysis", s.seatJSON(analysis))
	mux.HandleFunc("GET /api/sessions/{id}/debrief", s.seatJSON(debrief))
	mux.HandleFunc("GET /api/sessions/{id}/report", s.handleReport)
	s.pages(mux)
	s.monitorRoutes(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, parley.Errorf(parley.ENOTFOUND, "no such endpoint: %s %s", r.Method, clipPath(r.URL.Path)))
	})
	return s.recoverer(mux)
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	if s.Manager == nil {
		return errors.New("http: server without a session manager")
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.streams, s.stop = context.WithCancel(context.Background())
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return s.streams },
		ErrorLog:          slog.NewLogLogger(s.log().Handler(), slog.LevelWarn),
	}
	// Event streams never go idle: end them when shutdown starts, so that
	// Shutdown does not wait for them.
	s.srv.RegisterOnShutdown(s.stop)
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log().Error("http: serve", "err", err)
		}
	}()
	return nil
}

// URL returns the base URL the server listens on ("http://127.0.0.1:PORT").
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Shutdown stops accepting requests, ends the event streams and waits for
// the requests in flight (an action being stored is answered) until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	done := make(chan struct{})
	go func() {
		s.agents.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	return err
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// recoverer turns a panic in a handler into a logged internal error.
func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log().Error("http: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				s.error(w, r, errors.New("panic"))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// codes maps error codes to HTTP statuses: the one place they are
// translated.
var codes = map[string]int{
	parley.EINVALID:      http.StatusBadRequest,
	parley.EUNAUTHORIZED: http.StatusUnauthorized,
	parley.EFORBIDDEN:    http.StatusForbidden,
	parley.ENOTFOUND:     http.StatusNotFound,
	parley.ECONFLICT:     http.StatusConflict,
	parley.ELIMIT:        http.StatusRequestEntityTooLarge,
	parley.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorResponse is the body of every error: a code (parley's error codes)
// and a message for people.
type ErrorResponse struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// error writes err as JSON with its status; internal errors are logged
// and shown as "Internal error.".
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := parley.ErrorCode(err)
	status, ok := codes[code]
	if !ok {
		status, code = http.StatusInternalServerError, parley.EINTERNAL
	}
	msg := clientMessage(err)
	if errors.Is(err, live.ErrClosed) {
		status, code, msg = http.StatusServiceUnavailable, "unavailable", "The server is shutting down; try again shortly."
	} else if code == parley.EINTERNAL {
		s.log().Error("http: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	}
	writeJSON(w, status, ErrorResponse{Code: code, Error: msg})
}

// clientMessage is what a client reads of err: "Internal error." for
// internal errors; otherwise the message, without the text of a cause
// that is not itself a parley error (a sentinel, a driver's error).
func clientMessage(err error) string {
	if parley.ErrorCode(err) == parley.EINTERNAL {
		return "Internal error."
	}
	var pe parley.PosErrors
	if errors.As(err, &pe) {
		var lines []string
		for _, p := range pe {
			lines = append(lines, clientMessage(p))
		}
		return strings.Join(lines, "\n")
	}
	msg := err.Error()
	var deepest *parley.Error
	for e := err; e != nil; e = errors.Unwrap(e) {
		if pe, ok := e.(*parley.Error); ok {
			deepest = pe
		}
	}
	if deepest != nil && deepest.Err != nil {
		msg = strings.TrimSuffix(msg, ": "+deepest.Err.Error())
	}
	return msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	jsonHeaders(w, status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away: nothing to tell it
}

// writeRawJSON is writeJSON of a value already encoded (b, with its
// newline).
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	jsonHeaders(w, status)
	_, _ = w.Write(b) // the client went away: nothing to tell it
}

func jsonHeaders(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
}

func clipPath(p string) string {
	if len(p) > 100 {
		return p[:100] + "..."
	}
	return p
}
