package monitoring

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/verify"
)

//go:embed monitor.html
var pageText string

var page = template.Must(template.New("monitor").Parse(pageText))

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
	return page.Execute(w, v)
}

// svg builds inline SVG markup; text goes through esc.
type svg struct{ b strings.Builder }

func (s *svg) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func esc(s string) string { return template.HTMLEscapeString(s) }

func n(x float64) string { return fmt.Sprintf("%.1f", x) }

// timeline draws one row per commitment, one per case and one for the
// incidents, over days from signature to the report's day.
func timeline(r *compliance.Report, signed time.Time, incidents []parley.Incident, colors map[string]string) template.HTML {
	const left, right, rowH, top = 190.0, 940.0, 22.0, 34.0
	// From signature (or the first incident) to the report's day, and on
	// to the next due dates within four months of it.
	lo, hi := 0, max(r.AsOfDay, 7)
	for _, c := range r.Commitments {
		for _, in := range c.Instances {
			if in.DueDay <= r.AsOfDay+120 {
				hi = max(hi, in.DueDay+2)
			}
		}
	}
	type dot struct {
		day   int
		color string
		title string
	}
	var dots []dot
	cat := map[string]string{}
	for _, c := range r.Cases {
		if c.Incident == "" {
			continue
		}
		switch {
		case c.Ruling == "":
			cat[c.Incident] = compliance.CatOpen
		case c.Ruling == parley.Attributed.String():
			cat[c.Incident] = compliance.CatAttributed(c.Accused)
		case c.Ruling == parley.NotAttributable.String():
			cat[c.Incident] = compliance.CatNotAttributable
		default:
			cat[c.Incident] = compliance.CatUnfounded
		}
	}
	for _, in := range incidents {
		t, err := time.Parse(parley.DateLayout, in.Date)
		if err != nil {
			continue
		}
		d := parley.DaysBetween(signed, t)
		if d > r.AsOfDay {
			continue
		}
		lo = min(lo, d)
		c := cat[in.Key]
		if c == "" {
			c = compliance.CatNotAlleged
		}
		dots = append(dots, dot{d, colors[c], fmt.Sprintf("%s %s: %s, %s (%s)", in.Date, in.Key, in.EventType, in.Location, c)})
	}
	x := func(day int) float64 { return left + (right-left)*float64(day-lo)/float64(hi-lo) }
	rows := 1 + len(r.Cases) + len(r.Commitments)
	height := top + rowH*float64(rows) + 30
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 %s" width="960" height="%s" role="img" aria-label="Timeline" class="timeline">`, n(height), n(height))
	// Axis: a tick a week, labelled with dates.
	step := 7 * int(math.Max(1, math.Ceil(float64(hi-lo)/7/14)))
	for d := lo - ((lo%7)+7)%7; d <= hi; d += step {
		if d < lo {
			continue
		}
		s.f(`<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, n(x(d)), n(top-6), n(x(d)), n(height-24))
		s.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, n(x(d)), n(height-10), esc(signed.AddDate(0, 0, d).Format("2 Jan")))
	}
	if hi > r.AsOfDay {
		s.f(`<rect class="future" x="%s" y="%s" width="%s" height="%s"><title>after %s</title></rect>`, n(x(r.AsOfDay)), n(top-6), n(x(hi)-x(r.AsOfDay)), n(height-24-top+6), esc(r.AsOf))
	}
	s.f(`<line class="sign" x1="%s" y1="%s" x2="%s" y2="%s"><title>signed %s</title></line>`, n(x(0)), n(top-12), n(x(0)), n(height-24), esc(r.Signed))
	s.f(`<line class="asof" x1="%s" y1="%s" x2="%s" y2="%s"><title>as of %s</title></line>`, n(x(r.AsOfDay)), n(top-12), n(x(r.AsOfDay)), n(height-24), esc(r.AsOf))
	s.f(`<text class="head" x="%s" y="%s">signed</text><text class="head" x="%s" y="%s" text-anchor="end">as of %s</text>`, n(x(0)+3), n(top-16), n(x(r.AsOfDay)-3), n(top-16), esc(r.AsOf))
	y := top
	label := func(text, class string) {
		s.f(`<text class="label %s" x="%s" y="%s">%s</text>`, class, n(left-8), n(y+rowH/2+4), esc(text))
	}
	// Incidents.
	label(fmt.Sprintf("incidents (%d)", len(dots)), "")
	for _, d := range dots {
		s.f(`<circle class="incident" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, n(x(d.day)), n(y+rowH/2), d.color, esc(d.title))
	}
	y += rowH
	// Cases: allegation to ruling.
	for _, c := range r.Cases {
		label("case "+c.ID, "case")
		end := r.AsOfDay
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
		cy := y + rowH/2
		s.f(`<line class="case" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, n(x(c.FiledDay)), n(cy), n(x(end)), n(cy), color)
		s.f(`<circle class="filed" cx="%s" cy="%s" r="4"><title>%s alleged on %s: %s v %s</title></circle>`, n(x(c.FiledDay)), n(cy), esc(c.ID), esc(c.Filed), esc(c.By), esc(c.Accused))
		if c.RuledDay != nil {
			s.f(`<rect class="ruling" x="%s" y="%s" width="9" height="9" fill="%s"><title>ruled %s by %s on %s</title></rect>`, n(x(end)-4.5), n(cy-4.5), color, esc(c.Ruling), esc(c.RuledBy), esc(c.Ruled))
		}
		y += rowH
	}
	// Commitments.
	for _, c := range r.Commitments {
		label(c.ID, "commitment")
		cy := y + rowH/2
		color := statusColor[c.Status]
		if len(c.Instances) > 0 {
			for _, in := range c.Instances {
				if in.DueDay > hi {
					continue
				}
				cx := x(in.DueDay)
				s.f(`<path class="due" d="M%s %s l5 5 l-5 5 l-5 -5 z" fill="%s"><title>%s #%d due %s: %s</title></path>`, n(cx), n(cy-5), statusColor[in.Status], esc(c.ID), in.N, esc(in.Due), in.Status)
			}
		} else {
			end := r.AsOfDay
			if c.Until != "" {
				if t, err := time.Parse(parley.DateLayout, c.Until); err == nil {
					end = min(r.AsOfDay, parley.DaysBetween(signed, t))
				}
			}
			start := 0
			if t, err := time.Parse(parley.DateLayout, c.From); err == nil {
				start = parley.DaysBetween(signed, t)
			}
			if start <= end {
				s.f(`<rect class="holds" x="%s" y="%s" width="%s" height="6" fill="%s"><title>%s: %s</title></rect>`, n(x(start)), n(cy-3), n(math.Max(1, x(end)-x(start))), color, esc(c.ID), esc(c.Status.String()+" — "+c.Why))
			}
		}
		y += rowH
	}
	s.f(`</svg>`)
	return template.HTML(s.b.String())
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
