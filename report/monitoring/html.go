package monitoring

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/verify"
)

//go:embed monitor.html
var pageText string

// page is parsed on first use, not at start-up: every command links it.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("monitor").Parse(pageText))
})

// HTMLOptions configure the page.
type HTMLOptions struct {
	// Seat, when set, titles the page as that seat's view; pass the
	// report through Report.ForSeat first.
	Seat string
	// Incidents are drawn on the timeline; nil draws none.
	Incidents []parley.Incident
	// Seats are every seat of the accord (for the log's audience column).
	Seats []string
}

type view struct {
	Title      string
	Seat       string
	R          *compliance.Report
	Investig   string
	Rule       string
	Counts     []countView
	Rows       []commitmentRow
	Cases      []compliance.CaseRow
	Timeline   template.HTML
	Weekly     template.HTML
	Legend     []legendItem
	Events     []eventRow
	Durations  string
	Categories []legendItem
}

type countView struct {
	Status string
	N      int
}

type commitmentRow struct {
	compliance.CommitmentStatus
	Class string
	Owers string
	To    string
}

type legendItem struct{ Label, Color string }

type eventRow struct {
	Seq, Date, Kind, Case, By, What, Seen string
	Class                                 string
}

var statusColor = map[compliance.Status]string{
	compliance.Met: "#2e7d32", compliance.Pending: "#78909c", compliance.Disputed: "#f9a825", compliance.Missed: "#c62828", compliance.Suspended: "#6a1b9a",
}

// categoryColor colours an incident category; parties' attribution
// categories take reds in order.
func categoryColor(cat string, i int) string {
	switch cat {
	case compliance.CatNotAttributable:
		return "#9e9e9e"
	case compliance.CatUnfounded:
		return "#cfd8dc"
	case compliance.CatOpen:
		return "#f9a825"
	case compliance.CatNotAlleged:
		return "#90caf9"
	}
	reds := []string{"#c62828", "#ad1457", "#6a1b9a", "#e65100"}
	return reds[i%len(reds)]
}

// HTML writes the compliance report as one self-contained page: summary,
// a timeline of commitments, cases and incidents, the incidents per week
// by attribution, the cases and the verification log.
func HTML(w io.Writer, r *compliance.Report, opt HTMLOptions) error {
	v := &view{R: r, Seat: opt.Seat, Title: "Monitoring: " + r.Scenario}
	if r.Variant != "" {
		v.Title += " (" + r.Variant + ")"
	}
	v.Investig, v.Rule = Mechanism(r.Mechanism)
	for _, s := range []compliance.Status{compliance.Met, compliance.Missed, compliance.Disputed, compliance.Pending, compliance.Suspended} {
		v.Counts = append(v.Counts, countView{s.String(), r.Counts[s.String()]})
	}
	for _, c := range r.Commitments {
		v.Rows = append(v.Rows, commitmentRow{CommitmentStatus: c, Class: c.Status.String(), Owers: strings.Join(c.By, ", "), To: strings.Join(c.To, ", ")})
	}
	v.Cases = r.Cases
	colors := map[string]string{}
	for i, c := range r.Incidents.Categories {
		colors[c] = categoryColor(c, i)
		v.Categories = append(v.Categories, legendItem{c, colors[c]})
	}
	for _, s := range []compliance.Status{compliance.Met, compliance.Pending, compliance.Disputed, compliance.Missed, compliance.Suspended} {
		v.Legend = append(v.Legend, legendItem{s.String(), statusColor[s]})
	}
	signed, err := time.Parse(parley.DateLayout, r.Signed)
	if err != nil {
		return parley.Errorf(parley.EINVALID, "report: signature date %q", r.Signed)
	}
	v.Timeline = timeline(r, signed, opt.Incidents, colors)
	v.Weekly = weekly(r, colors)
	if d := r.TimeToRuling; d.N > 0 {
		v.Durations = fmt.Sprintf("%d ruling(s): mean %.1f days, median %.1f, longest %d", d.N, d.Mean, d.Median, d.Max)
	}
	for _, ev := range r.Events {
		line := verify.Format(ev, opt.Seats)
		what := line
		if i := strings.Index(line, ev.Kind.String()); i >= 0 {
			what = line[i+len(ev.Kind.String()):]
		}
		v.Events = append(v.Events, eventRow{Seq: fmt.Sprint(ev.Seq), Date: signed.AddDate(0, 0, ev.Day).Format(parley.DateLayout), Kind: ev.Kind.String(),
			Case: ev.Case, By: ev.By, What: strings.TrimSpace(what), Seen: strings.Join(ev.Audience, ", "), Class: ev.Kind.String()})
	}
	return page().Execute(w, v)
}

// svg builds inline SVG markup; text goes through esc.
type svg struct{ b strings.Builder }

func (s *svg) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func esc(s string) string { return template.HTMLEscapeString(s) }

func n(x float64) string { return fmt.Sprintf("%.1f", x) }

// tline is the timeline being drawn: days lo..hi across the plot, one
// row of rowH pixels per item from y down.
type tline struct {
	svg
	r      *compliance.Report
	signed time.Time
	lo, hi int
	y      float64
}

const (
	tlLeft, tlRight, tlRow, tlTop = 190.0, 940.0, 22.0, 34.0
)

func (t *tline) x(day int) float64 {
	return tlLeft + (tlRight-tlLeft)*float64(day-t.lo)/float64(t.hi-t.lo)
}

func (t *tline) label(text, class string) {
	t.f(`<text class="label %s" x="%s" y="%s">%s</text>`, class, n(tlLeft-8), n(t.y+tlRow/2+4), esc(text))
}

// dot is an incident on the timeline.
type dot struct {
	day          int
	color, title string
}

// timeline draws one row for the incidents, one per case and one per
// commitment, over days from signature (or the first incident) to the
// report's day and on to the next due dates within four months of it.
func timeline(r *compliance.Report, signed time.Time, incidents []parley.Incident, colors map[string]string) template.HTML {
	t := &tline{r: r, signed: signed, lo: 0, hi: max(r.AsOfDay, 7), y: tlTop}
	for _, c := range r.Commitments {
		for _, in := range c.Instances {
			if in.DueDay <= r.AsOfDay+120 {
				t.hi = max(t.hi, in.DueDay+2)
			}
		}
	}
	dots := incidentDots(r, signed, incidents, colors)
	for _, d := range dots {
		t.lo = min(t.lo, d.day)
	}
	height := tlTop + tlRow*float64(1+len(r.Cases)+len(r.Commitments)) + 30
	t.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 %s" width="960" height="%s" role="img" aria-label="Timeline" class="timeline">`, n(height), n(height))
	t.axis(height)
	t.label(fmt.Sprintf("incidents (%d)", len(dots)), "")
	for _, d := range dots {
		t.f(`<circle class="incident" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, n(t.x(d.day)), n(t.y+tlRow/2), d.color, esc(d.title))
	}
	t.y += tlRow
	for _, c := range r.Cases {
		t.caseRow(c)
	}
	for _, c := range r.Commitments {
		t.commitmentRow(c)
	}
	t.f(`</svg>`)
	return template.HTML(t.b.String())
}

// incidentDots places the register's incidents up to the report's day,
// coloured by how the last case that names each was decided.
func incidentDots(r *compliance.Report, signed time.Time, incidents []parley.Incident, colors map[string]string) []dot {
	cat := map[string]string{}
	for _, c := range r.Cases {
		if c.Incident == "" {
			continue
		}
		switch c.Ruling {
		case "":
			cat[c.Incident] = compliance.CatOpen
		case parley.Attributed.String():
			cat[c.Incident] = compliance.CatAttributed(c.Accused)
		case parley.NotAttributable.String():
			cat[c.Incident] = compliance.CatNotAttributable
		default:
			cat[c.Incident] = compliance.CatUnfounded
		}
	}
	var dots []dot
	for _, in := range incidents {
		d, err := time.Parse(parley.DateLayout, in.Date)
		if err != nil {
			continue
		}
		day := parley.DaysBetween(signed, d)
		if day > r.AsOfDay {
			continue
		}
		c := cat[in.Key]
		if c == "" {
			c = compliance.CatNotAlleged
		}
		dots = append(dots, dot{day, colors[c], fmt.Sprintf("%s %s: %s, %s (%s)", in.Date, in.Key, in.EventType, in.Location, c)})
	}
	return dots
}

// axis draws a tick a week labelled with dates, the signature, the
// report's day and the shaded future.
func (t *tline) axis(height float64) {
	r := t.r
	if t.hi > r.AsOfDay {
		t.f(`<rect class="future" x="%s" y="%s" width="%s" height="%s"><title>after %s</title></rect>`, n(t.x(r.AsOfDay)), n(tlTop-6), n(t.x(t.hi)-t.x(r.AsOfDay)), n(height-24-tlTop+6), esc(r.AsOf))
	}
	step := 7 * int(math.Max(1, math.Ceil(float64(t.hi-t.lo)/7/14)))
	for d := t.lo - ((t.lo%7)+7)%7; d <= t.hi; d += step {
		if d < t.lo {
			continue
		}
		t.f(`<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, n(t.x(d)), n(tlTop-6), n(t.x(d)), n(height-24))
		t.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, n(t.x(d)), n(height-10), esc(t.signed.AddDate(0, 0, d).Format("2 Jan")))
	}
	t.f(`<line class="sign" x1="%s" y1="%s" x2="%s" y2="%s"><title>signed %s</title></line>`, n(t.x(0)), n(tlTop-12), n(t.x(0)), n(height-24), esc(r.Signed))
	t.f(`<line class="asof" x1="%s" y1="%s" x2="%s" y2="%s"><title>as of %s</title></line>`, n(t.x(r.AsOfDay)), n(tlTop-12), n(t.x(r.AsOfDay)), n(height-24), esc(r.AsOf))
	t.f(`<text class="head" x="%s" y="%s">signed</text><text class="head" x="%s" y="%s" text-anchor="end">as of %s</text>`, n(t.x(0)+3), n(tlTop-16), n(t.x(r.AsOfDay)-3), n(tlTop-16), esc(r.AsOf))
}

// caseRow draws a case from its allegation to its ruling (or the report's
// day), coloured by the ruling.
func (t *tline) caseRow(c compliance.CaseRow) {
	t.label("case "+c.ID, "case")
	end := t.r.AsOfDay
	if c.RuledDay != nil {
		end = *c.RuledDay
	}
	color := "#78909c"
	switch c.Ruling {
	case parley.Attributed.String():
		color = "#c62828"
	case parley.NotAttributable.String(), parley.Unfounded.String():
		color = "#2e7d32"
	}
	if c.Disputed {
		color = "#f9a825"
	}
	cy := t.y + tlRow/2
	t.f(`<line class="case" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, n(t.x(c.FiledDay)), n(cy), n(t.x(end)), n(cy), color)
	t.f(`<circle class="filed" cx="%s" cy="%s" r="4"><title>%s alleged on %s: %s v %s</title></circle>`, n(t.x(c.FiledDay)), n(cy), esc(c.ID), esc(c.Filed), esc(c.By), esc(c.Accused))
	if c.RuledDay != nil {
		t.f(`<rect class="ruling" x="%s" y="%s" width="9" height="9" fill="%s"><title>ruled %s by %s on %s</title></rect>`, n(t.x(end)-4.5), n(cy-4.5), color, esc(c.Ruling), esc(c.RuledBy), esc(c.Ruled))
	}
	t.y += tlRow
}

// commitmentRow draws an obligation's due dates, or the period a
// prohibition or guarantee holds, coloured by status.
func (t *tline) commitmentRow(c compliance.CommitmentStatus) {
	t.label(c.ID, "commitment")
	cy := t.y + tlRow/2
	t.y += tlRow
	if len(c.Instances) > 0 {
		for _, in := range c.Instances {
			if in.DueDay <= t.hi {
				t.f(`<path class="due" d="M%s %s l5 5 l-5 5 l-5 -5 z" fill="%s"><title>%s #%d due %s: %s</title></path>`, n(t.x(in.DueDay)), n(cy-5), statusColor[in.Status], esc(c.ID), in.N, esc(in.Due), in.Status)
			}
		}
		return
	}
	start, end := 0, t.r.AsOfDay
	if d, err := time.Parse(parley.DateLayout, c.From); err == nil {
		start = parley.DaysBetween(t.signed, d)
	}
	if d, err := time.Parse(parley.DateLayout, c.Until); err == nil {
		end = min(end, parley.DaysBetween(t.signed, d))
	}
	if start <= end {
		t.f(`<rect class="holds" x="%s" y="%s" width="%s" height="6" fill="%s"><title>%s: %s</title></rect>`, n(t.x(start)), n(cy-3), n(math.Max(1, t.x(end)-t.x(start))), statusColor[c.Status], esc(c.ID), esc(c.Status.String()+" — "+c.Why))
	}
}

// weekly draws the incidents per week as stacked bars by category.
func weekly(r *compliance.Report, colors map[string]string) template.HTML {
	weeks := r.Incidents.Weeks
	if len(weeks) == 0 {
		return ""
	}
	const left, width, height, bottom = 40.0, 900.0, 200.0, 170.0
	maxN := 1
	for _, w := range weeks {
		maxN = max(maxN, w.Total)
	}
	bw := math.Min(40, (width-left)/float64(len(weeks)))
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 %s" width="960" height="%s" role="img" aria-label="Incidents per week" class="weekly">`, n(height+20), n(height+20))
	step := (maxN + 3) / 4 // whole-number ticks, at most five
	maxN = step * ((maxN + step - 1) / step)
	for v := 0; v <= maxN; v += step {
		yy := bottom - (bottom-10)*float64(v)/float64(maxN)
		s.f(`<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="end">%d</text>`, n(left), n(yy), n(left+width), n(yy), n(left-4), n(yy+4), v)
	}
	for i, w := range weeks {
		x := left + float64(i)*bw + 2
		y := bottom
		for _, c := range r.Incidents.Categories {
			k := w.Counts[c]
			if k == 0 {
				continue
			}
			h := (bottom - 10) * float64(k) / float64(maxN)
			y -= h
			s.f(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s (from %s): %d %s</title></rect>`, n(x), n(y), n(bw-4), n(h), colors[c], esc(w.Week), esc(w.Monday), k, esc(c))
		}
		if len(weeks) <= 26 || i%4 == 0 {
			s.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, n(x+bw/2-2), n(bottom+14), esc(strings.TrimPrefix(w.Week[5:], "W")))
		}
	}
	s.f(`<text class="tick" x="%s" y="%s">ISO week</text>`, n(left), n(bottom+30))
	s.f(`</svg>`)
	return template.HTML(s.b.String())
}
