package scenario

import (
	"github.com/parleyhq/parley"
	"go.yaml.in/yaml/v3"
)

// optionMonitoring adds an option's commitments and verification
// procedure to its mapping om, which it turns into block style when it
// adds anything (a flow mapping that long would be unreadable).
func optionMonitoring(om *yaml.Node, o *parley.Option) {
	if len(o.Commitments) == 0 && o.Verification == nil {
		return
	}
	om.Style = 0
	if len(o.Commitments) > 0 {
		l := seq(false)
		for i := range o.Commitments {
			l.Content = append(l.Content, commitmentNode(&o.Commitments[i]))
		}
		add(om, "commitments", l)
	}
	if pr := o.Verification; pr != nil {
		add(om, "verification", procedureNode(pr))
	}
}

func addInt(m *yaml.Node, key string, v int) {
	if v != 0 {
		add(m, key, num(float64(v)))
	}
}

func addEstimate(m *yaml.Node, key string, e *parley.Estimate) {
	if e != nil {
		add(m, key, estimate(*e))
	}
}

func commitmentNode(c *parley.Commitment) *yaml.Node {
	m := mapping(false)
	add(m, "id", str(c.ID))
	add(m, "kind", str(c.Kind.String()))
	add(m, "text", str(c.Text))
	add(m, "by", strList(c.By))
	if len(c.To) > 0 {
		add(m, "to", strList(c.To))
	}
	if d := c.Due; d != (parley.Due{}) {
		dm := mapping(true)
		if d.Within != nil {
			add(dm, "within", num(float64(*d.Within)))
		}
		addInt(dm, "every", d.Every)
		addInt(dm, "from", d.From)
		addInt(dm, "until", d.Until)
		add(m, "due", dm)
	}
	addStr(m, "verified_by", c.VerifiedBy)
	if b := c.OnBreach; b != nil {
		bm := mapping(true)
		add(bm, "action", str(b.Action.String()))
		if len(b.By) > 0 {
			add(bm, "by", strList(b.By))
		}
		addInt(bm, "within", b.Within)
		addStr(bm, "escalate_to", b.EscalateTo)
		if len(b.Suspends) > 0 {
			add(bm, "suspends", strList(b.Suspends))
		}
		addStr(bm, "note", b.Note)
		add(m, "on_breach", bm)
	}
	if a := c.Assume; a != (parley.CommitmentAssumptions{}) {
		am := mapping(false)
		addEstimate(am, "rate", a.Rate)
		addEstimate(am, "lookalike", a.Lookalike)
		addEstimate(am, "force", a.Force)
		addEstimate(am, "on_time", a.OnTime)
		add(m, "assume", am)
	}
	addCites(m, c.Sources)
	return m
}

func procedureNode(pr *parley.Procedure) *yaml.Node {
	m := mapping(false)
	if iv := pr.Investigate; iv != nil {
		im := mapping(true)
		add(im, "by", strList(iv.By))
		addStr(im, "chair", iv.Chair)
		addInt(im, "open_within", iv.OpenWithin)
		addInt(im, "report_within", iv.ReportWithin)
		addStr(im, "escalate_to", iv.EscalateTo)
		add(m, "investigate", im)
	}
	if r := pr.Rule; r != nil {
		rm := mapping(true)
		add(rm, "by", str(r.By))
		addStr(rm, "casting", r.Casting)
		if len(r.Dissent) > 0 {
			add(rm, "dissent", strList(r.Dissent))
		}
		addInt(rm, "within", r.Within)
		addStr(rm, "escalate_to", r.EscalateTo)
		add(m, "rule", rm)
	}
	if a := pr.Assume; a != (parley.ProcedureAssumptions{}) {
		am := mapping(false)
		addEstimate(am, "detection", a.Detection)
		addEstimate(am, "false_attribution", a.FalseAttribution)
		addEstimate(am, "dispute", a.Dispute)
		add(m, "assume", am)
	}
	addCites(m, pr.Sources)
	return m
}
