package scenario

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// monBase is a valid scenario with commitments and verification clauses
// that the error cases edit.
const monBase = `id: m
sources: [{id: S1}]
issues:
  - name: truce
    options:
      - {label: none, not_addressed: true}
      - label: yes
        clause: Both sides hold fire.
        commitments:
          - id: hold-fire-p
            kind: prohibition
            text: P's forces do not fire.
            by: P
            to: [Q]
            due: {until: 90}
            on_breach: {action: response, by: [Q], within: 3}
            assume:
              rate: {value: 0.5, range: [0.1, 1], sources: [S1]}
              force: 0.3
            sources: [S1]
          - id: report
            kind: obligation
            text: Report monthly.
            by: [P, Q]
            to: [mediators]
            due: {every: 30, until: 90}
            verified_by: mediators
  - name: watch
    options:
      - {label: none, not_addressed: true}
      - label: panel
        verification:
          investigate: {by: [joint, mediators], chair: mediators, open_within: 7, report_within: 14, escalate_to: mediators}
          assume: {detection: {value: 0.6, range: [0.4, 0.8], sources: [S1]}}
  - name: rule
    options:
      - label: p_rules
        verification:
          rule: {by: P, within: 3}
      - label: joint
        verification:
          rule: {by: joint, casting: mediators, within: 7}
parties:
  - name: P
    preferences:
      reservation: 0.1
      issues: [{issue: truce, weight: 1, values: {yes: 1}}]
  - name: Q
    preferences:
      reservation: 0.1
      issues: [{issue: truce, weight: 1, values: {yes: 1}}]
roles:
  - {name: Med, kind: mediator}
  - {name: Far, kind: observer}
`

func TestCommitmentDecode(t *testing.T) {
	f, err := Parse("m.yaml", []byte(monBase))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("")
	if err != nil {
		t.Fatal(err)
	}
	yes := s.Issues[0].Options[1]
	if len(yes.Commitments) != 2 {
		t.Fatalf("commitments %+v", yes.Commitments)
	}
	c := yes.Commitments[0]
	want := parley.Commitment{
		ID: "hold-fire-p", Kind: parley.Prohibition, Text: "P's forces do not fire.", By: []string{"P"}, To: []string{"Q"},
		Due:      parley.Due{Until: 90},
		OnBreach: &parley.Breach{Action: parley.Response, By: []string{"Q"}, Within: 3},
		Assume: parley.CommitmentAssumptions{
			Rate:  &parley.Estimate{Value: 0.5, Low: 0.1, High: 1, Ranged: true, Sources: []parley.Cite{{Source: "S1"}}},
			Force: &parley.Estimate{Value: 0.3},
		},
		Sources: []parley.Cite{{Source: "S1"}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("commitment\n got %+v\nwant %+v", c, want)
	}
	if r := yes.Commitments[1]; r.Kind != parley.Obligation || r.Due.Every != 30 || r.Due.Within != nil || !reflect.DeepEqual(r.By, []string{"P", "Q"}) {
		t.Errorf("report %+v", r)
	}
	iv := s.Issues[1].Options[1].Verification
	if iv == nil || iv.Investigate == nil || iv.Investigate.Chair != "mediators" || iv.Investigate.ReportWithin != 14 || iv.Assume.Detection.Value != 0.6 {
		t.Errorf("verification %+v", iv)
	}
	// Round trip through Write.
	s2, out := writeRead(t, "m", s)
	if !reflect.DeepEqual(flat(s), s2) {
		t.Errorf("round trip differs:\n%s", out)
	}
}

// TestAgree signs outcomes of monBase and checks the register and the
// mechanism, with the defaults where no option sets a part.
func TestAgree(t *testing.T) {
	f, err := Parse("m.yaml", []byte(monBase))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Agree(parley.Outcome{1, 1, 0}, "2025-11-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Commitments) != 2 || a.Commitments[0].Issue != "truce" || a.Commitments[0].Option != "yes" {
		t.Errorf("commitments %+v", a.Commitments)
	}
	m := a.Mechanism
	if m.InvestigateFrom != "watch=panel" || m.RuleFrom != "rule=p_rules" || m.Rule.By != "P" || !reflect.DeepEqual(m.Rule.Dissent, []string{"Q"}) {
		t.Errorf("mechanism %+v", m)
	}
	if !reflect.DeepEqual(a.Seats, []string{"P", "Q", "mediators"}) || !reflect.DeepEqual(a.Mediators, []string{"Med"}) {
		t.Errorf("seats %v mediators %v", a.Seats, a.Mediators)
	}
	// Silent on who investigates: each party does, alone.
	a, err = s.Agree(parley.Outcome{0, 0, 1}, "2025-11-01")
	if err != nil {
		t.Fatal(err)
	}
	if m := a.Mechanism; !reflect.DeepEqual(m.Investigate.By, []string{"P", "Q"}) || m.InvestigateFrom != "" || m.Rule.By != parley.BodyJoint {
		t.Errorf("defaults %+v", m)
	}
	a, err = s.Agree(parley.Outcome{0, 0, 0}, "2025-11-01")
	if err != nil {
		t.Fatal(err)
	}
	if a.Mechanism.Rule.By != "P" || len(a.Commitments) != 0 {
		t.Errorf("%+v", a)
	}
	for _, bad := range []struct {
		o    parley.Outcome
		date string
		msg  string
	}{
		{parley.Outcome{0, 0}, "2025-11-01", "one per issue"},
		{parley.Outcome{0, 0, 5}, "2025-11-01", "out of range"},
		{parley.Outcome{0, 0, 0}, "1 Nov 2025", "not YYYY-MM-DD"},
	} {
		if _, err := s.Agree(bad.o, bad.date); err == nil || !strings.Contains(err.Error(), bad.msg) || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("Agree(%v, %q) = %v, want %q", bad.o, bad.date, err, bad.msg)
		}
	}
}

func TestCommitmentErrors(t *testing.T) {
	tests := []struct {
		name  string
		edits []string
		path  string
		msg   string
	}{
		{name: "OK"},
		{name: "ErrKind", edits: []string{"kind: prohibition", "kind: ‸prohibiton"}, path: "issues[0].options[1].commitments[0].kind",
			msg: `unknown commitment kind "prohibiton" (did you mean "prohibition"?); expected one of obligation, prohibition, guarantee`},
		{name: "ErrUnknownKey", edits: []string{"            verified_by: mediators\n", "            ‸verfied_by: mediators\n"}, path: "issues[0].options[1].commitments[1].verfied_by",
			msg: `unknown key "verfied_by" (did you mean "verified_by"?)`},
		{name: "ErrObligationNoDue", edits: []string{"          - id: report\n", "          - ‸id: report\n", "            due: {every: 30, until: 90}\n", ""}, path: "issues[0].options[1].commitments[1].due", msg: `missing required key "due"`},
		{name: "ErrWithinAndEvery", edits: []string{"due: {every: 30, until: 90}", "due: ‸{every: 30, within: 10}"}, path: "issues[0].options[1].commitments[1].due", msg: "has both within and every"},
		{name: "ErrEveryZero", edits: []string{"due: {every: 30, until: 90}", "due: {every: ‸0}"}, path: "issues[0].options[1].commitments[1].due.every", msg: "every must be a positive number of days"},
		{name: "ErrProhibitionWithin", edits: []string{"due: {until: 90}", "due: ‸{within: 90}"}, path: "issues[0].options[1].commitments[0].due", msg: "a prohibition holds over a period"},
		{name: "ErrUntilBeforeFrom", edits: []string{"due: {until: 90}", "due: {from: 30, until: ‸20}"}, path: "issues[0].options[1].commitments[0].due.until", msg: "must come after from (day 30)"},
		{name: "ErrUnknownOwer", edits: []string{"            by: P\n", "            by: ‸Pakistan\n"}, path: "issues[0].options[1].commitments[0].by[0]",
			msg: `unknown party or role "Pakistan"; expected one of Far, Med, P, Q, mediators`},
		{name: "ErrUnknownBeneficiary", edits: []string{"to: [Q]", "to: [Q, ‸R]"}, path: "issues[0].options[1].commitments[0].to[1]", msg: `unknown party or role "R"`},
		{name: "ErrDuplicateID", edits: []string{"          - id: report\n", "          - id: ‸hold-fire-p\n"}, path: "issues[0].options[1].commitments[1].id", msg: `duplicate commitment id "hold-fire-p"`},
		{name: "ErrIDAcrossIssues", edits: []string{"      - label: panel\n", "      - label: panel\n        commitments: [{id: ‸report, kind: obligation, text: t, by: P, to: Q, due: {within: 5}}]\n"},
			path: "issues[1].options[1].commitments[0].id", msg: `commitment id "report" is also created by issue "truce"`},
		{name: "ErrBreachAction", edits: []string{"action: response", "action: ‸respond"}, path: "issues[0].options[1].commitments[0].on_breach.action", msg: `unknown breach action "respond" (did you mean "response"?)`},
		{name: "ErrForceWithoutResponse", edits: []string{"action: response", "action: consultation", "force: 0.3", "force: ‸0.3"}, path: "issues[0].options[1].commitments[0].assume.force", msg: "needs on_breach action response"},
		{name: "ErrRateOnObligation", edits: []string{"            verified_by: mediators\n", "            verified_by: mediators\n            assume: ‸{rate: 1}\n"}, path: "issues[0].options[1].commitments[1].assume", msg: "rate and lookalike apply to prohibitions"},
		{name: "ErrOnTimeOnProhibition", edits: []string{"              force: 0.3\n", "              force: 0.3\n              on_time: ‸0.5\n"}, path: "issues[0].options[1].commitments[0].assume.on_time", msg: "on_time is the chance an obligation's instance"},
		{name: "ErrOnTimeRange", edits: []string{"            verified_by: mediators\n", "            verified_by: mediators\n            assume: {on_time: ‸1.5}\n"}, path: "issues[0].options[1].commitments[1].assume.on_time", msg: "must be between 0 and 1"},
		{name: "ErrForceRange", edits: []string{"force: 0.3", "force: ‸1.3"}, path: "issues[0].options[1].commitments[0].assume.force", msg: "must be between 0 and 1"},
		{name: "ErrSuspendsUnknown", edits: []string{"action: response, by: [Q], within: 3}", "action: suspension, by: [Q], suspends: [‸peace]}", "              force: 0.3\n", ""},
			path: "issues[0].options[1].commitments[0].on_breach.suspends[0]", msg: `unknown commitment "peace"`},
		{name: "ErrVerifierMissing", edits: []string{"          - id: report\n", "          - ‸id: report\n", "            to: [mediators]\n", "", "            verified_by: mediators\n", ""}, path: "issues[0].options[1].commitments[1].verified_by", msg: "say who verifies"},
		{name: "ErrInvestigatorRole", edits: []string{"by: [joint, mediators]", "by: [joint, ‸Far]"}, path: "issues[1].options[1].verification.investigate.by[1]", msg: `"Far" is neither a party nor the mediators`},
		{name: "ErrRuleByMediators", edits: []string{"rule: {by: P, within: 3}", "rule: {by: ‸mediators}"}, path: "issues[2].options[0].verification.rule.by", msg: "is not a party"},
		{name: "ErrCastingNotJoint", edits: []string{"rule: {by: P, within: 3}", "rule: {by: P, casting: ‸mediators}"}, path: "issues[2].options[0].verification.rule.casting", msg: "a casting vote breaks a joint ruling's split"},
		{name: "ErrTwoIssuesRule", edits: []string{"      - label: panel\n        verification:\n", "      - label: panel\n        verification:\n          rule: {by: consensus}\n", "rule: {by: P, within: 3}", "rule: ‸{by: P, within: 3}"},
			path: "issues[2].options[0].verification.rule", msg: `issue "watch" also sets rule`},
		{name: "ErrDetection", edits: []string{"detection: {value: 0.6, range: [0.4, 0.8], sources: [S1]}", "detection: ‸1.5"}, path: "issues[1].options[1].verification.assume.detection", msg: "must be between 0 and 1"},
		{name: "ErrProcedureKey", edits: []string{"          rule: {by: P, within: 3}\n", "          rule: {by: P, ‸whithin: 3}\n"}, path: "issues[2].options[0].verification.rule.whithin", msg: `did you mean "within"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := monBase
			for i := 0; i+1 < len(tt.edits); i += 2 {
				if !strings.Contains(text, tt.edits[i]) {
					t.Fatalf("edit %q does not apply", tt.edits[i])
				}
				text = strings.Replace(text, tt.edits[i], tt.edits[i+1], 1)
			}
			text, line, col := markedPos(text)
			err := load(text, "")
			if tt.name == "OK" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			var list Errors
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			if len(list) != 1 {
				t.Errorf("got %d errors, want 1:\n%v", len(list), err)
			}
			if pe := list[0]; pe.Line != line || pe.Column != col || pe.Path != tt.path || parley.ErrorCode(pe) != parley.EINVALID {
				t.Errorf("at %d:%d %q code %s, want %d:%d %q (%v)", pe.Line, pe.Column, pe.Path, parley.ErrorCode(pe), line, col, tt.path, err)
			}
		})
	}
}
