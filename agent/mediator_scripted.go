package agent

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
)

func init() {
	Register(Info{
		Name:      "scripted",
		Role:      RoleMediator,
		Protocols: textProtocols,
		Summary:   "Single-text mediator that proposes a fixed sequence of texts, one per round, and repeats the last.",
		Params:    "texts= (required: texts separated by a bar, each a semicolon-separated list of issue=option with _ for a blank, issues not named left blank); end=0 (1 = end the talks after the last text instead of repeating it)",
	}, func(p map[string]string) (parley.Agent, error) { return NewScripted(p) })
}

// Scripted is a mediator that proposes a fixed sequence of texts, one per
// TurnText, and then repeats the last one (or, with end=1, ends the talks).
// Whatever the script says, a settled clause keeps its option and an issue
// off the agenda stays blank, so every text it sends is valid.
type Scripted struct {
	script [][][2]string // texts of (issue, label) pairs
	end    bool
	texts  []parley.Outcome
	next   int
}

var _ parley.Agent = (*Scripted)(nil)

// NewScripted makes a scripted mediator from its params ("texts", "end").
// The texts' syntax is checked here; names are resolved against the model
// in Init.
func NewScripted(params map[string]string) (*Scripted, error) {
	p := newSTParams("scripted", params)
	raw, _ := p.raw("texts")
	end := p.int("end", 0, 0)
	if err := p.done(); err != nil {
		return nil, err
	}
	if end > 1 {
		return nil, parley.Errorf(parley.EINVALID, "scripted: parameter end=%d must be 0 or 1", end)
	}
	s := &Scripted{end: end == 1}
	if raw == "" {
		return nil, parley.Errorf(parley.EINVALID, "scripted: parameter texts is required (e.g. texts=issue=option;issue=_|issue=option)")
	}
	for n, text := range strings.Split(raw, "|") {
		var pairs [][2]string
		for _, kv := range strings.Split(text, ";") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || v == "" {
				return nil, parley.Errorf(parley.EINVALID, "scripted: text %d: %q is not issue=option", n+1, kv)
			}
			pairs = append(pairs, [2]string{k, v})
		}
		s.script = append(s.script, pairs)
	}
	return s, nil
}

// Init implements parley.Agent. Unknown issue names or option labels, and
// an issue named twice in one text, are EINVALID errors.
func (s *Scripted) Init(sess *parley.Session) error {
	if sess == nil || sess.Model == nil {
		return parley.Errorf(parley.EINVALID, "scripted: session has no model")
	}
	if sess.Party != parley.MediatorActor {
		return parley.Errorf(parley.EINVALID, "scripted: a mediator cannot play party %d", sess.Party)
	}
	sc := sess.Model.Scenario
	s.texts, s.next = nil, 0
	for n, pairs := range s.script {
		o := make(parley.Outcome, len(sc.Issues))
		for i := range o {
			o[i] = -1
		}
		seen := map[int]bool{}
		for _, kv := range pairs {
			i := sc.IssueIndex(kv[0])
			if i < 0 {
				return parley.Errorf(parley.EINVALID, "scripted: text %d: unknown issue %q", n+1, kv[0])
			}
			if seen[i] {
				return parley.Errorf(parley.EINVALID, "scripted: text %d: issue %q given twice", n+1, kv[0])
			}
			seen[i] = true
			if kv[1] == "_" {
				continue
			}
			k := sc.Issues[i].OptionIndex(kv[1])
			if k < 0 {
				var labels []string
				for _, op := range sc.Issues[i].Options {
					labels = append(labels, op.Label)
				}
				return parley.Errorf(parley.EINVALID, "scripted: text %d: issue %q has no option %q (options: %s, or _ for blank)", n+1, kv[0], kv[1], strings.Join(labels, ", "))
			}
			o[i] = k
		}
		s.texts = append(s.texts, o)
	}
	return nil
}

// Act implements parley.Agent.
func (s *Scripted) Act(t *parley.Turn) parley.Action {
	if t.Kind != parley.TurnText {
		return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActEnd, Reason: "scripted: a mediator only writes texts"}
	}
	if s.next >= len(s.texts) && s.end {
		return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActEnd, Reason: "script finished"}
	}
	n := min(s.next, len(s.texts)-1)
	s.next++
	out := append(parley.Outcome(nil), s.texts[n]...)
	for _, c := range t.Text {
		if c.Issue < 0 || c.Issue >= len(out) {
			continue
		}
		switch {
		case !c.OnAgenda:
			out[c.Issue] = -1
		case settled(c):
			out[c.Issue] = c.Option
		}
	}
	return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActText, Outcome: out, Reason: fmt.Sprintf("scripted text %d of %d", n+1, len(s.texts))}
}
