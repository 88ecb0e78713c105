package verify

import (
	"sort"
	"strings"

	"github.com/parleyhq/parley"
)

func (m *Machine) allege(o *out, in parley.CaseEvent) error {
	if in.Case == "" {
		return refuse("an allegation needs a case id")
	}
	if _, dup := m.cases[in.Case]; dup {
		return refuse("case %q is already filed", in.Case)
	}
	if !m.a.IsParty(in.Accused) {
		return refuse("the accused must be a party (%s), got %q", strings.Join(m.a.Parties, ", "), in.Accused)
	}
	if in.Accused == in.By {
		return forbid("%s cannot allege a breach against itself", in.By)
	}
	if len(in.Commitments) == 0 {
		return refuse("an allegation names the commitments it says were broken")
	}
	for _, id := range in.Commitments {
		c := m.a.Commitment(id)
		switch {
		case c == nil:
			return refuse("the accord has no commitment %q", id)
		case c.Kind == parley.Obligation:
			return refuse("%q is an obligation: it is reported and confirmed, not alleged against", id)
		case !m.owes(c, in.Accused):
			return refuse("%s does not owe %q (owed by %s)", in.Accused, id, strings.Join(c.By, ", "))
		}
		if d, ok := m.suspended[id]; ok {
			return refuse("%q has been suspended since day %d", id, d)
		}
	}
	c := &Case{
		ID: in.Case, Incident: in.Incident, Accused: in.Accused, By: in.By, Filed: in.Day,
		Commitments: append([]string(nil), in.Commitments...), Stage: Alleged,
		Views: map[string]parley.Verdict{}, Votes: map[string]parley.Verdict{}, Escalated: map[string]string{},
	}
	c.Deadline = deadline(in.Day, m.a.Mechanism.Investigate.OpenWithin)
	m.cases[c.ID] = c
	m.order = append(m.order, c.ID)
	m.active = append(m.active, c)
	in.Deadline = c.Deadline
	o.emit(in)
	return nil
}

// owes reports whether party (or its seat) is among c's owers.
func (m *Machine) owes(c *parley.Commitment, party string) bool {
	for _, b := range c.By {
		if m.a.Seat(b) == party {
			return true
		}
	}
	return false
}

func deadline(day, within int) int {
	if within <= 0 {
		return 0
	}
	return day + within
}

func (m *Machine) caseAt(in parley.CaseEvent, stages ...Stage) (*Case, error) {
	c, ok := m.cases[in.Case]
	if !ok {
		return nil, missing("no case %q", in.Case)
	}
	for _, s := range stages {
		if c.Stage == s {
			return c, nil
		}
	}
	return nil, refuse("case %q is %s", c.ID, c.Stage)
}

func (m *Machine) open(o *out, in parley.CaseEvent) error {
	c, err := m.caseAt(in, Alleged)
	if err != nil {
		return err
	}
	iv := m.a.Mechanism.Investigate
	body := in.Body
	if body == "" {
		body = iv.By[0]
	}
	escalated := c.Escalated[StepOpen]
	allowed := contains(iv.By, body) || m.a.Seat(body) == escalated
	if !allowed {
		return forbid("the text lets %s investigate, not %s", orList(iv.By), body)
	}
	if !contains(m.members(body), in.By) && in.By != escalated {
		return forbid("%s is not a member of the %s body", in.By, body)
	}
	c.Stage, c.Body, c.Opened = Investigating, body, in.Day
	c.Deadline = deadline(in.Day, iv.ReportWithin)
	in.Body, in.Deadline = body, c.Deadline
	o.emit(in)
	return nil
}

// bodyAudience is who sees an investigation's inner workings: the body's
// members.
func (m *Machine) bodyAudience(c *Case) []string {
	return m.members(c.Body)
}

func (m *Machine) evidence(o *out, in parley.CaseEvent) error {
	c, err := m.caseAt(in, Investigating)
	if err != nil {
		return err
	}
	if in.Confidential {
		if !contains(m.all, parley.SeatMediators) {
			return refuse("confidential evidence goes to the mediators, and this accord has none")
		}
		in.Audience = union([]string{in.By}, parley.SeatMediators)
	} else {
		in.Audience = union(m.bodyAudience(c), in.By)
	}
	o.emit(in)
	return nil
}

func (m *Machine) find(o *out, in parley.CaseEvent) error {
	c, err := m.caseAt(in, Investigating)
	if err != nil {
		return err
	}
	if in.Verdict == parley.NoVerdict {
		return refuse("a finding needs a verdict: attributed, not_attributable or unfounded")
	}
	iv := m.a.Mechanism.Investigate
	members := m.members(c.Body)
	switch {
	case in.By == c.Escalated[StepFind] && !(c.Body != parley.BodyJoint && contains(members, in.By)):
		in.Audience = m.findingAudience(c)
		o.emit(in)
		m.found(o, c, in.Day, in.Verdict, in.By+" (escalated)")
		return nil
	case c.Body != parley.BodyJoint:
		if !contains(members, in.By) {
			return forbid("the investigation is %s's; %s cannot submit its finding", c.Body, in.By)
		}
		in.Audience = m.findingAudience(c)
		o.emit(in)
		m.found(o, c, in.Day, in.Verdict, c.Body)
		return nil
	}
	chair := m.a.Seat(iv.Chair)
	if in.By == chair && iv.Chair != "" && !m.a.IsParty(in.By) {
		if !m.views(c) || !c.Split {
			return refuse("the chair decides only when the members' findings differ")
		}
		in.Audience = members
		o.emit(in)
		m.found(o, c, in.Day, in.Verdict, chair+" (casting)")
		return nil
	}
	if !m.a.IsParty(in.By) {
		return forbid("%s is not a member of the joint body", in.By)
	}
	c.Views[in.By] = in.Verdict
	in.Audience = members
	o.emit(in)
	if !m.views(c) {
		return nil
	}
	if v, same := agreed(c.Views); same {
		c.Split = false
		m.found(o, c, in.Day, v, parley.BodyJoint)
		return nil
	}
	c.Split = true
	o.emit(parley.CaseEvent{Day: in.Day, Kind: parley.CaseSplit, Case: c.ID, Step: StepFind, Audience: members, Note: DescribeVerdicts(c.Views)})
	if iv.Chair == "" {
		m.found(o, c, in.Day, parley.NoVerdict, parley.BodyJoint+" (split)")
	}
	return nil
}

// findingAudience: a party that investigates and also rules alone keeps
// its finding to itself; every other finding goes to every seat.
func (m *Machine) findingAudience(c *Case) []string {
	if m.a.IsParty(c.Body) && m.a.Mechanism.Rule.By == c.Body {
		return []string{c.Body}
	}
	return m.all
}

// views reports whether every party has given its view.
func (m *Machine) views(c *Case) bool { return len(c.Views) == len(m.a.Parties) }

func agreed(v map[string]parley.Verdict) (parley.Verdict, bool) {
	var first parley.Verdict
	i := 0
	for _, x := range v {
		if i == 0 {
			first = x
		} else if x != first {
			return parley.NoVerdict, false
		}
		i++
	}
	return first, true
}

// DescribeVerdicts lists members' views or votes, sorted by seat:
// "Afghanistan: not_attributable; Pakistan: attributed".
func DescribeVerdicts(v map[string]parley.Verdict) string {
	if len(v) == 0 {
		return "no votes yet"
	}
	ks := make([]string, 0, len(v))
	for k := range v {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, k+": "+v[k].String())
	}
	return strings.Join(parts, "; ")
}

func (m *Machine) found(o *out, c *Case, day int, v parley.Verdict, by string) {
	c.Stage, c.Finding, c.FoundBy, c.FoundOn = Found, v, by, day
	c.Split = v == parley.NoVerdict
	c.Deadline = deadline(day, m.a.Mechanism.Rule.Within)
	note := ""
	if c.Split {
		note = "the members disagree and no one breaks the split: " + DescribeVerdicts(c.Views)
	}
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseFinding, Case: c.ID, Body: by, Verdict: v, Deadline: c.Deadline,
		Audience: m.findingAudience(c), Note: note})
}

func (m *Machine) rule(o *out, in parley.CaseEvent) error {
	c, ok := m.cases[in.Case]
	if !ok {
		return missing("no case %q", in.Case)
	}
	r := m.a.Mechanism.Rule
	if in.Verdict == parley.NoVerdict {
		return refuse("a ruling needs a verdict: attributed, not_attributable or unfounded")
	}
	if c.Stage != Found {
		if c.Stage == Alleged || c.Stage == Investigating {
			return refuse("case %q has no finding yet; the ruling comes after the investigation", c.ID)
		}
		return refuse("case %q is already ruled (%s by %s)", c.ID, c.Ruling, c.RuledBy)
	}
	switch {
	case in.By == c.Escalated[StepRule] && !(m.a.IsParty(r.By) && in.By == r.By):
		o.emit(in)
		m.ruled(o, c, in.Day, in.Verdict, in.By+" (escalated)")
		return nil
	case m.a.IsParty(r.By):
		if in.By != r.By {
			why := "under this accord only " + r.By + " rules"
			if contains(r.Dissent, in.By) {
				why += "; " + in.By + " may file a dissent once it has"
			}
			return forbid("%s", why)
		}
		o.emit(in)
		m.ruled(o, c, in.Day, in.Verdict, r.By)
		return nil
	}
	casting := m.a.Seat(r.Casting)
	if r.By == parley.BodyJoint && r.Casting != "" && in.By == casting && !m.a.IsParty(in.By) {
		if len(c.Votes) < len(m.a.Parties) {
			return refuse("the casting vote comes after every party has voted (%s)", DescribeVerdicts(c.Votes))
		}
		// Every party has voted and the ruling has not stood: the votes
		// differ (agreeing votes make the ruling stand at once).
		o.emit(in)
		var over []string
		for _, p := range m.a.Parties {
			if c.Votes[p] != in.Verdict {
				over = append(over, p)
			}
		}
		c.CastOver = over
		m.ruled(o, c, in.Day, in.Verdict, casting+" (casting)")
		return nil
	}
	if !m.a.IsParty(in.By) {
		return forbid("under a %s ruling the parties rule; %s has no vote", r.By, in.By)
	}
	c.Votes[in.By] = in.Verdict
	o.emit(in)
	if len(c.Votes) < len(m.a.Parties) {
		return nil
	}
	if v, same := agreed(c.Votes); same {
		c.Deadlocked = false
		m.ruled(o, c, in.Day, v, r.By)
		return nil
	}
	note := DescribeVerdicts(c.Votes)
	if r.By == parley.BodyConsensus {
		c.Deadlocked = true
		note += "; a consensus ruling has no casting vote: the case is deadlocked until the parties agree"
	}
	o.emit(parley.CaseEvent{Day: in.Day, Kind: parley.CaseSplit, Case: c.ID, Step: StepRule, Note: note})
	return nil
}

// ruled makes a ruling stand and triggers the consequences of an
// attributed breach.
func (m *Machine) ruled(o *out, c *Case, day int, v parley.Verdict, by string) {
	c.Stage, c.Ruling, c.RuledBy, c.RuledOn, c.Deadline, c.Deadlocked = Ruled, v, by, day, 0, false
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseRuling, Case: c.ID, Body: by, Verdict: v, Accused: c.Accused,
		Commitments: append([]string(nil), c.Commitments...), Note: castNote(c)})
	if v == parley.Attributed {
		for _, id := range c.Commitments {
			cm := m.a.Commitment(id)
			if cm.OnBreach == nil {
				continue
			}
			q := m.consequence(cm, day, 0)
			c.Consequences = append(c.Consequences, q)
			m.emitConsequence(o, c.ID, q, day)
		}
	}
	m.close(c)
}

func castNote(c *Case) string {
	if len(c.CastOver) == 0 {
		return ""
	}
	return "cast over the vote of " + strings.Join(c.CastOver, ", ")
}

func (m *Machine) consequence(cm *parley.Commitment, day, instance int) Consequence {
	b := cm.OnBreach
	by := b.By
	if len(by) == 0 {
		by = cm.To
	}
	var seats []string
	for _, x := range by {
		seats = union(seats, m.a.Seat(x))
	}
	return Consequence{Commitment: cm.ID, Instance: instance, Action: b.Action, By: seats, Due: deadline(day, b.Within),
		Applied: -1, EscalateTo: m.a.Seat(b.EscalateTo)}
}

func (m *Machine) emitConsequence(o *out, caseID string, q Consequence, day int) {
	a := q.Action
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseConsequence, Case: caseID, Commitment: q.Commitment, Instance: q.Instance,
		Action: &a, Deadline: q.Due, Note: "by " + strings.Join(q.By, ", ")})
}

// close closes a ruled case once no consequence is pending. A response
// is a right the wronged party may use, not a duty: it keeps no case
// open (using it is still recorded with apply).
func (m *Machine) close(c *Case) {
	if c.Stage != Ruled {
		return
	}
	for _, q := range c.Consequences {
		if q.Applied < 0 && q.Action != parley.Response {
			return
		}
	}
	c.Stage = Closed
}

func (m *Machine) dissent(o *out, in parley.CaseEvent) error {
	c, err := m.caseAt(in, Ruled, Closed)
	if err != nil {
		return err
	}
	r := m.a.Mechanism.Rule
	if !contains(r.Dissent, in.By) {
		if m.a.IsParty(r.By) {
			return forbid("the text gives %s no dissent", in.By)
		}
		return forbid("under a %s ruling the parties speak through their votes; the text provides no dissent", r.By)
	}
	if contains(c.Dissents, in.By) {
		return refuse("%s has already dissented in case %q", in.By, c.ID)
	}
	c.Dissents = append(c.Dissents, in.By)
	o.emit(in)
	return nil
}

func (m *Machine) apply(o *out, in parley.CaseEvent) error {
	var q *Consequence
	var c *Case
	if in.Case != "" {
		var ok bool
		if c, ok = m.cases[in.Case]; !ok {
			return missing("no case %q", in.Case)
		}
		for i := range c.Consequences {
			if c.Consequences[i].Commitment == in.Commitment || in.Commitment == "" && len(c.Consequences) == 1 {
				q = &c.Consequences[i]
				break
			}
		}
	} else {
		for _, x := range m.misses {
			if x.Commitment == in.Commitment && x.Instance == in.Instance {
				q = x
			}
		}
	}
	if q == nil {
		return refuse("no consequence of %q is due in %s", in.Commitment, caseOrInstance(in))
	}
	if q.Applied >= 0 {
		return refuse("the consequence of %q was carried out on day %d", q.Commitment, q.Applied)
	}
	if !contains(q.By, in.By) && !(q.Escalated && in.By == q.EscalateTo) {
		return forbid("the text has %s carry it out, not %s", orList(q.By), in.By)
	}
	q.Applied = in.Day
	in.Commitment = q.Commitment
	o.emit(in)
	if q.Action == parley.Suspension {
		cm := m.a.Commitment(q.Commitment)
		for _, id := range cm.OnBreach.Suspends {
			if _, done := m.suspended[id]; !done {
				m.suspended[id] = in.Day
				o.emit(parley.CaseEvent{Day: in.Day, Kind: parley.CaseSuspended, Case: in.Case, Commitment: id, By: in.By,
					Note: "suspended after the breach of " + q.Commitment})
			}
		}
	}
	if c != nil {
		m.close(c)
	}
	return nil
}

func caseOrInstance(in parley.CaseEvent) string {
	if in.Case != "" {
		return "case " + in.Case
	}
	return "its missed instance"
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return "nobody"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
