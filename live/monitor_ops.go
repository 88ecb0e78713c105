package live

import (
	"cmp"
	"context"
	"errors"
	"io"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/incidentcsv"
	"github.com/parleyhq/parley/mechsim"
	"github.com/parleyhq/parley/report/monitoring"
)

// Limits of the monitoring API: what one request may ask of the server.
const (
	MaxMonitorID    = 128     // bytes of a case, incident or commitment id
	MaxMonitorNote  = 8 << 10 // bytes of a step's note
	MaxCommitments  = 64      // commitments one allegation names
	MaxSimulateRuns = 20000   // runs of one simulation (per mechanism)
	MaxSimulateDays = 3650    // horizon of one simulation
	MaxMechanisms   = 4       // mechanisms one simulation compares
	SimulateTimeout = 10 * time.Second
	// MaxSimulateWork bounds runs × days × mechanisms of one simulation
	// (2000 runs of ten years, or 20000 of one year, for one mechanism).
	MaxSimulateWork  = 8_000_000
	maxIncidentsView = parley.MaxFindEvents
)

// MonitorView is what a seat sees of an agreement's monitoring (GET
// /api/sessions/{id}/monitor): the accord with its commitment register,
// the accord seat the seat acts as (empty: it reads only), today's day
// after signature, the number of incidents, and the verification events
// the seat may see.
type MonitorView struct {
	Session   string             `json:"session"`
	As        string             `json:"as,omitempty"`
	Accord    *parley.Accord     `json:"accord"`
	Day       int                `json:"day"`
	Incidents int                `json:"incidents"`
	Events    []parley.CaseEvent `json:"events"`
	Head      parley.ChainHead   `json:"head"`
}

// Monitor returns the caller's view of the session's monitoring.
// ECONFLICT while the session negotiates or when it ended without
// agreement.
func (s *Session) Monitor(ctx context.Context, seat Caller) (*MonitorView, error) {
	var v *MonitorView
	err := s.withMonitor(ctx, func(mon *monitor) error {
		as, _ := s.actor(mon.accord, seat)
		day, err := s.day(mon.accord, "")
		if err != nil {
			day = 0 // a clock before the signature
		}
		v = &MonitorView{Session: s.id, As: as, Accord: mon.accord, Day: day, Incidents: len(mon.incidents),
			Events: s.visible(mon, mon.log, seat), Head: s.head}
		return nil
	})
	return v, err
}

// visible returns the events of evs the caller may see (sees).
func (s *Session) visible(mon *monitor, evs []parley.CaseEvent, seat Caller) []parley.CaseEvent {
	out := []parley.CaseEvent{}
	for i := range evs {
		if s.sees(mon, seat, &evs[i]) {
			out = append(out, evs[i])
		}
	}
	return out
}

// Incidents returns the incident register (every seat may read it), from
// index from on, at most limit (0: all up to parley.MaxFindEvents).
func (s *Session) Incidents(ctx context.Context, from, limit int) ([]parley.Incident, int, error) {
	if from < 0 || limit < 0 || limit > maxIncidentsView {
		return nil, 0, parley.Errorf(parley.EINVALID, "from must not be negative, limit from 0 to %d", maxIncidentsView)
	}
	if limit == 0 {
		limit = maxIncidentsView
	}
	var out []parley.Incident
	total := 0
	err := s.withMonitor(ctx, func(mon *monitor) error {
		total = len(mon.incidents)
		if from < total {
			out = append(out, mon.incidents[from:min(total, from+limit)]...)
		}
		return nil
	})
	if out == nil {
		out = []parley.Incident{}
	}
	return out, total, err
}

// ImportOptions say how to read an incident file.
type ImportOptions struct {
	Format incidentcsv.Format
	// File names the upload in row errors ("upload.csv").
	File string
	// ReportedBy is recorded on each incident (default: the seat's name
	// in the accord).
	ReportedBy string
	// SkipBad imports the good rows when some are bad (which are still
	// reported); without it one bad row imports nothing.
	SkipBad bool
}

// ImportResult is what an import did.
type ImportResult struct {
	Format string `json:"format"`
	Rows   int    `json:"rows"`
	// Added incidents are new; Already were in the register (a file
	// imported twice adds nothing the second time).
	Added   int      `json:"added"`
	Already int      `json:"already"`
	BadRows int      `json:"bad_rows"`
	Errors  []RowErr `json:"errors,omitempty"`
	// More counts row errors not listed.
	More int `json:"more_errors,omitempty"`
	// Head is the chain head once the incidents are stored.
	Head *parley.ChainHead `json:"head,omitempty"`
}

// RowErr is a bad row's problem: where (line, and the 1-based byte
// column where the field starts, as encoding/csv counts; the column's
// name) and why.
type RowErr struct {
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Error  string `json:"error"`
}

// ImportError is the error of an import with bad rows and no SkipBad:
// EINVALID, with every row error listed; nothing was imported.
type ImportError struct {
	Err    error
	Result *ImportResult
}

func (e *ImportError) Error() string { return e.Err.Error() }
func (e *ImportError) Unwrap() error { return e.Err }

// ImportIncidents adds the incidents of an ACLED or UCDP GED export to the
// register: the parties' and the mediator's seats may (EFORBIDDEN for
// others). A file that cannot be read is EINVALID with its position; bad
// rows are an *ImportError listing each by line and column, and nothing
// is imported unless opt.SkipBad. Incidents already in the register are
// skipped.
func (s *Session) ImportIncidents(ctx context.Context, seat Caller, r io.Reader, opt ImportOptions) (*ImportResult, error) {
	var res *ImportResult
	_, err := s.monitorDo(ctx, func(mon *monitor) ([]monitorLine, error) {
		if seat.Guarantor != "" {
			return nil, parley.Errorf(parley.EFORBIDDEN, "guarantor %s reads the incident register; the parties' and the mediator's seats import incidents", seat.Guarantor)
		}
		by, err := s.actor(mon.accord, seat)
		if err != nil {
			return nil, err
		}
		if opt.ReportedBy == "" {
			opt.ReportedBy = by
		}
		got, err := incidentcsv.Read(r, incidentcsv.Options{Format: opt.Format, File: opt.File, ReportedBy: opt.ReportedBy, MaxErrors: 200})
		if err != nil {
			return nil, err
		}
		res = &ImportResult{Format: got.Format.String(), Rows: got.Rows, BadRows: got.BadRows, More: got.MoreErrors}
		for _, pe := range got.Errors {
			res.Errors = append(res.Errors, RowErr{Line: pe.Line, Column: pe.Column, Field: pe.Path, Error: pe.Err.Error()})
		}
		if bad := got.Err(); bad != nil && !opt.SkipBad {
			return nil, &ImportError{Err: parley.Errorf(parley.EINVALID, "%s; nothing imported (skip_bad=true imports the %d good row(s))", parley.ErrorMessage(bad), len(got.Incidents)), Result: res}
		}
		var fresh []parley.Incident
		seen := map[string]bool{}
		for _, in := range got.Incidents {
			if !mon.keys[in.Key] && !seen[in.Key] {
				seen[in.Key] = true
				fresh = append(fresh, in)
			}
		}
		res.Added, res.Already = len(fresh), len(got.Incidents)-len(fresh)
		var lines []monitorLine
		for len(fresh) > 0 {
			n := min(len(fresh), maxIncidentsPerEvent)
			lines = append(lines, monitorLine{Type: EvIncidents, Audience: parley.ToEveryone().String(), By: by, Incidents: fresh[:n]})
			fresh = fresh[n:]
		}
		for _, ln := range lines {
			for _, in := range ln.Incidents {
				mon.keys[in.Key] = true
			}
			mon.incidents = append(mon.incidents, ln.Incidents...)
		}
		return lines, nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	head := s.head
	s.mu.Unlock()
	res.Head = &head
	return res, nil
}

// Step is one step of the verification mechanism a seat takes (the
// inputs of package verify, as `parley monitor act` takes them). Who acts
// is the seat's, from its token: a party's seat acts as the party, the
// mediator's as "mediators".
type Step struct {
	Kind parley.CaseEventKind `json:"kind"`
	// Date is when, YYYY-MM-DD (default: today by the server's clock).
	Date         string         `json:"date,omitempty"`
	Case         string         `json:"case,omitempty"`
	Incident     string         `json:"incident,omitempty"`
	Accused      string         `json:"accused,omitempty"`
	Commitments  []string       `json:"commitments,omitempty"`
	Body         string         `json:"body,omitempty"`
	Verdict      parley.Verdict `json:"verdict,omitempty"`
	Commitment   string         `json:"commitment,omitempty"`
	Instance     int            `json:"instance,omitempty"`
	Confidential bool           `json:"confidential,omitempty"`
	Note         string         `json:"note,omitempty"`
}

// check bounds a step's fields. Errors are EINVALID.
func (st *Step) check() error {
	if !st.Kind.Input() {
		return parley.Errorf(parley.EINVALID, "kind: %s is what the mechanism records, not a step a seat takes (allege, open, evidence, find, rule, dissent, apply, report, confirm, contest, tick)", st.Kind)
	}
	for name, v := range map[string]string{"case": st.Case, "incident": st.Incident, "accused": st.Accused, "body": st.Body, "commitment": st.Commitment} {
		if len(v) > MaxMonitorID || !utf8.ValidString(v) {
			return parley.Errorf(parley.EINVALID, "%s: at most %d bytes of UTF-8", name, MaxMonitorID)
		}
	}
	if len(st.Commitments) > MaxCommitments {
		return parley.Errorf(parley.EINVALID, "commitments: at most %d", MaxCommitments)
	}
	for _, c := range st.Commitments {
		if len(c) > MaxMonitorID {
			return parley.Errorf(parley.EINVALID, "commitments: an id of at most %d bytes", MaxMonitorID)
		}
	}
	if len(st.Note) > MaxMonitorNote {
		return parley.Errorf(parley.EINVALID, "note: at most %d bytes", MaxMonitorNote)
	}
	if st.Instance < 0 || st.Instance > 100000 {
		return parley.Errorf(parley.EINVALID, "instance: from 1 to 100000 (0: the first)")
	}
	return nil
}

// StepResult is what a step caused, as the seat may see it, and the
// chain head once it is stored.
type StepResult struct {
	Events []parley.CaseEvent `json:"events"`
	Head   parley.ChainHead   `json:"head"`
}

// Step takes a step of the verification mechanism for seat. Every event
// the machine produces is stored before the answer, each with its
// audience (a party sees what the mechanism grants it). A step the text
// does not allow is stored as a "rejected" event — the record shows the
// attempt — and then refused: EFORBIDDEN where the text does not let the
// seat take it (a party ruling where only the other rules), ECONFLICT
// where it does not fit the case, ENOTFOUND for an unknown case or
// incident; a step that cannot be recorded at all (a date before the last
// step's, before the signature) is EINVALID and stores nothing. Only the
// parties' and the mediator's seats act, and guarantors with a token of
// their own (EFORBIDDEN for others): each as its seat of the accord.
func (s *Session) Step(ctx context.Context, seat Caller, st *Step) (*StepResult, error) {
	if err := st.check(); err != nil {
		return nil, err
	}
	res := &StepResult{Events: []parley.CaseEvent{}}
	_, err := s.monitorDo(ctx, func(mon *monitor) ([]monitorLine, error) {
		by, err := s.actor(mon.accord, seat)
		if err != nil {
			return nil, err
		}
		in := parley.CaseEvent{Kind: st.Kind, By: by, Case: st.Case, Incident: st.Incident, Accused: st.Accused,
			Commitments: st.Commitments, Body: st.Body, Verdict: st.Verdict, Commitment: st.Commitment,
			Instance: st.Instance, Confidential: st.Confidential, Note: st.Note}
		if in.Day, err = s.day(mon.accord, st.Date); err != nil {
			return nil, err
		}
		if in.Incident != "" && !mon.keys[in.Incident] {
			return nil, parley.Errorf(parley.ENOTFOUND, "incident %q is not in the register; import it first (POST .../monitor/incidents)", in.Incident)
		}
		if in.Kind == parley.CaseTick {
			in.By = ""
		}
		evs, stepErr := mon.machine.Step(in)
		mon.log = append(mon.log, evs...)
		for i := range evs {
			if s.sees(mon, seat, &evs[i]) {
				res.Events = append(res.Events, evs[i])
			}
		}
		return s.caseLines(mon, evs), refusal(stepErr)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	res.Head = s.head
	s.mu.Unlock()
	return res, nil
}

// report computes the compliance report as of a date ("" today, or the
// last recorded day if later) as seat may read it.
func (s *Session) report(mon *monitor, seat Caller, asOf string) (*compliance.Report, string, error) {
	day, err := s.day(mon.accord, asOf)
	if err != nil {
		return nil, "", err
	}
	if asOf == "" {
		day = max(day, mon.machine.Day())
	}
	r, err := compliance.Compute(mon.accord, mon.incidents, mon.log, day)
	if err != nil {
		return nil, "", err
	}
	as, _ := s.actor(mon.accord, seat)
	if as == "" && seat.Guarantor == "" && seat.Seat.Role == parley.SeatPrincipal {
		if i := findSeat(s.b.seats, parley.PartySeat(seat.Seat.Party).String()); i >= 0 {
			as = s.b.seats[i].Name
		}
	}
	r = r.Filter(func(ev *parley.CaseEvent) bool { return s.sees(mon, seat, ev) })
	return r, as, nil
}

// Report returns the compliance report as of asOf (YYYY-MM-DD; "" today,
// or the last recorded day if later) as seat may read it: per commitment
// met, missed, pending, disputed or suspended, the cases, incidents per
// week by attribution, time to ruling, and the verification events the
// seat may see (a finding it never saw shows as "(not disclosed)").
func (s *Session) Report(ctx context.Context, seat Caller, asOf string) (*compliance.Report, error) {
	var r *compliance.Report
	err := s.withMonitor(ctx, func(mon *monitor) error {
		var err error
		r, _, err = s.report(mon, seat, asOf)
		return err
	})
	return r, err
}

// ReportHTML writes the report as the self-contained monitoring page of
// the agreement (report/monitoring): a timeline, the commitments, the
// cases, incidents per week and the log, as seat may read them.
func (s *Session) ReportHTML(ctx context.Context, seat Caller, asOf string, w io.Writer) error {
	var r *compliance.Report
	var opt monitoring.HTMLOptions
	err := s.withMonitor(ctx, func(mon *monitor) error {
		var err error
		var as string
		r, as, err = s.report(mon, seat, asOf)
		opt = monitoring.HTMLOptions{Seat: as, Incidents: append([]parley.Incident(nil), mon.incidents...), Seats: mon.accord.Seats}
		if as == "" {
			opt.Seat = seat.String()
		}
		return err
	})
	if err != nil {
		return err
	}
	return monitoring.HTML(w, r, opt)
}

// SimulateRequest asks for a Monte Carlo of the agreement's first days
// (package mechsim): the agreement as signed, or with clauses changed
// (Mechanisms: "ISSUE=OPTION,..." each, compared side by side).
type SimulateRequest struct {
	Mechanisms []string `json:"mechanisms,omitempty"`
	Days       int      `json:"days,omitempty"`
	Runs       int      `json:"runs,omitempty"`
	Seed       uint64   `json:"seed,omitempty"`
	Points     bool     `json:"points,omitempty"`
	OpenStep   int      `json:"open_step,omitempty"`
}

// simulations is how many simulations run at once in a process: they use
// every core.
var simulations = make(chan struct{}, 1)

// Simulate runs the Monte Carlo, bounded: at most MaxSimulateRuns runs and
// MaxSimulateDays days per mechanism, MaxMechanisms mechanisms and
// MaxSimulateWork run-days in all (EINVALID beyond), one simulation at a
// time in a process, and SimulateTimeout of wall clock (ELIMIT when it
// runs out: ask for fewer runs). Any seat may.
func (s *Session) Simulate(ctx context.Context, seat Caller, req *SimulateRequest) ([]mechsim.Result, error) {
	switch {
	case req.Runs < 0 || req.Runs > MaxSimulateRuns:
		return nil, parley.Errorf(parley.EINVALID, "runs: from 1 to %d (0: 2000)", MaxSimulateRuns)
	case req.Days < 0 || req.Days > MaxSimulateDays:
		return nil, parley.Errorf(parley.EINVALID, "days: from 1 to %d (0: 90)", MaxSimulateDays)
	case len(req.Mechanisms) > MaxMechanisms:
		return nil, parley.Errorf(parley.EINVALID, "mechanisms: at most %d", MaxMechanisms)
	case req.OpenStep < 0 || req.OpenStep > MaxSimulateDays:
		return nil, parley.Errorf(parley.EINVALID, "open_step: from 0 to %d days", MaxSimulateDays)
	}
	runs, days, mechs := cmp.Or(req.Runs, 2000), cmp.Or(req.Days, 90), max(len(req.Mechanisms), 1)
	if work := runs * days * mechs; work > MaxSimulateWork {
		return nil, parley.Errorf(parley.EINVALID, "runs × days × mechanisms is %d; a simulation on the server does at most %d (ask for fewer runs or days, or run parley monitor simulate)", work, MaxSimulateWork)
	}
	var list []mechsim.Mechanism
	err := s.withMonitor(ctx, func(mon *monitor) error {
		if len(req.Mechanisms) == 0 {
			list = append(list, mechsim.Mechanism{Name: mechsim.Name(mon.accord), Accord: mon.accord})
			return nil
		}
		sc := s.b.model.Scenario
		base := make(parley.Outcome, len(sc.Issues))
		for i, cl := range mon.accord.Clauses {
			if i < len(base) {
				base[i] = sc.Issues[i].OptionIndex(cl.Option)
			}
		}
		for k, spec := range req.Mechanisms {
			o := append(parley.Outcome(nil), base...)
			if err := sc.SetClauses(o, spec); err != nil {
				return parley.Errorf(parley.EINVALID, "mechanisms[%d]: %s", k, parley.ErrorMessage(err))
			}
			a, err := sc.Agree(o, mon.accord.Signed)
			if err != nil {
				return err
			}
			list = append(list, mechsim.Mechanism{Name: mechsim.Name(a), Accord: a})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, SimulateTimeout)
	defer cancel()
	select {
	case simulations <- struct{}{}:
		defer func() { <-simulations }()
	case <-ctx.Done():
		return nil, parley.Errorf(parley.ELIMIT, "the server is busy with another simulation; try again shortly")
	}
	res, err := mechsim.Run(ctx, list, mechsim.Config{Days: req.Days, Runs: req.Runs, Seed: req.Seed, Points: req.Points, OpenStep: req.OpenStep})
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil) {
		return nil, parley.Errorf(parley.ELIMIT, "the simulation did not finish within %s; ask for fewer runs or days", SimulateTimeout)
	}
	return res, err
}
