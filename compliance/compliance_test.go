package compliance_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/verify"
	"github.com/parleyhq/parley/verify/verifytest"
)

// sign agrees the built-in Istanbul scenario on the given clauses (status
// quo elsewhere), signed on 2025-11-03 (a Monday).
func sign(t *testing.T, clauses map[string]string) *parley.Accord {
	return verifytest.Sign(t, verifytest.Scenario(t, "istanbul-2025", ""), clauses, "2025-11-03")
}

// run steps a machine through inputs, failing on refusals unless the
// input's Note is "refuse".
func run(t *testing.T, a *parley.Accord, ins ...parley.CaseEvent) []parley.CaseEvent {
	t.Helper()
	m, err := verify.New(a)
	if err != nil {
		t.Fatal(err)
	}
	var log []parley.CaseEvent
	for _, in := range ins {
		want := in.Note == "refuse"
		in.Note = ""
		evs, err := m.Step(in)
		if (err != nil) != want {
			t.Fatalf("step %s: %v", in.String(), err)
		}
		log = append(log, evs...)
	}
	return log
}

func ev(day int, kind parley.CaseEventKind, by string, f func(*parley.CaseEvent)) parley.CaseEvent {
	e := parley.CaseEvent{Day: day, Kind: kind, By: by}
	if f != nil {
		f(&e)
	}
	return e
}

func statuses(r *compliance.Report) map[string]string {
	out := map[string]string{}
	for _, c := range r.Commitments {
		out[c.ID] = c.Status.String()
	}
	return out
}

func TestStatuses(t *testing.T) {
	a := sign(t, map[string]string{
		"ttp_action": "time_bound_dismantling", "guarantee_form": "signed_guarantee", "monitoring": "mediated_mechanism",
		"attribution": "joint_finding", "ttp_designation": "designated", "ceasefire": "open_ended",
	})
	caseID := func(id string) func(*parley.CaseEvent) { return func(e *parley.CaseEvent) { e.Case = id } }
	verdict := func(id string, v parley.Verdict) func(*parley.CaseEvent) {
		return func(e *parley.CaseEvent) { e.Case, e.Verdict = id, v }
	}
	log := run(t, a,
		// Case c1: a joint team agrees, the parties split on the ruling, the mediators cast it.
		ev(3, parley.CaseAllege, "Pakistan", func(e *parley.CaseEvent) {
			e.Case, e.Accused, e.Commitments, e.Incident = "c1", "Afghanistan", []string{"soil-not-used"}, "acled:PAK1"
		}),
		ev(4, parley.CaseOpen, "mediators", caseID("c1")),
		ev(10, parley.CaseFind, "Pakistan", verdict("c1", parley.Attributed)),
		ev(10, parley.CaseFind, "Afghanistan", verdict("c1", parley.Attributed)),
		ev(12, parley.CaseRule, "Pakistan", verdict("c1", parley.Attributed)),
		ev(12, parley.CaseRule, "Afghanistan", verdict("c1", parley.NotAttributable)),
		ev(13, parley.CaseRule, "mediators", verdict("c1", parley.Attributed)),
		// Case c2: Afghanistan alleges a ceasefire breach; still under investigation.
		ev(20, parley.CaseAllege, "Afghanistan", func(e *parley.CaseEvent) {
			e.Case, e.Accused, e.Commitments, e.Incident = "c2", "Pakistan", []string{"ceasefire-pakistan"}, "ucdp:9"
		}),
		ev(21, parley.CaseOpen, "mediators", func(e *parley.CaseEvent) { e.Case, e.Body = "c2", "mediators" }),
		// Obligations.
		ev(28, parley.CaseReport, "Afghanistan", func(e *parley.CaseEvent) { e.Commitment, e.Instance = "dismantling-report", 1 }),
		ev(29, parley.CaseConfirm, "mediators", func(e *parley.CaseEvent) { e.Commitment, e.Instance = "dismantling-report", 1 }),
		ev(29, parley.CaseReport, "Pakistan", func(e *parley.CaseEvent) { e.Commitment = "mechanism-seated" }),
		// Reported on its due day (day 30): on time.
		ev(30, parley.CaseReport, "Afghanistan", func(e *parley.CaseEvent) { e.Commitment = "designate-ttp" }),
		ev(31, parley.CaseContest, "mediators", func(e *parley.CaseEvent) { e.Commitment = "mechanism-seated" }),
		ev(31, parley.CaseConfirm, "Pakistan", func(e *parley.CaseEvent) { e.Commitment = "designate-ttp" }),
	)
	incidents := []parley.Incident{
		{Key: "acled:PAK1", Date: "2025-11-04"},
		{Key: "ucdp:9", Date: "2025-11-21"},
		{Key: "acled:PAK2", Date: "2025-11-22"},
		{Key: "acled:PAK0", Date: "2025-10-20"},
	}
	r, err := compliance.Compute(a, incidents, log, 35)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"dismantle-sanctuaries": "pending", "relocate-fighters": "pending", "dismantling-report": "met",
		"soil-not-used": "disputed", "mechanism-seated": "disputed", "mechanism-report": "missed",
		"designate-ttp": "met", "ceasefire-pakistan": "pending", "ceasefire-afghanistan": "met",
	}
	if got := statuses(r); !reflect.DeepEqual(got, want) {
		t.Errorf("day 35 statuses\n got %v\nwant %v", got, want)
	}
	n := 0
	for _, k := range r.Counts {
		n += k
	}
	if n != len(a.Commitments) {
		t.Errorf("counts %v sum to %d, want %d", r.Counts, n, len(a.Commitments))
	}
	if r.AsOf != "2025-12-08" || r.TimeToRuling.N != 1 || r.TimeToRuling.Mean != 10 || r.TimeToRuling.ByRuler["mediators (casting)"] != 10 {
		t.Errorf("as of %s, time to ruling %+v", r.AsOf, r.TimeToRuling)
	}
	for _, c := range r.Commitments {
		if c.ID == "soil-not-used" && !strings.Contains(c.Why, "cast over Afghanistan") {
			t.Errorf("soil-not-used why %q", c.Why)
		}
	}
	// Weeks: 20 Oct (before signature), 3 Nov (c1), 17 Nov (c2 and an
	// unalleged one); the empty weeks between are listed.
	st := r.Incidents
	if st.Total != 4 || st.BeforeSignature != 1 || len(st.Weeks) != 5 {
		t.Fatalf("incidents %+v", st)
	}
	if w := st.Weeks[2]; w.Week != "2025-W45" || w.Counts["attributed to Afghanistan"] != 1 {
		t.Errorf("week 45 %+v", w)
	}
	if w := st.Weeks[4]; w.Monday != "2025-11-17" || w.Counts[compliance.CatOpen] != 1 || w.Counts[compliance.CatNotAlleged] != 1 || w.Total != 2 {
		t.Errorf("week 47 %+v", w)
	}
	// Earlier: on day 11 the ruling is not made yet; on day 100 the
	// dismantling is overdue and the reports after the first are missed.
	r, err = compliance.Compute(a, incidents, log, 11)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r); got["soil-not-used"] != "pending" || got["designate-ttp"] != "pending" || got["ceasefire-pakistan"] != "met" {
		t.Errorf("day 11 statuses %v", got)
	}
	r, err = compliance.Compute(a, incidents, log, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r); got["dismantle-sanctuaries"] != "missed" || got["dismantling-report"] != "missed" || got["designate-ttp"] != "met" {
		t.Errorf("day 100 statuses %v", got)
	}
}

// TestUndisputedBreach: under pakistan_decides a ruling without dissent
// is a breach (missed); a dissent makes it disputed.
func TestUndisputedBreach(t *testing.T) {
	a := sign(t, map[string]string{"guarantee_form": "signed_guarantee", "attribution": "pakistan_decides"})
	ins := []parley.CaseEvent{
		ev(1, parley.CaseAllege, "Pakistan", func(e *parley.CaseEvent) {
			e.Case, e.Accused, e.Commitments = "u1", "Afghanistan", []string{"soil-not-used"}
		}),
		ev(1, parley.CaseOpen, "Pakistan", func(e *parley.CaseEvent) { e.Case, e.Body = "u1", "Pakistan" }),
		ev(2, parley.CaseFind, "Pakistan", func(e *parley.CaseEvent) { e.Case, e.Verdict = "u1", parley.Attributed }),
		ev(2, parley.CaseRule, "Afghanistan", func(e *parley.CaseEvent) { e.Case, e.Verdict, e.Note = "u1", parley.NotAttributable, "refuse" }),
		ev(3, parley.CaseRule, "Pakistan", func(e *parley.CaseEvent) { e.Case, e.Verdict = "u1", parley.Attributed }),
	}
	r, err := compliance.Compute(a, nil, run(t, a, ins...), 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r)["soil-not-used"]; got != "missed" {
		t.Errorf("without dissent: %s", got)
	}
	ins = append(ins, ev(4, parley.CaseDissent, "Afghanistan", func(e *parley.CaseEvent) { e.Case = "u1" }))
	r, err = compliance.Compute(a, nil, run(t, a, ins...), 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r)["soil-not-used"]; got != "disputed" {
		t.Errorf("with dissent: %s", got)
	}
	if len(r.Cases) != 1 || !r.Cases[0].Disputed || r.Cases[0].Ruling != "attributed" || *r.Cases[0].DaysToRuling != 2 {
		t.Errorf("cases %+v", r.Cases)
	}
}

// TestSuspension: a breach whose clause lets the wronged side suspend its
// own commitments; once the consequence is applied, the suspended
// commitment shows as suspended and cannot be alleged against, and its
// later instances are not missed.
func TestSuspension(t *testing.T) {
	zero := 0
	a := &parley.Accord{
		Scenario: "t", Signed: "2025-01-06", Parties: []string{"P", "Q"}, Seats: []string{"P", "Q"},
		Commitments: []parley.Commitment{
			{ID: "q-no-raids", Kind: parley.Prohibition, Text: "Q does not raid.", By: []string{"Q"}, To: []string{"P"},
				OnBreach: &parley.Breach{Action: parley.Suspension, By: []string{"P"}, Within: 5, Suspends: []string{"p-no-raids", "p-aid"}}},
			{ID: "p-no-raids", Kind: parley.Prohibition, Text: "P does not raid.", By: []string{"P"}, To: []string{"Q"}},
			{ID: "p-aid", Kind: parley.Obligation, Text: "P pays aid.", By: []string{"P"}, To: []string{"Q"}, Due: parley.Due{Every: 10}},
			{ID: "p-once", Kind: parley.Obligation, Text: "P opens a crossing.", By: []string{"P"}, To: []string{"Q"}, Due: parley.Due{Within: &zero}},
		},
		Mechanism: parley.Mechanism{Investigate: parley.Investigation{By: []string{"P", "Q"}}, Rule: parley.Ruling{By: "P", Dissent: []string{"Q"}}},
	}
	log := run(t, a,
		ev(0, parley.CaseReport, "P", func(e *parley.CaseEvent) { e.Commitment = "p-once" }),
		ev(0, parley.CaseConfirm, "Q", func(e *parley.CaseEvent) { e.Commitment = "p-once" }),
		ev(9, parley.CaseReport, "P", func(e *parley.CaseEvent) { e.Commitment, e.Instance = "p-aid", 1 }),
		ev(10, parley.CaseConfirm, "Q", func(e *parley.CaseEvent) { e.Commitment, e.Instance = "p-aid", 1 }),
		ev(11, parley.CaseAllege, "P", func(e *parley.CaseEvent) { e.Case, e.Accused, e.Commitments = "s1", "Q", []string{"q-no-raids"} }),
		ev(11, parley.CaseOpen, "P", func(e *parley.CaseEvent) { e.Case, e.Body = "s1", "P" }),
		ev(12, parley.CaseFind, "P", func(e *parley.CaseEvent) { e.Case, e.Verdict = "s1", parley.Attributed }),
		ev(12, parley.CaseRule, "P", func(e *parley.CaseEvent) { e.Case, e.Verdict = "s1", parley.Attributed }),
		ev(13, parley.CaseApply, "Q", func(e *parley.CaseEvent) { e.Case, e.Note = "s1", "refuse" }),
		ev(14, parley.CaseApply, "P", func(e *parley.CaseEvent) { e.Case = "s1" }),
		ev(15, parley.CaseAllege, "Q", func(e *parley.CaseEvent) {
			e.Case, e.Accused, e.Commitments, e.Note = "s2", "P", []string{"p-no-raids"}, "refuse"
		}),
	)
	suspended := 0
	for _, e := range log {
		if e.Kind == parley.CaseSuspended {
			suspended++
		}
		if e.Kind == parley.CaseMissed {
			t.Errorf("missed after suspension: %+v", e)
		}
	}
	if suspended != 2 {
		t.Errorf("%d suspended events, want 2", suspended)
	}
	r, err := compliance.Compute(a, nil, log, 40)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"q-no-raids": "missed", "p-no-raids": "suspended", "p-aid": "suspended", "p-once": "met"}
	if got := statuses(r); !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	for _, c := range r.Commitments {
		if c.ID == "p-aid" && (len(c.Instances) < 3 || c.Instances[0].Status != compliance.Met || c.Instances[1].Status != compliance.Suspended) {
			t.Errorf("p-aid instances %+v", c.Instances)
		}
	}
	if r.Cases[0].Stage != "closed" {
		t.Errorf("case %+v", r.Cases[0])
	}
}
