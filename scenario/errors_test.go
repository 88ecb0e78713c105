package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// base is a valid scenario that the error cases edit.
const base = `id: t
sources: [{id: S1}]
issues:
  - name: a
    options: [x, y]
  - {name: n, kind: integer, min: 0, max: 2}
parties:
  - name: P
    preferences:
      reservation: 0.1
      issues:
        - {issue: a, weight: 1, values: {x: 0, y: 1}}
  - name: Q
    delegation:
      rule: unanimity
      factions:
        - name: F
          weight: 1
          preferences:
            reservation: 0.2
            issues:
              - {issue: n, weight: 1, function: [[0, 1], [2, 0]]}
variants:
  - name: v1
    override:
      parties:
        - name: P
          preferences:
            reservation: 0.2
`

// marker marks, in a case's YAML, where the error must point.
const marker = "‸"

// markedPos removes the marker from text and returns the marker's 1-based
// line and column (0, 0 without a marker).
func markedPos(text string) (string, int, int) {
	i := strings.Index(text, marker)
	if i < 0 {
		return text, 0, 0
	}
	before := text[:i]
	line := strings.Count(before, "\n") + 1
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
	return before + text[i+len(marker):], line, col
}

// load parses text and validates the base and every variant, or only the
// given variant.
func load(text, variant string) error {
	f, err := Parse("t.yaml", []byte(text))
	if err != nil {
		return err
	}
	if variant != "" {
		_, err = f.Scenario(variant)
		return err
	}
	return Validate(f)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		edits   []string // old, new pairs applied to base; new holds the marker
		text    string   // the whole file instead of base
		variant string
		code    string
		path    string
		msg     string
		noCol   bool // the error has a line but no column (YAML syntax errors)
	}{
		{name: "OK"},
		{name: "ErrSyntax", text: "id: t\nissues:\n‸\t- a\n", msg: "YAML syntax: found character that cannot start any token", noCol: true},
		{name: "ErrEmpty", text: "‸", msg: "empty file"},
		{name: "ErrNotMapping", text: "‸- a\n- b\n", msg: "expected a mapping, got a list"},
		{name: "ErrSecondDocument", text: base + "‸---\nid: u\n", msg: "one YAML document"},
		{name: "ErrUnknownKey", edits: []string{"      reservation: 0.1\n", "      reservation: 0.1\n      ‸reservaton: 0.2\n"},
			path: "parties[0].preferences.reservaton", msg: `unknown key "reservaton" (did you mean "reservation"?); expected one of reservation, discount`},
		{name: "ErrUnknownTopKey", edits: []string{"id: t\n", "id: t\n‸isues: []\n"}, path: "isues", msg: `did you mean "issues"?`},
		{name: "ErrDuplicateKey", edits: []string{"id: t\n", "id: t\n‸id: u\n"}, msg: `duplicate key "id" (first given at line 1)`},
		{name: "ErrMissingID", edits: []string{"id: t\nsources", "‸sources"}, path: "id", msg: `missing required key "id"`},
		{name: "ErrMissingIssues", edits: []string{"id: t\n", "‸id: t\n", "issues:\n  - name: a\n    options: [x, y]\n  - {name: n, kind: integer, min: 0, max: 2}\n", ""}, path: "issues", msg: `missing required key "issues"`},
		{name: "ErrMissingReservation", edits: []string{"    preferences:\n      reservation: 0.1\n", "    preferences:\n      ‸discount: 0.9\n"},
			path: "parties[0].preferences.reservation", msg: `missing required key "reservation"`},
		{name: "ErrMissingFactionWeight", edits: []string{"        - name: F\n          weight: 1\n", "        - ‸name: F\n"}, path: "parties[1].delegation.factions[0].weight", msg: `missing required key "weight"`},
		{name: "ErrMissingOptionLabel", edits: []string{"options: [x, y]", "options: [x, ‸{clause: c}]"}, path: "issues[0].options[1].label", msg: `missing required key "label"`},
		{name: "ErrMissingPrefWeight", edits: []string{"{issue: a, weight: 1, values", "‸{issue: a, values"}, path: "parties[0].preferences.issues[0].weight", msg: `missing required key "weight"`},
		{name: "ErrMissingVariantName", edits: []string{"  - name: v1\n    override", "  - ‸description: d\n    override"}, path: "variants[0].name", msg: `missing required key "name"`},
		{name: "ErrNumberExpected", edits: []string{"reservation: 0.1", "reservation: ‸high"}, path: "parties[0].preferences.reservation", msg: `expected a number, got string "high"`},
		{name: "ErrNumberOutOfFloatRange", edits: []string{"        - name: F\n          weight: 1\n", "        - name: F\n          weight: ‸1e400\n"}, path: "parties[1].delegation.factions[0].weight",
			msg: "number 1e400 is out of range: numbers must be finite 64-bit floats"},
		{name: "ErrValueOutOfRange", edits: []string{"values: {x: 0, y: 1}", "values: {x: 0, y: ‸1e300}"}, path: "parties[0].preferences.issues[0].values[1].value",
			msg: "value 1e+300 is out of range: this principal's utility can reach 1e+300, but parley holds utilities up to ±2.3·10^18 (2^61)"},
		{name: "ErrReservationOutOfRange", edits: []string{"reservation: 0.1", "reservation: ‸-3e18"}, path: "parties[0].preferences.reservation",
			msg: "reservation value -3e+18 is out of range"},
		{name: "ErrFunctionOutOfRange", edits: []string{"function: [[0, 1], [2, 0]]", "function: [[0, 1], ‸[2, 5e18]]"}, path: "parties[1].delegation.factions[0].preferences.issues[0].function[1]",
			msg: "value 5e+18 is out of range"},
		{name: "ErrQuotedNumber", edits: []string{"reservation: 0.1", `reservation: ‸"0.1"`}, path: "parties[0].preferences.reservation", msg: `expected a number, got string "0.1"`},
		{name: "ErrListExpected", edits: []string{"id: t\n", "id: t\nnotes: ‸just one\n"}, path: "notes", msg: `expected a list, got string "just one"`},
		{name: "ErrStringExpected", edits: []string{"  - name: a\n", "  - name: ‸[a]\n"}, path: "issues[0].name", msg: "expected a string, got a list"},
		{name: "ErrBoolExpected", edits: []string{"options: [x, y]", "options: [x, {label: y, not_addressed: ‸maybe}]"}, path: "issues[0].options[1].not_addressed", msg: `expected true or false, got string "maybe"`},
		{name: "ErrBadRuleKind", edits: []string{"rule: unanimity", "rule: ‸majorty"}, path: "parties[1].delegation.rule.kind",
			msg: `unknown rule "majorty" (did you mean "majority"?); expected one of unanimity, majority, weighted_quota, leader_veto`},
		{name: "ErrBadRuleKindMapping", edits: []string{"rule: unanimity", "rule: {kind: ‸veto}"}, path: "parties[1].delegation.rule.kind", msg: `unknown rule "veto"`},
		{name: "ErrRuleNeedsQuota", edits: []string{"rule: unanimity", "rule: ‸weighted_quota"}, path: "parties[1].delegation.rule", msg: "needs a quota"},
		{name: "ErrQuotaMissing", edits: []string{"rule: unanimity", "rule: ‸{kind: weighted_quota}"}, path: "parties[1].delegation.rule.quota", msg: `missing required key "quota"`},
		{name: "ErrQuotaOnUnanimity", edits: []string{"rule: unanimity", "rule: {kind: unanimity, quota: ‸0.5}"}, path: "parties[1].delegation.rule.quota", msg: "quota applies to rule weighted_quota only"},
		{name: "ErrQuotaRange", edits: []string{"rule: unanimity", "rule: {kind: weighted_quota, quota: ‸1.5}"}, path: "parties[1].delegation.rule.quota", msg: "weighted quota must be in (0, 1]"},
		{name: "ErrLeaderNotFaction", edits: []string{"rule: unanimity", "rule: {kind: leader_veto, leader: ‸G}"}, path: "parties[1].delegation.rule.leader", msg: `leader "G" is not a faction of "Q"`},
		{name: "ErrMissingRule", edits: []string{"      rule: unanimity\n", ""}, path: "parties[1].delegation.rule", msg: `missing required key "rule"`},
		{name: "ErrBadIssueKind", edits: []string{"kind: integer", "kind: ‸integr"}, path: "issues[1].kind", msg: `unknown issue kind "integr" (did you mean "integer"?); expected one of categorical, integer, real`},
		{name: "ErrBadRoleKind", edits: []string{"variants:", "roles: [{name: R, kind: ‸judge}]\nvariants:"}, path: "roles[0].kind", msg: "expected one of mediator, guarantor, observer"},
		{name: "ErrRoleConsentsMissing", edits: []string{"variants:", "roles: [‸{name: R, kind: guarantor, needed: [{issue: a, options: [y]}]}]\nvariants:"}, path: "roles[0].consents", msg: "say whether it consents"},
		{name: "ErrRoleNeededUnknownIssue", edits: []string{"variants:", "roles: [{name: R, kind: guarantor, consents: false, needed: [{issue: ‸b, options: [y]}]}]\nvariants:"}, path: "roles[0].needed[0].issue", msg: `unknown issue "b"`},
		{name: "ErrRoleMissingKind", edits: []string{"variants:", "roles: [‸{name: R}]\nvariants:"}, path: "roles[0].kind", msg: `missing required key "kind"`},
		{name: "ErrUnknownIssueInPref", edits: []string{"{issue: a, weight: 1, values", "{issue: ‸aa, weight: 1, values"}, path: "parties[0].preferences.issues[0].issue",
			msg: `unknown issue "aa" (did you mean "a"?); expected one of a, n`},
		{name: "ErrUnknownOptionInValues", edits: []string{"values: {x: 0, y: 1}", "values: {x: 0, ‸z: 1}"}, path: "parties[0].preferences.issues[0].values[1].option",
			msg: `issue "a" has no option "z" (did you mean "x"?); its options are "x", "y"`},
		{name: "ErrUnknownOptionInCondition", edits: []string{"            reservation: 0.2\n", "            reservation: 0.2\n            red_lines: [{name: r, conditions: [{issue: a, options: [x, ‸w]}]}]\n"},
			path: "parties[1].delegation.factions[0].preferences.red_lines[0].conditions[0].options[1]", msg: `issue "a" has no option "w"`},
		{name: "ErrRedLineMissingConditions", edits: []string{"            reservation: 0.2\n", "            reservation: 0.2\n            red_lines: [‸{name: r}]\n"},
			path: "parties[1].delegation.factions[0].preferences.red_lines[0].conditions", msg: `missing required key "conditions"`},
		{name: "ErrConstraintMissingUtility", edits: []string{"            reservation: 0.2\n", "            reservation: 0.2\n            constraints: [‸{conditions: [{issue: n, min: 1}]}]\n"},
			path: "parties[1].delegation.factions[0].preferences.constraints[0].utility", msg: `missing required key "utility"`},
		{name: "ErrUnknownSource", edits: []string{"reservation: 0.1", "reservation: {value: 0.1, sources: [S1, ‸S9]}"}, path: "parties[0].preferences.reservation.sources[1].source",
			msg: `unknown source "S9" (declared: S1)`},
		{name: "ErrRangeWithoutValue", edits: []string{"reservation: 0.1", "reservation: ‸{range: [0, 0.2]}"}, path: "parties[0].preferences.reservation.value", msg: "a range needs a point value too"},
		{name: "ErrRangeShape", edits: []string{"reservation: 0.1", "reservation: {value: 0.1, range: ‸[0, 0.1, 0.2]}"}, path: "parties[0].preferences.reservation.range", msg: "expected [low, high], got a list of 3"},
		{name: "ErrValueOutsideRange", edits: []string{"reservation: 0.1", "reservation: ‸{value: 0.5, range: [0, 0.2]}"}, path: "parties[0].preferences.reservation", msg: "point value 0.5 lies outside its range [0, 0.2]"},
		{name: "ErrReasonWithoutSources", edits: []string{"reservation: 0.1", "reservation: {value: 0.1, reason: ‸why}"}, path: "parties[0].preferences.reservation.reason", msg: "add sources"},
		{name: "ErrFlowComma", edits: []string{"reservation: 0.1", "reservation: {value: 0.1, sources: [S1], reason: one, ‸two things}"}, path: "parties[0].preferences.reservation.two things", msg: "a comma ends an unquoted string"},
		{name: "ErrMinAboveMax", edits: []string{"min: 0, max: 2}", "min: 3, max: ‸2}"}, path: "issues[1].max", msg: "max 2 is below min 3"},
		{name: "ErrIntegerNotWhole", edits: []string{"min: 0, max: 2}", "min: ‸0.5, max: 2}"}, path: "issues[1].min", msg: "must be a whole number"},
		{name: "ErrTooManyOptions", edits: []string{"  - {name: n, kind: integer, min: 0, max: 2}", "  - ‸{name: n, kind: integer, min: 0, max: 2000000}"}, path: "issues[1]", msg: "would have 2000001 options; the limit is 100000"},
		{name: "ErrRealStepZero", edits: []string{"{name: n, kind: integer, min: 0, max: 2}", "{name: r, kind: real, min: 0, max: 1, step: ‸0}\n  - {name: n, kind: integer, min: 0, max: 2}"}, path: "issues[1].step", msg: "step must be positive"},
		{name: "ErrRealStepMissing", edits: []string{"{name: n, kind: integer, min: 0, max: 2}", "‸{name: r, kind: real, min: 0, max: 1}\n  - {name: n, kind: integer, min: 0, max: 2}"}, path: "issues[1].step", msg: `missing required key "step"`},
		{name: "ErrStepOnInteger", edits: []string{"min: 0, max: 2}", "min: 0, max: 2, step: ‸1}"}, path: "issues[1].step", msg: "step applies to real issues only"},
		{name: "ErrOptionsOnNumeric", edits: []string{"min: 0, max: 2}", "min: 0, max: 2, options: ‸[a]}"}, path: "issues[1].options", msg: "generated from min and max"},
		{name: "ErrMinOnCategorical", edits: []string{"options: [x, y]", "options: [x, y]\n    min: ‸1"}, path: "issues[0].min", msg: "applies to integer and real issues only"},
		{name: "ErrPartyNeither", edits: []string{"  - name: P\n    preferences:\n      reservation: 0.1\n      issues:\n        - {issue: a, weight: 1, values: {x: 0, y: 1}}\n", "  - ‸name: P\n"},
			variant: "", path: "parties[0].preferences", msg: `party "P" needs preferences`},
		{name: "ErrKnotShape", edits: []string{"function: [[0, 1], [2, 0]]", "function: [[0, 1], ‸[2]]"}, path: "parties[1].delegation.factions[0].preferences.issues[0].function[1]", msg: "expected a knot [x, y]"},
		{name: "ErrKnotsUnsorted", edits: []string{"function: [[0, 1], [2, 0]]", "function: ‸[[2, 1], [0, 0]]"}, path: "parties[1].delegation.factions[0].preferences.issues[0].function", msg: "knots must be sorted by x"},
		{name: "ErrDuplicateIssue", edits: []string{"parties:\n", "  - {name: ‸a, options: [z]}\nparties:\n"}, path: "issues[2].name", msg: `duplicate issue name "a"`},
		{name: "ErrAliasCycle", text: "id: &a [‸*a]\n", msg: "alias *a refers to a node that contains it"},
		{name: "ErrVariantUnknown", variant: "v2", code: parley.ENOTFOUND, msg: `unknown variant "v2" (did you mean "v1"?); known variants: v1`},
		{name: "ErrVariantRemoveNoMatch", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - ‸{name: R, remove: true}\n"},
			variant: "v1", path: "variants[0].override.parties[0]", msg: `remove: no party "R" in the base to remove (did you mean "P"?); the base has "P", "Q"`},
		{name: "ErrVariantRemoveNotBool", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - {name: P, remove: ‸yes}\n"},
			variant: "v1", path: "variants[0].override.parties[0].remove", msg: "expected true or false"},
		{name: "ErrVariantBadValue", edits: []string{"- name: P\n          preferences:\n            reservation: 0.2\n", "- name: P\n          preferences:\n            reservation: ‸lots\n"}, variant: "v1", path: "parties[0].preferences.reservation", msg: `expected a number, got string "lots"`},
		{name: "ErrVariantBadValueValidate", edits: []string{"- name: P\n          preferences:\n            reservation: 0.2\n", "- name: P\n          preferences:\n            reservation: ‸lots\n"}, path: "parties[0].preferences.reservation", msg: `variant "v1": expected a number`},
		{name: "ErrVariantCompile", edits: []string{"- name: P\n          preferences:\n", "- name: P\n          preferences:\n            issues: [{issue: a, weight: 1, values: {‸q: 1}}]\n"}, variant: "v1",
			path: "parties[0].preferences.issues[0].values[2].option", msg: `issue "a" has no option "q"`},
		{name: "ErrVariantUnknownParty", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - ‸name: Pp\n          preferences:\n            reservation: 0.2\n"},
			variant: "v1", path: "variants[0].override.parties[0]", msg: `no party "Pp" in the base (did you mean "P"?); the base has "P", "Q"; a variant changes what the base defines: to add a new party, give it add: true`},
		{name: "ErrVariantAddExisting", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - ‸{name: P, add: true}\n"},
			variant: "v1", path: "variants[0].override.parties[0]", msg: `add: the base already has party "P"; leave out add: true to change it`},
		{name: "ErrVariantAddFalse", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - {name: P, add: ‸false}\n"},
			variant: "v1", path: "variants[0].override.parties[0].add", msg: `expected true (leave add out to change an item the base has), got boolean false`},
		{name: "ErrVariantAddAndRemove", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - ‸{name: R, add: true, remove: true}\n"},
			variant: "v1", path: "variants[0].override.parties[0]", msg: "both add: true and remove: true"},
		{name: "ErrVariantUnnamedItem", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - ‸{preferences: {reservation: 0.3}}\n"},
			variant: "v1", path: "variants[0].override.parties[0]", msg: `missing "name": an item of a variant's list names the party it changes`},
		{name: "ErrVariantUnknownFaction", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - name: Q\n          delegation:\n            factions:\n              - ‸{name: Gauls, weight: 2}\n"},
			variant: "v1", path: "variants[0].override.parties[0].delegation.factions[0]", msg: `no faction "Gauls" in the base; the base has "F"`},
		{name: "ErrVariantUnknownIssue", edits: []string{"    override:\n", "    override:\n      issues:\n        - ‸{name: bravo, options: [x]}\n"},
			variant: "v1", path: "variants[0].override.issues[0]", msg: `no issue "bravo" in the base; the base has "a", "n"; a variant changes what the base defines: to add a new issue, give it add: true`},
		{name: "ErrVariantUnknownOption", edits: []string{"    override:\n", "    override:\n      issues:\n        - {name: a, options: [‸z]}\n"},
			variant: "v1", path: "variants[0].override.issues[0].options[0]", msg: `no option "z" in the base (did you mean "x"?); the base has "x", "y"`},
		{name: "ErrVariantUnknownIssuePref", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - name: P\n          preferences:\n            reservation: 0.2\n            issues: [‸{issue: n, weight: 1}]\n"},
			variant: "v1", path: "variants[0].override.parties[0].preferences.issues[0]", msg: `no preference on issue "n" in the base (did you mean "a"?); the base has "a"; a variant changes what the base defines: to add a new issue preference, give it add: true`},
		{name: "ErrVariantUnknownRedLineNewList", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - name: P\n          preferences:\n            reservation: 0.2\n            red_lines: [‸{name: r, conditions: [{issue: a, options: [x]}]}]\n"},
			variant: "v1", path: "variants[0].override.parties[0].preferences.red_lines[0]", msg: `no red line "r" in the base (the base has no such list)`},
		{name: "ErrVariantUnknownRole", edits: []string{"    override:\n", "    override:\n      roles: [‸{name: M, kind: mediator}]\n"},
			variant: "v1", path: "variants[0].override.roles[0]", msg: `no role "M" in the base (the base has no such list); a variant changes what the base defines: to add a new role, give it add: true`},
		{name: "ErrVariantUnknownSource", edits: []string{"    override:\n", "    override:\n      sources: [‸{id: S2}]\n"},
			variant: "v1", path: "variants[0].override.sources[0]", msg: `no source "S2" in the base (did you mean "S1"?)`},
		{name: "ErrVariantAddOnPlainList", edits: []string{"        - name: P\n          preferences:\n            reservation: 0.2\n", "        - name: P\n          preferences:\n            reservation: 0.2\n            constraints: [{utility: 1, add: ‸true, conditions: [{issue: a, options: [x]}]}]\n"},
			variant: "v1", path: "variants[0].override.parties[0].preferences.constraints[0].add", msg: "add: true marks a new named item"},
		{name: "ErrVariantAddedIsChecked", edits: []string{"    override:\n", "    override:\n      issues:\n        - {name: b, add: true, options: [x, ‸x]}\n"},
			variant: "v1", path: "issues[2].options[1].label", msg: `duplicate option "x" in issue "b"`},
		{name: "OKVariantAdd", edits: []string{"    override:\n", "    override:\n      issues:\n        - {name: b, add: true, options: [u, v]}\n      roles: [{name: M, kind: mediator, add: true}]\n"}},
		{name: "ErrVariantOverrideID", edits: []string{"    override:\n", "    override:\n      ‸id: u\n"}, path: "variants[0].override.id", msg: "a variant cannot override id"},
		{name: "ErrAssumptionEmpty", edits: []string{"reservation: 0.1", `reservation: {value: 0.1, assumption: ‸""}`}, path: "parties[0].preferences.reservation.assumption", msg: "an assumption needs its reason"},
		{name: "ErrRuleUnknownSource", edits: []string{"rule: unanimity", "rule: {kind: unanimity, sources: [‸S7]}"}, path: "parties[1].delegation.rule.sources[0].source", msg: `unknown source "S7"`},
		{name: "ErrRoleConsentsWord", edits: []string{"variants:", "roles: [{name: R, kind: guarantor, needed: [{issue: a, options: [y]}], consents: ‸perhaps}]\nvariants:"}, path: "roles[0].consents", msg: "expected true, false, or the probability"},
		{name: "ErrRoleConsentsRange", edits: []string{"variants:", "roles: [{name: R, kind: guarantor, needed: [{issue: a, options: [y]}], consents: ‸1.5}]\nvariants:"}, path: "roles[0].consents", msg: "must be between 0 and 1"},
		{name: "ErrQuoteMissingText", edits: []string{"            reservation: 0.2\n", "            reservation: 0.2\n            red_lines: [{name: r, quote: ‸{source: S1}, conditions: [{issue: n, min: 1}]}]\n"},
			path: "parties[1].delegation.factions[0].preferences.red_lines[0].quote.text", msg: `missing required key "text"`},
		{name: "ErrQuoteUnknownSource", edits: []string{"            reservation: 0.2\n", "            reservation: 0.2\n            red_lines: [{name: r, quote: {source: ‸S4, text: hi}, conditions: [{issue: n, min: 1}]}]\n"},
			path: "parties[1].delegation.factions[0].preferences.red_lines[0].quote.source", msg: `unknown source "S4"`},
		{name: "ErrReportedEnd", edits: []string{"variants:", "simulation: {protocol: sao, rounds: 3, reported: {end: ‸collapse}}\nvariants:"}, path: "simulation.reported.end", msg: `unknown end "collapse"`},
		{name: "ErrExtendsUnknown", edits: []string{"  - name: v1\n", "  - name: v1\n    extends: ‸v0\n"}, path: "variants[0].extends", msg: `unknown variant "v0"`},
		{name: "ErrExtendsCycle", edits: []string{"  - name: v1\n", "  - name: v2\n    extends: ‸v1\n  - name: v1\n    extends: v2\n"}, path: "variants[0].extends", msg: `variants extend each other in a circle: v2 → v1 → v2`},
		{name: "ErrExtendsSelf", edits: []string{"  - name: v1\n", "  - name: v1\n    extends: ‸v1\n"}, path: "variants[0].extends", msg: `in a circle: v1 → v1`},
		{name: "ErrPriorNegative", edits: []string{"  - name: v1\n", "  - name: v1\n    prior: ‸-1\n"}, path: "variants[0].prior", msg: "must be between 0 and"},
		{name: "ErrVariantOverrideNotMapping", edits: []string{"    override:\n      parties:\n        - name: P\n          preferences:\n            reservation: 0.2\n", "    override: ‸[]\n"}, path: "variants[0].override", msg: "expected a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if text == "" && tt.name != "ErrEmpty" {
				text = base
			}
			for i := 0; i+1 < len(tt.edits); i += 2 {
				if !strings.Contains(text, tt.edits[i]) {
					t.Fatalf("edit %q does not apply", tt.edits[i])
				}
				text = strings.Replace(text, tt.edits[i], tt.edits[i+1], 1)
			}
			text, line, col := markedPos(text)
			err := load(text, tt.variant)
			if strings.HasPrefix(tt.name, "OK") {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			code := tt.code
			if code == "" {
				code = parley.EINVALID
			}
			if got := parley.ErrorCode(err); got != code {
				t.Errorf("code %q, want %q (%v)", got, code, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if code != parley.EINVALID {
				return
			}
			var list Errors
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			if len(list) != 1 && line != 0 {
				t.Errorf("got %d errors, want 1:\n%v", len(list), err)
			}
			pe := list[0]
			if pe.File != "t.yaml" {
				t.Errorf("file %q", pe.File)
			}
			if line != 0 {
				wantCol := col
				if tt.noCol {
					wantCol = 0
				}
				if pe.Line != line || pe.Column != wantCol {
					t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, line, wantCol, err)
				}
			}
			if tt.path != "" && pe.Path != tt.path {
				t.Errorf("path %q, want %q", pe.Path, tt.path)
			}
			if pe.Line == 0 {
				t.Errorf("no line in %v", err)
			}
		})
	}
}
