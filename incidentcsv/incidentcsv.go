// Package incidentcsv reads incident reports from the CSV exports of the
// two datasets conflict monitors use most: ACLED (Armed Conflict Location &
// Event Data) and UCDP GED (the Uppsala Conflict Data Program's
// Georeferenced Event Dataset). It turns each row into a parley.Incident.
//
// Column meanings follow the datasets' codebooks:
//
//   - ACLED (https://acleddata.com/knowledge-base/codebook/): event_id_cnty
//     (the event id), event_date, time_precision (1 the day is known, 2 a
//     week, 3 a month), event_type, sub_event_type, actor1, actor2,
//     country, admin1, admin2, location, latitude, longitude, geo_precision
//     (1 a town, 2 a small part of a region, 3 a larger region), fatalities,
//     source (several separated by ";"), notes.
//   - UCDP GED (https://ucdp.uu.se/downloads/, GED codebook): id,
//     date_start, date_end, date_prec (1 exact day, 2 two to six days, 3 a
//     week, 4 a month, 5 a year), type_of_violence (1 state-based, 2
//     non-state, 3 one-sided), side_a, side_b, country, adm_1, adm_2,
//     where_coordinates, latitude, longitude, where_prec (1–7, exact to
//     country-wide), best, low, high (fatality estimates), source_article,
//     event_clarity (1 high, 2 low), conflict_name.
//
// The layout is recognised from the header; columns may come in any order
// and unknown columns are ignored. Required: event_id_cnty, event_date,
// event_type, actor1 and fatalities (ACLED); id, date_start, side_a, side_b
// and best (UCDP). A row that breaks a rule is reported with its line,
// column and why, and left out of the incidents; every data row is either
// an incident or an error (Result.Rows counts them).
package incidentcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Format is a CSV layout.
type Format int

// Layouts.
const (
	Auto  Format = iota // recognise from the header
	ACLED               // ACLED export
	UCDP                // UCDP GED
)

// String returns the layout's name.
func (f Format) String() string {
	switch f {
	case Auto:
		return "auto"
	case ACLED:
		return "acled"
	case UCDP:
		return "ucdp"
	}
	return "unknown"
}

// ParseFormat reads a layout's name.
func ParseFormat(s string) (Format, error) {
	for _, f := range []Format{Auto, ACLED, UCDP} {
		if s == f.String() {
			return f, nil
		}
	}
	return Auto, parley.Errorf(parley.EINVALID, "unknown incident format %q; expected auto, acled or ucdp", s)
}

// Options configure Read.
type Options struct {
	Format Format
	// File names the input in errors.
	File string
	// ReportedBy is recorded on every incident (who imported it).
	ReportedBy string
	// MaxErrors bounds the row errors kept (the rest are counted in
	// Result.MoreErrors); 0 means 1000.
	MaxErrors int
}

// Result is what Read found.
type Result struct {
	Format    Format
	Incidents []parley.Incident
	// Rows counts the data rows: len(Incidents) + the rows with errors.
	Rows int
	// Errors are the bad rows' problems, each a *parley.PosError with the
	// line, the column (1-based field number) and the column's name as
	// Path; one row may have several. MoreErrors counts those not kept.
	Errors     []*parley.PosError
	BadRows    int
	MoreErrors int
}

// Err returns the row errors as one error (nil when there are none).
func (r *Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	list := make(rowErrors, len(r.Errors))
	copy(list, r.Errors)
	return &parley.Error{Code: parley.EINVALID, Message: fmt.Sprintf("%d bad row(s) of %d", r.BadRows, r.Rows), Err: moreErrors{list, r.MoreErrors}}
}

type rowErrors []*parley.PosError

type moreErrors struct {
	list rowErrors
	more int
}

func (m moreErrors) Error() string {
	var b strings.Builder
	for _, e := range m.list {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	if m.more > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", m.more)
	}
	return b.String()
}

func (m moreErrors) Unwrap() []error {
	out := make([]error, len(m.list))
	for i, e := range m.list {
		out[i] = e
	}
	return out
}

// column describes how one column is read.
type column struct {
	name     string
	required bool
	set      func(in *parley.Incident, v string) error
}

// Read reads a CSV export. It returns an error (EINVALID, positioned) when
// the file as a whole cannot be read: no header, an unknown layout,
// missing required columns, a repeated column. Problems of single rows go
// into Result.Errors and leave the other rows unaffected.
func Read(r io.Reader, opt Options) (*Result, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, posError(opt.File, 1, 0, "", "empty file; expected a header row (ACLED or UCDP GED columns)")
	}
	if err != nil {
		return nil, csvError(opt.File, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if j, dup := index[h]; dup {
			return nil, posError(opt.File, 1, i+1, h, fmt.Sprintf("column %q appears twice (columns %d and %d)", h, j+1, i+1))
		}
		index[h] = i
	}
	f := opt.Format
	if f == Auto {
		switch {
		case has(index, "event_id_cnty"):
			f = ACLED
		case has(index, "id") && has(index, "date_start"):
			f = UCDP
		default:
			return nil, posError(opt.File, 1, 0, "", "unknown layout: the header has neither ACLED's event_id_cnty nor UCDP GED's id and date_start columns")
		}
	}
	cols := acledColumns
	if f == UCDP {
		cols = ucdpColumns
	}
	var missing []string
	for _, c := range cols {
		if c.required && !has(index, c.name) {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, posError(opt.File, 1, 0, "", fmt.Sprintf("%s layout: missing required column(s) %s", f, strings.Join(missing, ", ")))
	}
	rd := &reader{opt: opt, res: &Result{Format: f, Incidents: []parley.Incident{}}, cr: cr, cols: cols, index: index, header: header, seen: map[string]int{}}
	if rd.opt.MaxErrors <= 0 {
		rd.opt.MaxErrors = 1000
	}
	rd.rows()
	return rd.res, nil
}

func has(index map[string]int, name string) bool {
	_, ok := index[name]
	return ok
}

type reader struct {
	opt    Options
	res    *Result
	cr     *csv.Reader
	cols   []column
	index  map[string]int
	header []string
	seen   map[string]int // key → line first seen
}

func (rd *reader) errorf(line, col int, path, format string, args ...any) {
	if len(rd.res.Errors) >= rd.opt.MaxErrors {
		rd.res.MoreErrors++
		return
	}
	rd.res.Errors = append(rd.res.Errors, posError(rd.opt.File, line, col, path, fmt.Sprintf(format, args...)))
}

func (rd *reader) rows() {
	for {
		rec, err := rd.cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				rd.res.Rows++
				rd.res.BadRows++
				rd.errorf(0, 0, "", "%v", err)
				return // the reader itself failed: nothing more can be read
			}
			rd.res.Rows++
			rd.res.BadRows++
			rd.errorf(pe.Line, pe.Column, "", "CSV syntax: %v", pe.Err)
			continue
		}
		line, _ := rd.cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line is no row
		}
		rd.res.Rows++
		before := len(rd.res.Errors) + rd.res.MoreErrors
		if len(rec) != len(rd.header) {
			rd.errorf(line, 0, "", "the row has %d fields, the header %d", len(rec), len(rd.header))
			rd.res.BadRows++
			continue
		}
		in := parley.Incident{ReportedBy: rd.opt.ReportedBy}
		bad := map[string]bool{}
		for _, c := range rd.cols {
			i, ok := rd.index[c.name]
			if !ok {
				continue
			}
			v := strings.TrimSpace(rec[i])
			if err := c.set(&in, v); err != nil {
				l, col := rd.cr.FieldPos(i)
				rd.errorf(l, col, c.name, "%v", err)
				bad[c.name] = true
			}
		}
		rd.check(&in, line, bad)
		if len(rd.res.Errors)+rd.res.MoreErrors > before {
			rd.res.BadRows++
			continue
		}
		rd.seen[in.Key] = line
		rd.res.Incidents = append(rd.res.Incidents, in)
	}
}

// check applies the rules that span columns, leaving out columns that
// already failed (bad) so that one mistake is reported once.
func (rd *reader) check(in *parley.Incident, line int, bad map[string]bool) {
	col := func(name string) int {
		if i, ok := rd.index[name]; ok {
			_, c := rd.cr.FieldPos(i)
			return c
		}
		return 0
	}
	idCol := "event_id_cnty"
	if rd.res.Format == UCDP {
		idCol = "id"
	}
	if in.ID != "" {
		in.Dataset = rd.res.Format.String()
		in.Key = in.Dataset + ":" + in.ID
		if first, dup := rd.seen[in.Key]; dup {
			rd.errorf(line, col(idCol), idCol, "event %q already given on line %d", in.ID, first)
		}
	}
	if (in.Latitude == nil) != (in.Longitude == nil) && !bad["latitude"] && !bad["longitude"] {
		rd.errorf(line, col("latitude"), "latitude", "latitude and longitude come together; the row has only one")
	}
	if in.DateEnd != "" && in.Date != "" && in.DateEnd < in.Date {
		rd.errorf(line, col("date_end"), "date_end", "date_end %s is before date_start %s", in.DateEnd, in.Date)
	}
	if bad["best"] {
		return
	}
	if lo := in.FatalitiesLow; lo != nil && *lo > in.Fatalities {
		rd.errorf(line, col("low"), "low", "low estimate %d is above the best %d", *lo, in.Fatalities)
	}
	if hi := in.FatalitiesHigh; hi != nil && *hi < in.Fatalities {
		rd.errorf(line, col("high"), "high", "high estimate %d is below the best %d", *hi, in.Fatalities)
	}
}

func posError(file string, line, col int, path, msg string) *parley.PosError {
	return &parley.PosError{File: file, Line: line, Column: col, Path: path, Err: &parley.Error{Code: parley.EINVALID, Message: msg}}
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return posError(file, pe.Line, pe.Column, "", "CSV syntax: "+pe.Err.Error())
	}
	return &parley.Error{Code: parley.EINVALID, Message: "reading " + file, Err: err}
}

// Field readers.

func required(what string) error { return fmt.Errorf("empty; expected %s", what) }

func text(dst func(in *parley.Incident) *string) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		*dst(in) = v
		return nil
	}
}

func id(in *parley.Incident, v string) error {
	if v == "" {
		return required("the event's id")
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return fmt.Errorf("event id %q contains white space", v)
	}
	in.ID = v
	return nil
}

// dateLayouts are the date forms the exports use: ISO dates (ACLED's API
// and UCDP, the latter sometimes with a time), and ACLED's older
// "15 January 2023" and "15-January-2023".
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2 January 2006", "02-January-2006", "2-January-2006", "2 Jan 2006"}

func parseDate(v string) (string, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return "", fmt.Errorf("date %q is out of range (years 1900 to 2200)", v)
			}
			return t.Format(parley.DateLayout), nil
		}
	}
	return "", fmt.Errorf("date %q is not a date; expected YYYY-MM-DD (or 15 January 2023)", v)
}

func date(dst func(in *parley.Incident) *string, need bool) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			if need {
				return required("a date, YYYY-MM-DD")
			}
			return nil
		}
		d, err := parseDate(v)
		if err != nil {
			return err
		}
		*dst(in) = d
		return nil
	}
}

func code(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a code from %d to %d", v, lo, hi)
	}
	return n, nil
}

func precision(table []parley.DatePrecision) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			return nil
		}
		n, err := code(v, 1, len(table))
		if err != nil {
			return err
		}
		in.Precision = table[n-1]
		return nil
	}
}

func geoPrecision(hi int) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			return nil
		}
		n, err := code(v, 1, hi)
		if err != nil {
			return err
		}
		in.GeoPrecision = n
		return nil
	}
}

func coord(dst func(in *parley.Incident) **float64, limit float64) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			return nil
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q is not a number of degrees", v)
		}
		if x < -limit || x > limit {
			return fmt.Errorf("%v is outside -%v..%v degrees", x, limit, limit)
		}
		*dst(in) = &x
		return nil
	}
}

func count(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number of deaths (0 or more)", v)
	}
	return n, nil
}

func fatalities(in *parley.Incident, v string) error {
	if v == "" {
		return required("a whole number of deaths (0 or more)")
	}
	n, err := count(v)
	in.Fatalities = n
	return err
}

func bound(dst func(in *parley.Incident) **int) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			return nil
		}
		n, err := count(v)
		if err != nil {
			return err
		}
		*dst(in) = &n
		return nil
	}
}

func sources(in *parley.Incident, v string) error {
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			in.Sources = append(in.Sources, s)
		}
	}
	return nil
}

func requiredText(dst func(in *parley.Incident) *string, what string) func(in *parley.Incident, v string) error {
	return func(in *parley.Incident, v string) error {
		if v == "" {
			return required(what)
		}
		*dst(in) = v
		return nil
	}
}

var acledColumns = []column{
	{"event_id_cnty", true, id},
	{"event_date", true, date(func(in *parley.Incident) *string { return &in.Date }, true)},
	{"time_precision", false, precision([]parley.DatePrecision{parley.PrecisionDay, parley.PrecisionWeek, parley.PrecisionMonth})},
	{"event_type", true, requiredText(func(in *parley.Incident) *string { return &in.EventType }, "ACLED's event type")},
	{"sub_event_type", false, text(func(in *parley.Incident) *string { return &in.SubEventType })},
	{"actor1", true, requiredText(func(in *parley.Incident) *string { return &in.Actor1 }, "the first actor")},
	{"actor2", false, text(func(in *parley.Incident) *string { return &in.Actor2 })},
	{"country", false, text(func(in *parley.Incident) *string { return &in.Country })},
	{"admin1", false, text(func(in *parley.Incident) *string { return &in.Admin1 })},
	{"admin2", false, text(func(in *parley.Incident) *string { return &in.Admin2 })},
	{"location", false, text(func(in *parley.Incident) *string { return &in.Location })},
	{"latitude", false, coord(func(in *parley.Incident) **float64 { return &in.Latitude }, 90)},
	{"longitude", false, coord(func(in *parley.Incident) **float64 { return &in.Longitude }, 180)},
	{"geo_precision", false, geoPrecision(3)},
	{"fatalities", true, fatalities},
	{"source", false, sources},
	{"notes", false, text(func(in *parley.Incident) *string { return &in.Notes })},
}

var violence = map[string]string{"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}

var ucdpColumns = []column{
	{"id", true, id},
	{"date_start", true, date(func(in *parley.Incident) *string { return &in.Date }, true)},
	{"date_end", false, date(func(in *parley.Incident) *string { return &in.DateEnd }, false)},
	{"date_prec", false, precision([]parley.DatePrecision{parley.PrecisionDay, parley.PrecisionDays, parley.PrecisionWeek, parley.PrecisionMonth, parley.PrecisionYear})},
	{"type_of_violence", false, func(in *parley.Incident, v string) error {
		if v == "" {
			return nil
		}
		t, ok := violence[v]
		if !ok {
			return fmt.Errorf("%q is not a UCDP violence type (1 state-based, 2 non-state, 3 one-sided)", v)
		}
		in.EventType = t
		return nil
	}},
	{"side_a", true, requiredText(func(in *parley.Incident) *string { return &in.Actor1 }, "side A")},
	{"side_b", true, requiredText(func(in *parley.Incident) *string { return &in.Actor2 }, "side B")},
	{"country", false, text(func(in *parley.Incident) *string { return &in.Country })},
	{"adm_1", false, text(func(in *parley.Incident) *string { return &in.Admin1 })},
	{"adm_2", false, text(func(in *parley.Incident) *string { return &in.Admin2 })},
	{"where_coordinates", false, text(func(in *parley.Incident) *string { return &in.Location })},
	{"latitude", false, coord(func(in *parley.Incident) **float64 { return &in.Latitude }, 90)},
	{"longitude", false, coord(func(in *parley.Incident) **float64 { return &in.Longitude }, 180)},
	{"where_prec", false, geoPrecision(7)},
	{"best", true, fatalities},
	{"low", false, bound(func(in *parley.Incident) **int { return &in.FatalitiesLow })},
	{"high", false, bound(func(in *parley.Incident) **int { return &in.FatalitiesHigh })},
	{"source_article", false, sources},
	{"event_clarity", false, func(in *parley.Incident, v string) error {
		switch v {
		case "":
		case "1":
			in.Confidence = "high"
		case "2":
			in.Confidence = "low"
		default:
			return fmt.Errorf("%q is not a UCDP event clarity (1 high, 2 low)", v)
		}
		return nil
	}},
	{"conflict_name", false, text(func(in *parley.Incident) *string { return &in.Notes })},
}
