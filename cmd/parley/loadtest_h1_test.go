package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestH1Conn sends requests on the load test's own client to a net/http
// server and checks what it reads back: bodies with a Content-Length and
// chunked ones (a trailer included), several requests on one kept-alive
// connection, a new connection after Connection: close, a GET sent again
// when the server closed an idle connection, a POST not, and an answer
// past maxAnswer refused.
func TestH1Conn(t *testing.T) {
	var conns atomic.Int64
	big := strings.Repeat("x", maxAnswer+1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Length", "")
			_, _ = w.Write([]byte(r.Method + " " + r.Header.Get("Authorization") + " " + string(b)))
		case "/chunked":
			w.Header().Set("Trailer", "X-Done")
			for i := range 3 {
				_, _ = io.WriteString(w, strings.Repeat(string(rune('a'+i)), 3000))
				w.(http.Flusher).Flush()
			}
			w.Header().Set("X-Done", "yes")
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, "bye")
		case "/big":
			_, _ = io.WriteString(w, big)
		case "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	ctx := context.Background()
	hc := h1Client{}
	defer hc.close()
	get := func(method, path, token string, body []byte) (string, int) {
		t.Helper()
		b, status, err := hc.do(ctx, method, srv.URL+path, token, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return string(b), status
	}
	if b, status := get("POST", "/echo", "tok", []byte(`{"a":1}`)); b != `POST Bearer tok {"a":1}` || status != 200 {
		t.Errorf("POST /echo: %d %q", status, b)
	}
	if b, _ := get("GET", "/chunked", "", nil); b != strings.Repeat("a", 3000)+strings.Repeat("b", 3000)+strings.Repeat("c", 3000) {
		t.Errorf("GET /chunked: %d bytes, want 9000 in three runs", len(b))
	}
	if b, status := get("GET", "/missing", "", nil); status != 404 || !strings.Contains(b, "no such thing") {
		t.Errorf("GET /missing: %d %q", status, b)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for three requests, want 1 kept alive", n)
	}
	if b, _ := get("GET", "/close", "", nil); b != "bye" {
		t.Errorf("GET /close: %q", b)
	}
	if b, _ := get("POST", "/echo", "", nil); b != "POST  " {
		t.Errorf("POST /echo after a close: %q", b)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want a second after Connection: close", n)
	}
	// The server lets an idle connection go: a GET goes again on a new
	// one, a POST fails (it may have been acted on).
	srv.CloseClientConnections()
	if b, _ := get("GET", "/echo", "", nil); b != "GET  " {
		t.Errorf("GET after the server closed the connection: %q", b)
	}
	srv.CloseClientConnections()
	if _, _, err := hc.do(ctx, "POST", srv.URL+"/echo", "", nil); err == nil {
		t.Errorf("POST on a connection the server closed: no error")
	}
	if _, _, err := hc.do(ctx, "GET", srv.URL+"/big", "", nil); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("GET /big: %v, want an answer too large", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := hc.do(cctx, "GET", srv.URL+"/echo", "", nil); err == nil {
		t.Errorf("a request after its context ended: no error")
	}
}

// TestH1Stream reads an event stream through h1Stream: the events'
// lines come through the chunks, and a refused stream says why.
func TestH1Stream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			_, _ = io.WriteString(w, "id: "+r.Header.Get("Last-Event-ID")+string(rune('0'+i))+"\n")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "data: {}\n\n")
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	body, err := h1Stream(ctx, srv.URL, "/events", "tok", 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(body)
	body.Close()
	if want := "id: 70\ndata: {}\n\nid: 71\ndata: {}\n\nid: 72\ndata: {}\n\n"; err != nil || string(b) != want {
		t.Errorf("the stream: %q, %v; want %q", b, err, want)
	}
	if _, err := h1Stream(ctx, srv.URL, "/events", "bad", -1); err == nil || !strings.Contains(err.Error(), "401 who are you") {
		t.Errorf("a refused stream: %v", err)
	}
}

// TestAnswerEvent holds that the load test's lean reading of an answer's
// events gets the fields its play and checks use as protocol.Event has
// them.
func TestAnswerEvent(t *testing.T) {
	evs := []protocol.Event{
		{Seq: 3, Round: 2, Type: protocol.EvAction, Actor: 1,
			Action: &parley.Action{Actor: 1, Kind: parley.ActOffer, Outcome: parley.Outcome{2, 0, 1}}},
		{Seq: 4, Round: 2, Type: protocol.EvClause, Actor: parley.MediatorActor,
			Clause: &protocol.ClauseChange{Issue: 1, From: parley.ClauseOpen, To: parley.ClauseProposed, Option: 3}},
		{Seq: 5, Round: 3, Type: protocol.EvEnd, Actor: protocol.NoActor, Result: &protocol.Result{End: parley.Agreement, Rounds: 3}},
		{Seq: 6, Type: protocol.EvCaucus, Actor: 0, Message: "hello"},
	}
	b, err := json.Marshal(map[string]any{"events": evs})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Events []answerEvent `json:"events"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		got := out.Events[i]
		if got.Seq != e.Seq || got.Round != e.Round || got.Type != e.Type || got.Actor != e.Actor {
			t.Errorf("event %d: %+v, want seq %d round %d %s by %d", i, got, e.Seq, e.Round, e.Type, e.Actor)
		}
		if (got.Action != nil) != (e.Action != nil) || e.Action != nil && (got.Action.Kind != e.Action.Kind || !reflect.DeepEqual(got.Action.Outcome, e.Action.Outcome)) {
			t.Errorf("event %d: action %+v, want %+v", i, got.Action, e.Action)
		}
		if (got.Clause != nil) != (e.Clause != nil) || e.Clause != nil && *got.Clause != *e.Clause {
			t.Errorf("event %d: clause %+v, want %+v", i, got.Clause, e.Clause)
		}
		if (got.Result != nil) != (e.Result != nil) || e.Result != nil && got.Result.End != e.Result.End {
			t.Errorf("event %d: result %+v, want %+v", i, got.Result, e.Result)
		}
	}
}

// TestStrategyAnswer holds that the answer a client posts, written by
// hand, is the JSON of an answer action: each clause's answer in order.
func TestStrategyAnswer(t *testing.T) {
	st := &strategy{values: [][]float64{{0, 1}, {0, 1}, {0, 1}, {0, 1}}, lo: []float64{0, 0, 0, 0}, hi: []float64{1, 1, 1, 1}}
	text := []parley.Clause{
		{OnAgenda: true, State: parley.ClauseAgreed, Option: 0},
		{OnAgenda: true, State: parley.ClauseProposed, Option: 1},
		{OnAgenda: true, State: parley.ClauseProposed, Option: 0},
		{OnAgenda: false, State: parley.ClauseProposed, Option: 1},
	}
	var got struct {
		Kind    string   `json:"kind"`
		Answers []string `json:"answers"`
	}
	if err := json.Unmarshal(st.answer(text, 0), &got); err != nil {
		t.Fatal(err)
	}
	if want := []string{"accept", "accept", "reject", "none"}; got.Kind != "answer" || !reflect.DeepEqual(got.Answers, want) {
		t.Errorf("answer: %+v, want kind answer and %v", got, want)
	}
	if err := json.Unmarshal(st.answer(nil, 0), &got); err != nil || len(got.Answers) != 0 {
		t.Errorf("answer to an empty text: %+v, %v", got, err)
	}
}
