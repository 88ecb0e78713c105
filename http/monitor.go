package http

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/incidentcsv"
	"github.com/parleyhq/parley/live"
)

// MaxIncidentBody bounds an incident file uploaded in one request.
const MaxIncidentBody = 8 << 20

// monitorRoutes adds the monitoring API of an agreed session
// (docs/monitor.md, "The live server").
func (s *Server) monitorRoutes(mux *http.ServeMux) {
	const p = "/api/sessions/{id}/monitor"
	mux.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) {
		sess, c, ok := s.caller(w, r)
		if !ok {
			return
		}
		v, err := sess.Monitor(r.Context(), c)
		if err != nil {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("POST "+p+"/guarantors", s.handleGuarantor)
	mux.HandleFunc("GET "+p+"/incidents", s.handleIncidents)
	mux.HandleFunc("POST "+p+"/incidents", s.handleImport)
	mux.HandleFunc("POST "+p+"/steps", s.handleStep)
	mux.HandleFunc("POST "+p+"/allegations", s.handleStep)
	mux.HandleFunc("POST "+p+"/cases/{case}/{step}", s.handleStep)
	mux.HandleFunc("POST "+p+"/obligations/{commitment}/{step}", s.handleStep)
	mux.HandleFunc("POST "+p+"/tick", s.handleStep)
	mux.HandleFunc("GET "+p+"/status", s.handleMonitorStatus)
	mux.HandleFunc("GET "+p+"/report", s.handleMonitorReport)
	mux.HandleFunc("GET "+p+"/report.html", s.handleMonitorPage)
	mux.HandleFunc("POST "+p+"/simulate", s.handleSimulate)
}

// caller authenticates a request to the monitoring API: a seat's token,
// or a guarantor's (live.Session.AuthorizeMonitor).
func (s *Server) caller(w http.ResponseWriter, r *http.Request) (*live.Session, live.Caller, bool) {
	sess, tok, ok := s.tokenSession(w, r, "a seat or guarantor token")
	if !ok {
		return nil, live.Caller{}, false
	}
	c, err := sess.AuthorizeMonitor(r.Context(), tok)
	if err != nil {
		s.error(w, r, err)
		return nil, live.Caller{}, false
	}
	return sess, c, true
}

// handleGuarantor answers POST .../monitor/guarantors {"guarantor": NAME}:
// a token for a guarantor of the agreement that has no seat at the table,
// shown once (201).
func (s *Server) handleGuarantor(w http.ResponseWriter, r *http.Request) {
	sess, c, ok := s.caller(w, r)
	if !ok {
		return
	}
	var b struct {
		Guarantor string `json:"guarantor"`
	}
	if err := decodeJSON(w, r, &b, MaxActionBody); err != nil {
		s.error(w, r, err)
		return
	}
	res, err := sess.IssueGuarantor(r.Context(), c, b.Guarantor)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, res)
}

// handleIncidents answers GET .../monitor/incidents?from=N&limit=N.
func (s *Server) handleIncidents(w http.ResponseWriter, r *http.Request) {
	sess, _, ok := s.caller(w, r)
	if !ok {
		return
	}
	from, err := intParam(r, "from")
	if err != nil {
		s.error(w, r, err)
		return
	}
	limit, err := intParam(r, "limit")
	if err != nil {
		s.error(w, r, err)
		return
	}
	list, total, err := sess.Incidents(r.Context(), from, limit)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "from": from, "incidents": list})
}

func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, parley.Errorf(parley.EINVALID, "%s: want a whole number from 0", name)
	}
	return n, nil
}

// importErrorResponse is the body of an import refused for bad rows: the
// error's code and message, and what the import found.
type importErrorResponse struct {
	ErrorResponse
	Import *live.ImportResult `json:"import"`
}

// handleImport answers POST .../monitor/incidents: an ACLED or UCDP GED
// CSV export as the body; ?format=auto|acled|ucdp, ?skip_bad=true,
// ?reporter=NAME, ?file=NAME (for row errors).
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.caller(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f, err := incidentcsv.ParseFormat(q.Get("format"))
	if q.Get("format") == "" {
		f, err = incidentcsv.Auto, nil
	}
	if err != nil {
		s.error(w, r, parley.Errorf(parley.EINVALID, "format: %s", parley.ErrorMessage(err)))
		return
	}
	opt := live.ImportOptions{Format: f, File: q.Get("file"), ReportedBy: q.Get("reporter")}
	if opt.File == "" {
		opt.File = "upload.csv"
	}
	if len(opt.File) > live.MaxMonitorID || len(opt.ReportedBy) > live.MaxMonitorID {
		s.error(w, r, parley.Errorf(parley.EINVALID, "file and reporter: at most %d bytes", live.MaxMonitorID))
		return
	}
	switch q.Get("skip_bad") {
	case "", "false":
	case "true":
		opt.SkipBad = true
	default:
		s.error(w, r, parley.Errorf(parley.EINVALID, "skip_bad: true or false"))
		return
	}
	// Read the body whole first: a file over the limit is refused before
	// anything is parsed, and the session's lock is not held while a
	// client trickles it in.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxIncidentBody))
	if err != nil {
		s.error(w, r, jsonError(err, MaxIncidentBody))
		return
	}
	res, err := sess.ImportIncidents(r.Context(), seat, bytes.NewReader(body), opt)
	var ie *live.ImportError
	if errors.As(err, &ie) {
		writeJSON(w, http.StatusBadRequest, importErrorResponse{ErrorResponse{Code: parley.EINVALID, Error: clientMessage(ie.Err)}, ie.Result})
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// stepBody is a step as a request gives it: kind is required on
// .../steps, and given by the path elsewhere.
type stepBody struct {
	live.Step
	Kind *parley.CaseEventKind `json:"kind,omitempty"`
}

// pathSteps are the steps the case and obligation routes take.
var pathSteps = map[string]map[string]parley.CaseEventKind{
	"case":       {"open": parley.CaseOpen, "evidence": parley.CaseEvidence, "find": parley.CaseFind, "rule": parley.CaseRule, "dissent": parley.CaseDissent, "apply": parley.CaseApply},
	"commitment": {"report": parley.CaseReport, "confirm": parley.CaseConfirm, "contest": parley.CaseContest, "apply": parley.CaseApply},
}

// handleStep answers the step routes: POST .../monitor/steps (the kind in
// the body), .../allegations, .../cases/{case}/{step},
// .../obligations/{commitment}/{step} and .../tick.
func (s *Server) handleStep(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.caller(w, r)
	if !ok {
		return
	}
	var b stepBody
	if err := decodeJSON(w, r, &b, MaxActionBody); err != nil {
		s.error(w, r, err)
		return
	}
	st, err := stepOf(r, &b)
	if err != nil {
		s.error(w, r, err)
		return
	}
	res, err := sess.Step(r.Context(), seat, st)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// stepOf completes a step from its route.
func stepOf(r *http.Request, b *stepBody) (*live.Step, error) {
	st := &b.Step
	var kind parley.CaseEventKind
	switch {
	case r.PathValue("case") != "" || r.PathValue("commitment") != "":
		field, id := "case", r.PathValue("case")
		if id == "" {
			field, id = "commitment", r.PathValue("commitment")
		}
		k, ok := pathSteps[field][r.PathValue("step")]
		if !ok {
			return nil, parley.Errorf(parley.ENOTFOUND, "no step %q of a %s; steps: %s", clipPath(r.PathValue("step")), field, stepNames(field))
		}
		kind = k
		given := &st.Case
		if field == "commitment" {
			given = &st.Commitment
		}
		if *given != "" && *given != id {
			return nil, parley.Errorf(parley.EINVALID, "%s: the body says %q, the path %q", field, clipPath(*given), clipPath(id))
		}
		*given = id
	case strings.HasSuffix(r.Pattern, "/allegations"):
		kind = parley.CaseAllege
	case strings.HasSuffix(r.Pattern, "/tick"):
		kind = parley.CaseTick
	default: // .../steps
		if b.Kind == nil {
			return nil, parley.Errorf(parley.EINVALID, "kind: required (allege, open, evidence, find, rule, dissent, apply, report, confirm, contest or tick)")
		}
		kind = *b.Kind
	}
	if b.Kind != nil && *b.Kind != kind {
		return nil, parley.Errorf(parley.EINVALID, "kind: the body says %s, the path %s", *b.Kind, kind)
	}
	st.Kind = kind
	return st, nil
}

func stepNames(field string) string {
	out := ""
	for _, k := range []string{"open", "evidence", "find", "rule", "dissent", "report", "confirm", "contest", "apply"} {
		if _, ok := pathSteps[field][k]; ok {
			if out != "" {
				out += ", "
			}
			out += k
		}
	}
	return out
}

// MonitorStatus is the short status of GET .../monitor/status: the
// commitments' standing and the cases.
type MonitorStatus struct {
	Session     string               `json:"session"`
	Signed      string               `json:"signed"`
	AsOf        string               `json:"as_of"`
	AsOfDay     int                  `json:"as_of_day"`
	Counts      map[string]int       `json:"counts"`
	Commitments []CommitmentStanding `json:"commitments"`
	Cases       []compliance.CaseRow `json:"cases"`
}

// CommitmentStanding is one commitment's status and why.
type CommitmentStanding struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Status compliance.Status `json:"status"`
	Why    string            `json:"why"`
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) (*live.Session, *compliance.Report, bool) {
	sess, seat, ok := s.caller(w, r)
	if !ok {
		return nil, nil, false
	}
	rep, err := sess.Report(r.Context(), seat, r.URL.Query().Get("as_of"))
	if err != nil {
		s.error(w, r, err)
		return nil, nil, false
	}
	w.Header().Set("Cache-Control", "no-store")
	return sess, rep, true
}

// handleMonitorStatus answers GET .../monitor/status?as_of=YYYY-MM-DD.
func (s *Server) handleMonitorStatus(w http.ResponseWriter, r *http.Request) {
	sess, rep, ok := s.report(w, r)
	if !ok {
		return
	}
	st := MonitorStatus{Session: sess.ID(), Signed: rep.Signed, AsOf: rep.AsOf, AsOfDay: rep.AsOfDay, Counts: rep.Counts,
		Commitments: []CommitmentStanding{}, Cases: rep.Cases}
	for _, c := range rep.Commitments {
		st.Commitments = append(st.Commitments, CommitmentStanding{ID: c.ID, Kind: c.Kind, Status: c.Status, Why: c.Why})
	}
	writeJSON(w, http.StatusOK, st)
}

// handleMonitorReport answers GET .../monitor/report?as_of=YYYY-MM-DD:
// the compliance report as the seat may read it.
func (s *Server) handleMonitorReport(w http.ResponseWriter, r *http.Request) {
	if _, rep, ok := s.report(w, r); ok {
		writeJSON(w, http.StatusOK, rep)
	}
}

// handleMonitorPage answers GET .../monitor/report.html: the agreement's
// monitoring page, self-contained (it loads nothing; the policy forbids
// it to), as the seat may read it. A browser passes the token as ?token=.
func (s *Server) handleMonitorPage(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.caller(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := sess.ReportHTML(r.Context(), seat, r.URL.Query().Get("as_of"), &buf); err != nil {
		s.error(w, r, err)
		return
	}
	writeDocument(w, buf.Bytes(), docCSP, "")
}

// handleSimulate answers POST .../monitor/simulate: the Monte Carlo of the
// agreement's first days under each mechanism asked for, bounded in runs
// and time.
func (s *Server) handleSimulate(w http.ResponseWriter, r *http.Request) {
	sess, seat, ok := s.caller(w, r)
	if !ok {
		return
	}
	var req live.SimulateRequest
	if err := decodeJSON(w, r, &req, MaxActionBody); err != nil {
		s.error(w, r, err)
		return
	}
	res, err := sess.Simulate(r.Context(), seat, &req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": res})
}
