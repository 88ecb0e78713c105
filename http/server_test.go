package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	phttp "github.com/parleyhq/parley/http"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/sqlite"
)

// clock is a wall clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// server is a live server on a SQLite database in a temporary directory,
// with an injected clock and no timers (tests call Manager.Tick).
type server struct {
	t     testing.TB
	path  string
	db    *sqlite.DB
	m     *live.Manager
	srv   *phttp.Server
	clock *clock
	url   string
}

type option func(*server)

// start runs a server on the database at path ("" for a new one).
func start(t testing.TB, path string, opts ...option) *server {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "parley.db")
	}
	s := &server{t: t, path: path, clock: &clock{t: time.Date(2025, 10, 25, 9, 0, 0, 0, time.UTC)}}
	s.db = sqlite.NewDB(path)
	if err := s.db.Open(); err != nil {
		t.Fatal(err)
	}
	s.m = live.NewManager(sqlite.NewSessionStore(s.db), sqlite.NewEventStore(s.db))
	s.m.Timers, s.m.Now = false, s.clock.now
	s.m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, o := range opts {
		o(s)
	}
	if err := s.m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.srv = phttp.NewServer(s.m)
	s.srv.Addr, s.srv.Log = "127.0.0.1:0", s.m.Log
	if err := s.srv.Open(); err != nil {
		t.Fatal(err)
	}
	s.url = s.srv.URL()
	t.Cleanup(s.stop)
	return s
}

// stop shuts the server down and closes the database (once).
func (s *server) stop() {
	if s.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	_ = s.m.Close()
	_ = s.db.Close()
	s.srv = nil
}

// response is an HTTP response, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return string(r.body) }

// request sends a request with an optional bearer token and JSON body (a
// string or []byte is sent as is) and returns the response unread.
func (s *server) request(ctx context.Context, method, path, token string, body any) *http.Response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// call sends a request (as request does) and reads the whole response.
func (s *server) call(method, path, token string, body any) response {
	s.t.Helper()
	res := s.request(context.Background(), method, path, token, body)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// create starts a session and returns its answer.
func (s *server) create(spec any) *live.Created {
	s.t.Helper()
	r := s.call("POST", "/api/sessions", "", spec)
	if r.status != http.StatusCreated {
		s.t.Fatalf("create: %d %s", r.status, r)
	}
	var c live.Created
	if err := json.Unmarshal(r.body, &c); err != nil {
		s.t.Fatal(err)
	}
	return &c
}

// act posts an action and fails the test unless it is acknowledged.
func (s *server) act(id, token string, a any) *live.Acted {
	s.t.Helper()
	r := s.call("POST", "/api/sessions/"+id+"/actions", token, a)
	if r.status != http.StatusOK {
		s.t.Fatalf("act %v: %d %s", a, r.status, r)
	}
	var out live.Acted
	if err := json.Unmarshal(r.body, &out); err != nil {
		s.t.Fatal(err)
	}
	return &out
}

// view returns a seat's view.
func (s *server) view(id, token string) *live.View {
	s.t.Helper()
	r := s.call("GET", "/api/sessions/"+id, token, nil)
	if r.status != http.StatusOK {
		s.t.Fatalf("view: %d %s", r.status, r)
	}
	var v live.View
	if err := json.Unmarshal(r.body, &v); err != nil {
		s.t.Fatal(err)
	}
	return &v
}

// tokens maps seat names to tokens.
func tokens(c *live.Created) map[string]string {
	out := map[string]string{}
	for _, s := range c.Seats {
		out[s.Name] = s.Token
	}
	return out
}

// TestHandle: routes added with Handle are served beside the API's, with
// its middleware (a panic is an internal error, not a dropped
// connection), and leave the API's alone.
func TestHandle(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	srv := phttp.NewServer(s.m)
	srv.Log = s.m.Log
	srv.Handle("GET /extra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "extra") }))
	srv.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	h := srv.Handler()
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/extra", 200, "extra"},
		{"/boom", 500, `{"code":"internal","error":"Internal error."}`},
		{"/healthz", 200, "ok"},
		{"/api/sessions/X", 401, `"unauthorized"`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("GET %s: %d %s, want %d %s", tc.path, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}
