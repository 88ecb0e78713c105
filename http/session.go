package http

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// handleCreate starts a session: POST /api/sessions with a JSON
// live.Spec, or with a YAML scenario file as the body (Content-Type
// application/yaml) and the settings as query parameters.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	sp, err := readSpec(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, err := s.Manager.Create(r.Context(), sp)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/sessions/"+c.ID)
	w.Header().Set("Cache-Control", "no-store") // it holds the tokens
	writeJSON(w, http.StatusCreated, c)
}

// readSpec reads a session spec: JSON, or a YAML scenario file with the
// settings as query parameters.
func readSpec(w http.ResponseWriter, r *http.Request) (*live.Spec, error) {
	var sp live.Spec
	var err error
	if isYAML(r.Header.Get("Content-Type")) {
		err = yamlSpec(w, r, &sp)
	} else {
		err = decodeJSON(w, r, &sp, MaxCreateBody)
	}
	return &sp, err
}

func isYAML(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml"
}

// yamlSpec reads a YAML scenario body and the settings from the query:
// variant, protocol, deadline (rounds or a duration), hour, seed, and
// seat=NAME=PLAYER (repeated).
func yamlSpec(w http.ResponseWriter, r *http.Request, sp *live.Spec) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCreateBody))
	if err != nil {
		return jsonError(err, MaxCreateBody)
	}
	sp.YAML = string(b)
	q := r.URL.Query()
	sp.Variant, sp.Protocol = q.Get("variant"), parley.ProtocolName(q.Get("protocol"))
	if v := q.Get("deadline"); v != "" {
		raw := strconv.Quote(v)
		if _, err := strconv.Atoi(v); err == nil {
			raw = v
		}
		if err := sp.Deadline.UnmarshalJSON([]byte(raw)); err != nil {
			return err
		}
	}
	if v := q.Get("hour"); v != "" {
		if err := sp.Hour.UnmarshalJSON([]byte(strconv.Quote(v))); err != nil {
			return err
		}
	}
	if v := q.Get("seed"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return parley.Errorf(parley.EINVALID, "seed: want a whole number from 0 to 2^64-1")
		}
		sp.Seed = &seed
	}
	for _, kv := range q["seat"] {
		name, player, ok := strings.Cut(kv, "=")
		if !ok {
			return parley.Errorf(parley.EINVALID, "seat=%s: want seat=NAME=PLAYER, e.g. seat=Pakistan=boulware", url.QueryEscape(kv))
		}
		if sp.Seats == nil {
			sp.Seats = map[string]string{}
		}
		sp.Seats[name] = player
	}
	return nil
}

// bearer reads the seat token: the Authorization header, or for GET
// requests (a browser's EventSource cannot set headers) the token query
// parameter.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if r.Method == http.MethodGet {
		return r.URL.Query().Get("token")
	}
	return ""
}

// seat authorizes the request: the session of the path and the seat its
// token opens. It writes the error and returns false when there is none.
func (s *Server) seat(w http.ResponseWriter, r *http.Request) (*live.Session, live.SeatInfo, bool) {
	sess, tok, ok := s.tokenSession(w, r, "a seat token")
	if !ok {
		return nil, live.SeatInfo{}, false
	}
	seat, err := sess.Authorize(r.Context(), tok)
	if err != nil {
		s.error(w, r, err)
		return nil, live.SeatInfo{}, false
	}
	return sess, seat, true
}

// tokenSession reads the bearer token (what names it in the error when
// there is none) and the session of the path.
func (s *Server) tokenSession(w http.ResponseWriter, r *http.Request, what string) (*live.Session, string, bool) {
	tok := bearer(r)
	if tok == "" {
		s.error(w, r, parley.Errorf(parley.EUNAUTHORIZED, "%s is required: Authorization: Bearer TOKEN", what))
		return nil, "", false
	}
	sess, err := s.Manager.Session(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil, "", false
	}
	return sess, tok, true
}

// seatJSON answers a GET by a seat of the session with what get returns,
// as JSON that is not to be cached (it changes with every event).
func (s *Server) seatJSON(get func(r *http.Request, sess *live.Session, seat live.SeatInfo) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, seat, ok := s.seat(w, r)
		if !ok {
			return
		}
		v, err := get(r, sess, seat)
		if err != nil {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, v)
	}
}

// view answers GET /api/sessions/{id}: the seat's view. A page that
// follows the event stream refreshes the rest of the view with
// ?events=false&brief=false, which leave out the two parts that only grow
// or never change (they read null).
func view(r *http.Request, sess *live.Session, seat live.SeatInfo) (any, error) {
	q := r.URL.Query()
	events, err := boolParam(q.Get("events"), "events")
	if err != nil {
		return nil, err
	}
	brief, err := boolParam(q.Get("brief"), "brief")
	if err != nil {
		return nil, err
	}
	v, err := sess.View(r.Context(), seat.Seat)
	if err != nil {
		return nil, err
	}
	if !events {
		v.Events = nil
	}
	if !brief {
		v.Brief = nil
	}
	return v, nil
}

// head answers GET /api/sessions/{id}/head: the chain head as stored now.
func head(r *http.Request, sess *live.Session, _ live.SeatInfo) (any, error) {
	return sess.StoredHead(r.Context())
}

// handleAction answers POST /api/sessions/{id}/actions once the action and
// what it caused are stored.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.seat(w, r)
	if !ok {
		return
	}
	var a live.Action
	if err := decodeJSON(w, r, &a, MaxActionBody); err != nil {
		s.error(w, r, err)
		return
	}
	out, err := sess.Act(r.Context(), seat.Seat, &a)
	if err != nil {
		s.error(w, r, err)
		return
	}
	b, err := out.AppendJSON(make([]byte, 0, 2048))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeRawJSON(w, http.StatusOK, append(b, '\n'))
}

// handleTranscript answers GET /api/sessions/{id}/transcript (mediator and
// observer): the parley.transcript/1 file.
func (s *Server) handleTranscript(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.seat(w, r)
	if !ok {
		return
	}
	lw := &lazyHeaders{w: w, set: func(h http.Header) {
		h.Set("Content-Type", "application/jsonl; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+sess.ID()+`.jsonl"`)
		h.Set("Cache-Control", "no-store")
	}}
	if err := sess.Transcript(r.Context(), seat.Seat, lw); err != nil && !lw.started {
		s.error(w, r, err)
	}
}

// lazyHeaders sets a response's headers at its first write, so that an
// error found before anything is written still gets its own.
type lazyHeaders struct {
	w       http.ResponseWriter
	set     func(http.Header)
	started bool
}

func (l *lazyHeaders) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.set(l.w.Header())
	}
	return l.w.Write(b)
}

// boolParam reads an optional true/false query parameter (default true).
func boolParam(v, name string) (bool, error) {
	switch v {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, parley.Errorf(parley.EINVALID, "%s: want true or false, got %q", name, clipPath(v))
}
