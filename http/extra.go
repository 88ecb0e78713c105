package http

import (
	"bytes"
	"net/http"

	"github.com/parleyhq/parley/live"
)

// This file holds the endpoints the pages need besides the session API
// itself: the lobby's catalogue and preview, the mediator's analysis
// panel, and the debrief with its HTML report. Each is authorised as the
// session API is: by the seat a token opens, with what the seat may see
// computed in package live.

// handleScenarios answers GET /api/scenarios: the built-in scenarios.
func (s *Server) handleScenarios(w http.ResponseWriter, r *http.Request) {
	list, err := live.Scenarios()
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// handleAgents answers GET /api/agents: the built-in agents.
func (s *Server) handleAgents(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, live.Agents())
}

// handlePreview answers POST /api/scenarios/preview: the session a spec
// (the body of POST /api/sessions, JSON or YAML) would create, checked
// the same way, with nothing stored.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	sp, err := readSpec(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p, err := s.Manager.Preview(r.Context(), sp)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// analysis answers GET /api/sessions/{id}/analysis: the mediator's
// analysis panel (the mediator only).
func analysis(r *http.Request, sess *live.Session, seat live.SeatInfo) (any, error) {
	return sess.MediatorPanel(r.Context(), seat.Seat)
}

// debrief answers GET /api/sessions/{id}/debrief (mediator and observer,
// after the end).
func debrief(r *http.Request, sess *live.Session, seat live.SeatInfo) (any, error) {
	return sess.Debrief(r.Context(), seat.Seat)
}

// handleReport answers GET /api/sessions/{id}/report (mediator and
// observer, after the end): the self-contained HTML report, as a
// download.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.seat(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := sess.DebriefHTML(r.Context(), seat.Seat, &buf); err != nil {
		s.error(w, r, err)
		return
	}
	// The report is a document of its own: its inline styles are its
	// own, and it runs no script.
	file := ""
	if r.URL.Query().Get("download") != "" {
		file = "parley-" + sess.ID() + ".html"
	}
	writeDocument(w, buf.Bytes(), docCSP+"; sandbox", file)
}

// docCSP is the policy of a self-contained HTML document (a report): its
// own inline styles and data: images, nothing else.
const docCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// writeDocument answers with a self-contained HTML document under the
// policy csp, as a download named file when file is not empty. The token
// may be in the URL: no referrer leaves the page.
func writeDocument(w http.ResponseWriter, b []byte, csp, file string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if file != "" {
		h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client went away: nothing to tell it
}
