package scenario

import (
	"github.com/parleyhq/parley"
	"go.yaml.in/yaml/v3"
)

// Keys of the monitoring parts of an option: the commitments it creates
// and the part of the verification procedure it sets.
var (
	commitmentKeys   = []string{"id", "kind", "text", "by", "to", "due", "verified_by", "on_breach", "assume", "sources"}
	dueKeys          = []string{"within", "every", "from", "until"}
	breachKeys       = []string{"action", "by", "within", "escalate_to", "suspends", "note"}
	cAssumeKeys      = []string{"rate", "lookalike", "force", "on_time"}
	procedureKeys    = []string{"investigate", "rule", "assume", "sources"}
	investigateKeys  = []string{"by", "chair", "open_within", "report_within", "escalate_to"}
	rulingKeys       = []string{"by", "casting", "dissent", "within", "escalate_to"}
	procAssumeKeys   = []string{"detection", "false_attribution", "dispute"}
	commitmentKinds  = names(parley.Obligation, parley.Prohibition, parley.Guarantee)
	breachActionKind = names(parley.Consultation, parley.Referral, parley.Suspension, parley.Response)
)

// optionMonitoring decodes an option's commitments and verification keys.
func (d *decoder) optionMonitoring(o *obj, op *parley.Option) {
	if v := o.opt("commitments"); v != nil {
		cp := join(o.path, "commitments")
		for i, it := range d.list(v, cp) {
			op.Commitments = append(op.Commitments, d.commitment(it, index(cp, i)))
		}
	}
	if v := o.opt("verification"); v != nil {
		op.Verification = d.procedure(v, join(o.path, "verification"))
	}
}

// actorList decodes one name or a list of names.
func (d *decoder) actorList(n *yaml.Node, path string) []string {
	if n.Kind == yaml.ScalarNode {
		d.at(index(path, 0), n)
		return []string{d.str(n, path)}
	}
	return d.strs(n, path)
}

func (d *decoder) commitment(n *yaml.Node, path string) parley.Commitment {
	o := d.object(n, path, commitmentKeys)
	if o == nil {
		return parley.Commitment{}
	}
	var c parley.Commitment
	if v := o.req("id", "a short name for the commitment, used in allegations and reports"); v != nil {
		c.ID = d.str(v, join(path, "id"))
	}
	if v := o.req("kind", "one of "+enumList(parley.Obligation, parley.Prohibition, parley.Guarantee)); v != nil {
		s := d.str(v, join(path, "kind"))
		k, ok := commitmentKinds[s]
		if !ok && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			d.errorf(v, join(path, "kind"), "unknown commitment kind %q%s; expected one of %s", s, didYouMean(s, keysOf(commitmentKinds)), enumList(parley.Obligation, parley.Prohibition, parley.Guarantee))
		}
		c.Kind = k
	}
	if v := o.req("text", "what is owed, in a line"); v != nil {
		c.Text = d.str(v, join(path, "text"))
	}
	if v := o.req("by", "who owes it: a party, a role or mediators"); v != nil {
		c.By = d.actorList(v, join(path, "by"))
	}
	if v := o.opt("to"); v != nil {
		c.To = d.actorList(v, join(path, "to"))
	}
	if v := o.opt("due"); v != nil {
		c.Due = d.due(v, join(path, "due"))
	} else if c.Kind == parley.Obligation {
		o.req("due", "when the obligation falls due: {within: DAYS} or {every: DAYS}")
	}
	c.VerifiedBy = o.optStr("verified_by")
	if v := o.opt("on_breach"); v != nil {
		c.OnBreach = d.breach(v, join(path, "on_breach"))
	}
	if v := o.opt("assume"); v != nil {
		ap := join(path, "assume")
		if ao := d.object(v, ap, cAssumeKeys); ao != nil {
			c.Assume.Rate = d.optEstimate(ao, "rate")
			c.Assume.Lookalike = d.optEstimate(ao, "lookalike")
			c.Assume.Force = d.optEstimate(ao, "force")
			c.Assume.OnTime = d.optEstimate(ao, "on_time")
		}
	}
	if v := o.opt("sources"); v != nil {
		c.Sources = d.cites(v, join(path, "sources"))
	}
	return c
}

// optEstimate decodes an optional estimate field of o.
func (d *decoder) optEstimate(o *obj, key string) *parley.Estimate {
	v := o.opt(key)
	if v == nil {
		return nil
	}
	e := d.estimate(v, join(o.path, key))
	return &e
}

// optInt decodes an optional whole-number field of o.
func (d *decoder) optInt(o *obj, key string) int {
	if v := o.opt(key); v != nil {
		return d.integer(v, join(o.path, key))
	}
	return 0
}

func (d *decoder) due(n *yaml.Node, path string) parley.Due {
	o := d.object(n, path, dueKeys)
	if o == nil {
		return parley.Due{}
	}
	var du parley.Due
	if v := o.opt("within"); v != nil {
		w := d.integer(v, join(path, "within"))
		du.Within = &w
	}
	du.Every = d.optInt(o, "every")
	if v := o.opt("every"); v != nil && du.Every <= 0 {
		d.errorf(v, join(path, "every"), "every must be a positive number of days, got %d", du.Every)
	}
	du.From = d.optInt(o, "from")
	du.Until = d.optInt(o, "until")
	return du
}

func (d *decoder) breach(n *yaml.Node, path string) *parley.Breach {
	o := d.object(n, path, breachKeys)
	if o == nil {
		return nil
	}
	b := &parley.Breach{}
	if v := o.req("action", "one of "+enumList(parley.Consultation, parley.Referral, parley.Suspension, parley.Response)); v != nil {
		s := d.str(v, join(path, "action"))
		a, ok := breachActionKind[s]
		if !ok && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			d.errorf(v, join(path, "action"), "unknown breach action %q%s; expected one of %s", s, didYouMean(s, keysOf(breachActionKind)), enumList(parley.Consultation, parley.Referral, parley.Suspension, parley.Response))
		}
		b.Action = a
	}
	if v := o.opt("by"); v != nil {
		b.By = d.actorList(v, join(path, "by"))
	}
	b.Within = d.optInt(o, "within")
	b.EscalateTo = o.optStr("escalate_to")
	if v := o.opt("suspends"); v != nil {
		b.Suspends = d.strs(v, join(path, "suspends"))
	}
	b.Note = o.optStr("note")
	return b
}

func (d *decoder) procedure(n *yaml.Node, path string) *parley.Procedure {
	o := d.object(n, path, procedureKeys)
	if o == nil {
		return nil
	}
	pr := &parley.Procedure{}
	if v := o.opt("investigate"); v != nil {
		ip := join(path, "investigate")
		if io := d.object(v, ip, investigateKeys); io != nil {
			iv := &parley.Investigation{}
			if x := io.req("by", "who may investigate: joint, mediators or a party"); x != nil {
				iv.By = d.actorList(x, join(ip, "by"))
			}
			iv.Chair = io.optStr("chair")
			iv.OpenWithin = d.optInt(io, "open_within")
			iv.ReportWithin = d.optInt(io, "report_within")
			iv.EscalateTo = io.optStr("escalate_to")
			pr.Investigate = iv
		}
	}
	if v := o.opt("rule"); v != nil {
		rp := join(path, "rule")
		if ro := d.object(v, rp, rulingKeys); ro != nil {
			r := &parley.Ruling{}
			if x := ro.req("by", "who rules: joint, consensus or a party"); x != nil {
				r.By = d.str(x, join(rp, "by"))
			}
			r.Casting = ro.optStr("casting")
			if x := ro.opt("dissent"); x != nil {
				r.Dissent = d.actorList(x, join(rp, "dissent"))
			}
			r.Within = d.optInt(ro, "within")
			r.EscalateTo = ro.optStr("escalate_to")
			pr.Rule = r
		}
	}
	if v := o.opt("assume"); v != nil {
		ap := join(path, "assume")
		if ao := d.object(v, ap, procAssumeKeys); ao != nil {
			pr.Assume.Detection = d.optEstimate(ao, "detection")
			pr.Assume.FalseAttribution = d.optEstimate(ao, "false_attribution")
			pr.Assume.Dispute = d.optEstimate(ao, "dispute")
		}
	}
	if v := o.opt("sources"); v != nil {
		pr.Sources = d.cites(v, join(path, "sources"))
	}
	return pr
}
