package parley

import (
	"fmt"
	"sort"
	"strings"
)

// commitments checks every option's commitments and verification
// procedure: ids, kinds and schedules, the names of owers, beneficiaries,
// verifiers and bodies, and the estimates of the assumptions.
func (c *compiler) commitments() {
	s := c.s
	names := c.actorNames()
	issueOf := map[string]int{}   // commitment id → first issue that creates it
	procIssue := map[string]int{} // "investigate"/"rule" → first issue whose option sets it
	all := map[string]bool{}      // every commitment id
	reported := map[string]bool{} // part+issue already reported as a clash
	for i := range s.Issues {
		for _, op := range s.Issues[i].Options {
			for _, cm := range op.Commitments {
				all[cm.ID] = true
			}
		}
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		for j := range is.Options {
			op := &is.Options[j]
			p := fmt.Sprintf("issues[%d].options[%d]", i, j)
			if (len(op.Commitments) > 0 || op.Verification != nil) && is.Kind != Categorical {
				c.errf(p, "commitments and verification belong to categorical options; issue %q is %s", is.Name, is.Kind)
			}
			seen := map[string]bool{}
			for k := range op.Commitments {
				cp := fmt.Sprintf("%s.commitments[%d]", p, k)
				cm := &op.Commitments[k]
				switch {
				case cm.ID == "":
					c.errf(cp+".id", "commitment id required")
				case seen[cm.ID]:
					c.errf(cp+".id", "duplicate commitment id %q in option %q", cm.ID, op.Label)
				default:
					if first, ok := issueOf[cm.ID]; ok && first != i {
						c.errf(cp+".id", "commitment id %q is also created by issue %q; options of different issues can be agreed together, so their commitments need distinct ids", cm.ID, s.Issues[first].Name)
					} else if !ok {
						issueOf[cm.ID] = i
					}
				}
				seen[cm.ID] = true
				c.commitment(cp, cm, names, all)
			}
			if pr := op.Verification; pr != nil {
				vp := p + ".verification"
				for part, set := range map[string]bool{"investigate": pr.Investigate != nil, "rule": pr.Rule != nil} {
					if !set {
						continue
					}
					if first, ok := procIssue[part]; ok && first != i {
						if reported[part+is.Name] {
							continue
						}
						reported[part+is.Name] = true
						c.errf(vp+"."+part, "issue %q also sets %s; only one issue's options may say who %s", s.Issues[first].Name, part, map[string]string{"investigate": "investigates", "rule": "rules"}[part])
					} else {
						procIssue[part] = i
					}
				}
				c.procedure(vp, pr, names)
			}
		}
	}
}

// actorNames maps each name commitments may use to what it is: "party",
// "mediator" or "role".
func (c *compiler) actorNames() map[string]string {
	names := map[string]string{}
	hasMediator := false
	for _, r := range c.s.Roles {
		kind := "role"
		if r.Kind == Mediator {
			kind, hasMediator = "mediator", true
		}
		names[r.Name] = kind
	}
	for _, p := range c.s.Parties {
		names[p.Name] = "party"
	}
	if hasMediator {
		names[SeatMediators] = "mediator"
	}
	return names
}

func (c *compiler) actor(path, name string, names map[string]string, allowed ...string) {
	if name == "" {
		c.errf(path, "name required")
		return
	}
	for _, a := range allowed {
		if name == a {
			return
		}
	}
	if _, ok := names[name]; ok {
		return
	}
	known := append([]string(nil), allowed...)
	for n := range names {
		known = append(known, n)
	}
	sort.Strings(known)
	hint := ""
	if name == SeatMediators {
		hint = " (the scenario has no mediator roles)"
	}
	c.errf(path, "unknown party or role %q%s; expected one of %s", name, hint, strings.Join(known, ", "))
}

func (c *compiler) actors(path string, list []string, names map[string]string, allowed ...string) {
	for i, n := range list {
		c.actor(fmt.Sprintf("%s[%d]", path, i), n, names, allowed...)
	}
}

func (c *compiler) commitment(p string, cm *Commitment, names map[string]string, all map[string]bool) {
	if cm.Kind < Obligation || cm.Kind > Guarantee {
		c.errf(p+".kind", "unknown commitment kind %d", cm.Kind)
	}
	if strings.TrimSpace(cm.Text) == "" {
		c.errf(p+".text", "commitment %q needs a text saying what is owed", cm.ID)
	}
	if len(cm.By) == 0 {
		c.errf(p+".by", "commitment %q needs at least one ower", cm.ID)
	}
	c.actors(p+".by", cm.By, names)
	c.actors(p+".to", cm.To, names)
	if cm.VerifiedBy != "" {
		c.actor(p+".verified_by", cm.VerifiedBy, names, VerifierMechanism)
	}
	if cm.Kind == Obligation && cm.VerifiedBy == "" && len(cm.To) == 0 {
		c.errf(p+".verified_by", "say who verifies obligation %q: it has no beneficiaries (to) to default to", cm.ID)
	}
	c.due(p+".due", cm)
	if b := cm.OnBreach; b != nil {
		bp := p + ".on_breach"
		if b.Action < Consultation || b.Action > Response {
			c.errf(bp+".action", "unknown breach action %d", b.Action)
		}
		c.actors(bp+".by", b.By, names)
		if b.EscalateTo != "" {
			c.actor(bp+".escalate_to", b.EscalateTo, names)
		}
		if b.Within < 0 {
			c.errf(bp+".within", "must not be negative, got %d", b.Within)
		}
		if len(b.Suspends) > 0 && b.Action != Suspension {
			c.errf(bp+".suspends", "suspends applies to action suspension only, not %s", b.Action)
		}
		for i, id := range b.Suspends {
			if !all[id] {
				c.errf(fmt.Sprintf("%s.suspends[%d]", bp, i), "unknown commitment %q", id)
			}
		}
		if len(b.By) == 0 && len(cm.To) == 0 {
			c.errf(bp+".by", "say who carries out the consequence: commitment %q has no beneficiaries (to) to default to", cm.ID)
		}
	}
	a := cm.Assume
	if a.Rate != nil || a.Lookalike != nil {
		if cm.Kind == Obligation {
			c.errf(p+".assume", "rate and lookalike apply to prohibitions and guarantees (incidents), not obligations")
		}
	}
	if a.Rate != nil {
		c.estimate(p+".assume.rate", *a.Rate, 0, 1e6)
	}
	if a.Lookalike != nil {
		c.estimate(p+".assume.lookalike", *a.Lookalike, 0, 1e6)
	}
	if a.OnTime != nil {
		c.estimate(p+".assume.on_time", *a.OnTime, 0, 1)
		if cm.Kind != Obligation {
			c.errf(p+".assume.on_time", "on_time is the chance an obligation's instance is fulfilled by its due day; %q is a %s", cm.ID, cm.Kind)
		}
	}
	if a.Force != nil {
		c.estimate(p+".assume.force", *a.Force, 0, 1)
		if cm.OnBreach == nil || cm.OnBreach.Action != Response {
			c.errf(p+".assume.force", "force is the chance of a response by force; it needs on_breach action response")
		}
	}
	c.cites(p+".sources", cm.Sources)
}

func (c *compiler) due(p string, cm *Commitment) {
	d := cm.Due
	if d.Within != nil && *d.Within < 0 {
		c.errf(p+".within", "must not be negative, got %d", *d.Within)
	}
	if d.Every < 0 {
		c.errf(p+".every", "must be positive, got %d", d.Every)
	}
	if d.From < 0 {
		c.errf(p+".from", "must not be negative, got %d", d.From)
	}
	if d.Until < 0 || (d.Until > 0 && d.Until <= d.From) {
		c.errf(p+".until", "must come after from (day %d), got %d", d.From, d.Until)
	}
	switch cm.Kind {
	case Obligation:
		switch {
		case d.Within == nil && d.Every == 0:
			c.errf(p, "obligation %q needs within (a one-off) or every (periodic)", cm.ID)
		case d.Within != nil && d.Every != 0:
			c.errf(p, "obligation %q has both within and every; give one", cm.ID)
		case d.Within != nil && (d.From != 0 || d.Until != 0):
			c.errf(p, "a one-off obligation is due within days of signature; from and until apply to periodic ones")
		}
	default:
		if d.Within != nil || d.Every != 0 {
			c.errf(p, "a %s holds over a period (from, until); within and every apply to obligations", cm.Kind)
		}
	}
}

func (c *compiler) procedure(p string, pr *Procedure, names map[string]string) {
	if iv := pr.Investigate; iv != nil {
		ip := p + ".investigate"
		if len(iv.By) == 0 {
			c.errf(ip+".by", "say who may investigate: %s, %s or a party", BodyJoint, SeatMediators)
		}
		for i, b := range iv.By {
			bp := fmt.Sprintf("%s.by[%d]", ip, i)
			c.actor(bp, b, names, BodyJoint)
			if k := names[b]; k == "role" {
				c.errf(bp, "%q is neither a party nor the mediators; it cannot investigate", b)
			}
		}
		if iv.Chair != "" {
			c.actor(ip+".chair", iv.Chair, names)
			if !contains(iv.By, BodyJoint) {
				c.errf(ip+".chair", "a chair breaks a joint body's split; add %s to by", BodyJoint)
			}
		}
		if iv.EscalateTo != "" {
			c.actor(ip+".escalate_to", iv.EscalateTo, names)
		}
		if iv.OpenWithin < 0 || iv.ReportWithin < 0 {
			c.errf(ip, "deadlines must not be negative")
		}
	}
	if r := pr.Rule; r != nil {
		rp := p + ".rule"
		c.actor(rp+".by", r.By, names, BodyJoint, BodyConsensus)
		if names[r.By] == "role" || names[r.By] == "mediator" {
			c.errf(rp+".by", "a ruling is made by %s, %s or one party; %q is not a party", BodyJoint, BodyConsensus, r.By)
		}
		if r.Casting != "" {
			c.actor(rp+".casting", r.Casting, names)
			if r.By != BodyJoint {
				c.errf(rp+".casting", "a casting vote breaks a joint ruling's split; rule by is %q", r.By)
			}
		}
		c.actors(rp+".dissent", r.Dissent, names)
		if r.EscalateTo != "" {
			c.actor(rp+".escalate_to", r.EscalateTo, names)
		}
		if r.Within < 0 {
			c.errf(rp+".within", "must not be negative, got %d", r.Within)
		}
	}
	a := pr.Assume
	for _, e := range []struct {
		key string
		est *Estimate
	}{{"detection", a.Detection}, {"false_attribution", a.FalseAttribution}, {"dispute", a.Dispute}} {
		if e.est != nil {
			c.estimate(p+".assume."+e.key, *e.est, 0, 1)
		}
	}
	c.cites(p+".sources", pr.Sources)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
