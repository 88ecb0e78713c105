// Package compliance computes where an accord stands on a given day: the
// status of every commitment (met, missed, pending, disputed, suspended),
// the incidents per week by how they were attributed, and how long rulings
// took. It is pure: it takes the accord, the incident register and the
// verification log, replays the log up to the day asked for and reads the
// verification machine's state. Reports (text, JSON, HTML) render its
// Report.
package compliance

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
)

// Status is where a commitment (or one of its instances) stands.
type Status int

// Statuses, from best to worst news for the beneficiary; a commitment's
// status is the worst of its parts in the order missed, disputed,
// pending, met (suspended overrides all).
const (
	Met       Status = iota // fulfilled and confirmed, or no breach established
	Pending                 // not yet due, awaiting verification, or under investigation
	Disputed                // a ruling or a reported fulfilment is contested
	Missed                  // a breach is ruled, or a due date passed unfulfilled
	Suspended               // suspended by a consequence of the other side's breach
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case Met:
		return "met"
	case Pending:
		return "pending"
	case Disputed:
		return "disputed"
	case Missed:
		return "missed"
	case Suspended:
		return "suspended"
	}
	return "unknown"
}

// MarshalText writes the status's name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Report is an accord's compliance on one day.
type Report struct {
	Scenario string `json:"scenario"`
	Variant  string `json:"variant,omitempty"`
	Signed   string `json:"signed"`
	// AsOf is the day the report describes (AsOfDay days after signature).
	AsOf      string                `json:"as_of"`
	AsOfDay   int                   `json:"as_of_day"`
	Clauses   []parley.AgreedClause `json:"clauses"`
	Mechanism parley.Mechanism      `json:"mechanism"`
	// Counts counts commitments by status.
	Counts       map[string]int     `json:"counts"`
	Commitments  []CommitmentStatus `json:"commitments"`
	Cases        []CaseRow          `json:"cases"`
	Incidents    IncidentStats      `json:"incidents"`
	TimeToRuling Durations          `json:"time_to_ruling"`
	// Events is the verification log up to AsOf, for timelines.
	Events []parley.CaseEvent `json:"events"`
}

// CommitmentStatus is one commitment's standing.
type CommitmentStatus struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`
	Text   string   `json:"text"`
	By     []string `json:"by"`
	To     []string `json:"to,omitempty"`
	Due    string   `json:"due"`
	Clause string   `json:"clause"` // issue=option
	Status Status   `json:"status"`
	// Why says in a line what the status rests on.
	Why string `json:"why"`
	// Instances are an obligation's due dates up to AsOf (and the next one).
	Instances []InstanceStatus `json:"instances,omitempty"`
	// Cases are the allegations that name the commitment.
	Cases []string `json:"cases,omitempty"`
	// From and Until bound a prohibition or guarantee, as dates; Until is
	// empty when it stands indefinitely.
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
}

// InstanceStatus is one due date of an obligation.
type InstanceStatus struct {
	N         int    `json:"n"`
	Due       string `json:"due"`
	DueDay    int    `json:"due_day"`
	Status    Status `json:"status"`
	Reported  string `json:"reported,omitempty"`
	Confirmed string `json:"confirmed,omitempty"`
	Contested string `json:"contested,omitempty"`
}

// CaseRow is one allegation.
type CaseRow struct {
	ID          string   `json:"id"`
	Incident    string   `json:"incident,omitempty"`
	Accused     string   `json:"accused"`
	By          string   `json:"by"`
	Commitments []string `json:"commitments"`
	Stage       string   `json:"stage"`
	Filed       string   `json:"filed"`
	FiledDay    int      `json:"filed_day"`
	Body        string   `json:"body,omitempty"`
	Finding     string   `json:"finding,omitempty"`
	FoundBy     string   `json:"found_by,omitempty"`
	Ruling      string   `json:"ruling,omitempty"`
	RuledBy     string   `json:"ruled_by,omitempty"`
	Ruled       string   `json:"ruled,omitempty"`
	RuledDay    *int     `json:"ruled_day,omitempty"`
	// DaysToRuling is the time from allegation to ruling.
	DaysToRuling *int     `json:"days_to_ruling,omitempty"`
	Disputed     bool     `json:"disputed"`
	Dissents     []string `json:"dissents,omitempty"`
	CastOver     []string `json:"cast_over,omitempty"`
	Deadlocked   bool     `json:"deadlocked,omitempty"`
	Overdue      []string `json:"overdue,omitempty"`
	Deadline     string   `json:"deadline,omitempty"`
}

// IncidentStats counts the incident register.
type IncidentStats struct {
	Total int `json:"total"`
	// BeforeSignature counts incidents dated before the accord.
	BeforeSignature int `json:"before_signature"`
	// Categories lists the attribution categories in display order:
	// "attributed to PARTY", "not attributable", "unfounded", "under
	// investigation", "not alleged".
	Categories []string `json:"categories"`
	// Weeks counts incidents per ISO week (Monday to Sunday) from the
	// first to the last incident's week, gaps included.
	Weeks []Week `json:"weeks"`
	// ByCategory totals the weeks.
	ByCategory map[string]int `json:"by_category"`
}

// Week is one ISO week's incidents by attribution category.
type Week struct {
	Week   string         `json:"week"`   // "2025-W45"
	Monday string         `json:"monday"` // its first day
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// Durations summarises days from allegation to ruling.
type Durations struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	Max    int     `json:"max"`
	// ByRuler gives the mean per ruling body.
	ByRuler map[string]float64 `json:"by_ruler,omitempty"`
}

// Attribution categories.
const (
	CatNotAttributable = "not attributable"
	CatUnfounded       = "unfounded"
	CatOpen            = "under investigation"
	CatNotAlleged      = "not alleged"
)

// CatAttributed returns the category of incidents attributed to party.
func CatAttributed(party string) string { return "attributed to " + party }

// Compute returns the accord's compliance on day asOf (days after
// signature): it replays the inputs of log dated up to asOf on a fresh
// machine and lets time run to asOf. log must be a valid log of the
// accord (verify.Replay checks one); incidents is the register.
func Compute(a *parley.Accord, incidents []parley.Incident, log []parley.CaseEvent, asOf int) (*Report, error) {
	signed, err := a.SignedDate()
	if err != nil {
		return nil, err
	}
	m, err := verify.New(a)
	if err != nil {
		return nil, err
	}
	var events []parley.CaseEvent
	for _, ev := range log {
		in, ok := verify.Input(ev)
		if !ok || in.Day > asOf {
			continue
		}
		evs, _ := m.Step(in) // refused inputs are part of a valid log
		events = append(events, evs...)
	}
	if asOf > m.Day() {
		evs, err := m.Step(parley.CaseEvent{Day: asOf, Kind: parley.CaseTick})
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	date := func(day int) string { return signed.AddDate(0, 0, day).Format(parley.DateLayout) }
	r := &Report{
		Scenario: a.Scenario, Variant: a.Variant, Signed: a.Signed, AsOf: date(asOf), AsOfDay: asOf,
		Clauses: a.Clauses, Mechanism: a.Mechanism, Counts: map[string]int{}, Events: events,
	}
	if r.Events == nil {
		r.Events = []parley.CaseEvent{}
	}
	cases := m.Cases()
	for _, c := range a.Commitments {
		cs := commitmentStatus(m, &c, cases, asOf, date)
		r.Counts[cs.Status.String()]++
		r.Commitments = append(r.Commitments, cs)
	}
	r.Cases = []CaseRow{}
	for _, c := range cases {
		r.Cases = append(r.Cases, caseRow(c, date))
	}
	r.TimeToRuling = durations(r.Cases)
	r.Incidents = incidentStats(a, signed, incidents, cases)
	return r, nil
}

func commitmentStatus(m *verify.Machine, c *parley.Commitment, cases []verify.Case, asOf int, date func(int) string) CommitmentStatus {
	cs := CommitmentStatus{ID: c.ID, Kind: c.Kind.String(), Text: c.Text, By: c.By, To: c.To, Due: c.Due.String(), Clause: c.Issue + "=" + c.Option}
	for _, k := range cases {
		for _, id := range k.Commitments {
			if id == c.ID {
				cs.Cases = append(cs.Cases, k.ID)
			}
		}
	}
	if c.Kind == parley.Obligation {
		obligationStatus(m, c, &cs, asOf, date)
	} else {
		breachStatus(c, &cs, cases, asOf, date)
	}
	if d, ok := m.Suspended(c.ID); ok && d <= asOf {
		cs.Status, cs.Why = Suspended, "suspended on "+date(d)
	}
	return cs
}

func obligationStatus(m *verify.Machine, c *parley.Commitment, cs *CommitmentStatus, asOf int, date func(int) string) {
	known := map[int]verify.Instance{}
	for _, in := range m.Instances(c.ID) {
		known[in.N] = in
	}
	// Every instance due by asOf, and the next one after it.
	dues := c.Due.Instances(asOf)
	if next := c.Due.Instances(asOf + max(c.Due.Every, 1)); len(next) > len(dues) {
		dues = next[:len(dues)+1]
	}
	worst, why := Met, ""
	due := 0
	for i, d := range dues {
		in, ok := known[i+1]
		if !ok {
			in = verify.Instance{N: i + 1, Due: d, Reported: -1, Confirmed: -1, Contested: -1}
		}
		st := instanceStatus(in, asOf)
		if sd, ok := m.Suspended(c.ID); ok && sd <= in.Due && in.Reported < 0 {
			st = Suspended // due after the suspension: not owed
		}
		is := InstanceStatus{N: in.N, Due: date(in.Due), DueDay: in.Due, Status: st}
		if in.Reported >= 0 {
			is.Reported = date(in.Reported)
		}
		if in.Confirmed >= 0 {
			is.Confirmed = date(in.Confirmed)
		}
		if in.Contested >= 0 {
			is.Contested = date(in.Contested)
		}
		cs.Instances = append(cs.Instances, is)
		if d <= asOf {
			due++
		}
		if (d > asOf && st == Pending) || st == Suspended {
			continue // not due yet, or not owed: no news either way
		}
		if rank(st) > rank(worst) {
			worst, why = st, instanceWhy(is, len(dues) > 1)
		}
	}
	if due == 0 && worst == Met {
		worst, why = Pending, "not due yet"
		switch {
		case len(dues) == 1:
			why = "due " + date(dues[0])
		case len(dues) > 1:
			why = "first due " + date(dues[0])
		}
	}
	if worst == Met {
		why = "every instance due so far was fulfilled on time and confirmed"
		if len(dues) == 1 {
			why = "fulfilled on time and confirmed"
		}
	}
	cs.Status, cs.Why = worst, why
}

// rank orders statuses by how bad they are: missed > disputed > pending > met.
func rank(s Status) int {
	switch s {
	case Missed:
		return 3
	case Disputed:
		return 2
	case Pending:
		return 1
	}
	return 0
}

func instanceStatus(in verify.Instance, asOf int) Status {
	switch {
	case in.Confirmed >= 0 && in.Reported <= in.Due:
		return Met
	case in.Confirmed >= 0:
		return Missed // fulfilled, but late
	case in.Contested >= 0:
		return Disputed
	case in.Reported >= 0 && in.Reported > in.Due:
		return Missed
	case in.Reported >= 0:
		return Pending // reported on time, awaiting verification
	case in.Due < asOf:
		return Missed
	}
	return Pending
}

func instanceWhy(is InstanceStatus, periodic bool) string {
	what := "due " + is.Due
	if periodic {
		what = "instance " + strconv.Itoa(is.N) + " (due " + is.Due + ")"
	}
	switch is.Status {
	case Missed:
		if is.Reported != "" {
			return what + " reported late, on " + is.Reported
		}
		return what + " passed unfulfilled"
	case Disputed:
		return what + " reported fulfilled on " + is.Reported + ", contested on " + is.Contested
	case Pending:
		if is.Reported != "" {
			return what + " reported fulfilled on " + is.Reported + ", awaiting verification"
		}
		return what
	}
	return what + " met"
}

func breachStatus(c *parley.Commitment, cs *CommitmentStatus, cases []verify.Case, asOf int, date func(int) string) {
	cs.From = date(c.Due.From)
	if c.Due.Until > 0 {
		cs.Until = date(c.Due.Until)
	}
	worst, why := Met, "no breach established"
	if c.Due.From > asOf {
		worst, why = Pending, "binds from "+date(c.Due.From)
	}
	for _, k := range cases {
		if !containsStr(k.Commitments, c.ID) {
			continue
		}
		var st Status
		var w string
		switch {
		case k.Stage >= verify.Ruled && k.Ruling == parley.Attributed && !k.Disputed():
			st, w = Missed, "case "+k.ID+": breach ruled on "+date(k.RuledOn)+" by "+k.RuledBy
		case k.Disputed():
			st, w = Disputed, "case "+k.ID+": "+disputeWhy(k)
		case k.Stage < verify.Ruled:
			st, w = Pending, "case "+k.ID+" under investigation ("+k.Stage.String()+")"
		default:
			continue
		}
		if rank(st) > rank(worst) {
			worst, why = st, w
		}
	}
	cs.Status, cs.Why = worst, why
}

func disputeWhy(k verify.Case) string {
	switch {
	case k.Deadlocked:
		return "the parties' votes are deadlocked"
	case len(k.Dissents) > 0:
		return k.Ruling.String() + " ruling by " + k.RuledBy + ", dissent by " + strings.Join(k.Dissents, ", ")
	}
	return k.Ruling.String() + " ruling cast over " + strings.Join(k.CastOver, ", ")
}

func caseRow(c verify.Case, date func(int) string) CaseRow {
	r := CaseRow{ID: c.ID, Incident: c.Incident, Accused: c.Accused, By: c.By, Commitments: c.Commitments, Stage: c.Stage.String(),
		Filed: date(c.Filed), FiledDay: c.Filed, Body: c.Body, Disputed: c.Disputed(), Dissents: c.Dissents, CastOver: c.CastOver,
		Deadlocked: c.Deadlocked, Overdue: c.Overdue}
	if c.Stage >= verify.Found {
		r.Finding, r.FoundBy = c.Finding.String(), c.FoundBy
		if c.Split && c.Finding == parley.NoVerdict {
			r.Finding = "split"
		}
	}
	if c.Stage >= verify.Ruled {
		d, t := c.RuledOn, c.RuledOn-c.Filed
		r.Ruling, r.RuledBy, r.Ruled, r.RuledDay, r.DaysToRuling = c.Ruling.String(), c.RuledBy, date(c.RuledOn), &d, &t
	}
	if c.Deadline > 0 {
		r.Deadline = date(c.Deadline)
	}
	return r
}

func durations(rows []CaseRow) Durations {
	var ds []int
	sum := map[string]float64{}
	n := map[string]int{}
	for _, r := range rows {
		if r.DaysToRuling == nil {
			continue
		}
		ds = append(ds, *r.DaysToRuling)
		sum[r.RuledBy] += float64(*r.DaysToRuling)
		n[r.RuledBy]++
	}
	var d Durations
	d.N = len(ds)
	if d.N == 0 {
		return d
	}
	sort.Ints(ds)
	total := 0
	for _, x := range ds {
		total += x
	}
	d.Mean = float64(total) / float64(d.N)
	if d.N%2 == 1 {
		d.Median = float64(ds[d.N/2])
	} else {
		d.Median = float64(ds[d.N/2-1]+ds[d.N/2]) / 2
	}
	d.Max = ds[d.N-1]
	d.ByRuler = map[string]float64{}
	for k, s := range sum {
		d.ByRuler[k] = math.Round(s/float64(n[k])*100) / 100
	}
	return d
}

// incidentStats counts the register per ISO week and attribution
// category; an incident's category comes from the last case that names it.
func incidentStats(a *parley.Accord, signed time.Time, incidents []parley.Incident, cases []verify.Case) IncidentStats {
	st := IncidentStats{Total: len(incidents), ByCategory: map[string]int{}, Weeks: []Week{}}
	cat := map[string]string{}
	for _, c := range cases {
		if c.Incident == "" {
			continue
		}
		switch {
		case c.Stage < verify.Ruled:
			cat[c.Incident] = CatOpen
		case c.Ruling == parley.Attributed:
			cat[c.Incident] = CatAttributed(c.Accused)
		case c.Ruling == parley.NotAttributable:
			cat[c.Incident] = CatNotAttributable
		default:
			cat[c.Incident] = CatUnfounded
		}
	}
	for _, p := range a.Parties {
		st.Categories = append(st.Categories, CatAttributed(p))
	}
	st.Categories = append(st.Categories, CatNotAttributable, CatUnfounded, CatOpen, CatNotAlleged)
	weeks := map[string]*Week{}
	var first, last time.Time
	for _, in := range incidents {
		t, err := time.Parse(parley.DateLayout, in.Date)
		if err != nil {
			continue // the store only holds valid dates; skip defensively
		}
		if t.Before(signed) {
			st.BeforeSignature++
		}
		c := cat[in.Key]
		if c == "" {
			c = CatNotAlleged
		}
		st.ByCategory[c]++
		mon := monday(t)
		if first.IsZero() || mon.Before(first) {
			first = mon
		}
		if mon.After(last) {
			last = mon
		}
		k := mon.Format(parley.DateLayout)
		w := weeks[k]
		if w == nil {
			w = &Week{Week: isoWeek(mon), Monday: k, Counts: map[string]int{}}
			weeks[k] = w
		}
		w.Counts[c]++
		w.Total++
	}
	if first.IsZero() {
		return st
	}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		k := d.Format(parley.DateLayout)
		if w := weeks[k]; w != nil {
			st.Weeks = append(st.Weeks, *w)
		} else {
			st.Weeks = append(st.Weeks, Week{Week: isoWeek(d), Monday: k, Counts: map[string]int{}})
		}
	}
	return st
}

func monday(t time.Time) time.Time {
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	return time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
}

func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return strconv.Itoa(y) + "-W" + pad2(w)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ForSeat returns the report as seat may see it: the events whose
// audience holds seat, and the cases' findings only where seat saw the
// finding (a party that investigates and rules alone keeps its finding to
// itself). Statuses rest on rulings and fulfilment records, which every
// seat sees, and are unchanged.
func (r *Report) ForSeat(seat string) *Report {
	return r.Filter(func(ev *parley.CaseEvent) bool { return ev.Visible(seat) })
}

// Filter returns the report as a reader who sees only the events visible
// lets through may read it: ForSeat with the choice of events made
// elsewhere (a live server decides from the audiences it stored, which
// also serve seats that are no seat of the accord, such as observers).
func (r *Report) Filter(visible func(*parley.CaseEvent) bool) *Report {
	c := *r
	c.Events = nil
	for i := range r.Events {
		if visible(&r.Events[i]) {
			c.Events = append(c.Events, r.Events[i])
		}
	}
	sawFinding := map[string]bool{}
	for _, ev := range c.Events {
		if ev.Kind == parley.CaseFinding {
			sawFinding[ev.Case] = true
		}
	}
	c.Cases = make([]CaseRow, len(r.Cases))
	for i, row := range r.Cases {
		if row.Finding != "" && !sawFinding[row.ID] {
			row.Finding, row.FoundBy = "(not disclosed)", ""
		}
		c.Cases[i] = row
	}
	return &c
}
