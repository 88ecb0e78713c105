package protocol_test

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// Scenarios for transcript tests, by name.
var fixtures = map[string]func() *parley.Scenario{
	"small2": small2,
	"stack3": stack3,
	"deleg":  deleg,
}

func est(v float64) parley.Estimate { return parley.Estimate{Value: v} }

func opts(labels ...string) []parley.Option {
	o := make([]parley.Option, len(labels))
	for i, l := range labels {
		o[i] = parley.Option{Label: l}
	}
	return o
}

// pref builds an issue preference from "label", value pairs.
func pref(issue string, w float64, kv ...any) parley.IssuePref {
	ip := parley.IssuePref{Issue: issue, Weight: est(w)}
	for i := 0; i < len(kv); i += 2 {
		ip.Values = append(ip.Values, parley.OptionValue{Option: kv[i].(string), Value: est(toF(kv[i+1]))})
	}
	return ip
}

func toF(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	panic(fmt.Sprintf("not a number: %v", v))
}

// small2: a buyer and a seller over price and delivery.
// buyer(mid,fast) = 0.7, seller(mid,fast) = 0.48; seller(lo,fast) = 0.06.
func small2() *parley.Scenario {
	return &parley.Scenario{
		ID:     "small2",
		Issues: []parley.Issue{{Name: "price", Options: opts("lo", "mid", "hi")}, {Name: "delivery", Options: opts("slow", "fast")}},
		Parties: []parley.Party{
			{Name: "Buyer", Preferences: &parley.Preferences{Issues: []parley.IssuePref{
				pref("price", 0.6, "lo", 1, "mid", 0.5), pref("delivery", 0.4, "fast", 1)}, Reservation: est(0.3)}},
			{Name: "Seller", Preferences: &parley.Preferences{Issues: []parley.IssuePref{
				pref("price", 0.7, "hi", 1, "mid", 0.6), pref("delivery", 0.3, "slow", 1, "fast", 0.2)}, Reservation: est(0.3)}},
		},
	}
}

// stack3 adds a carrier that prefers slow delivery but can live with fast.
func stack3() *parley.Scenario {
	s := small2()
	s.ID = "stack3"
	s.Parties = append(s.Parties, parley.Party{Name: "Carrier", Preferences: &parley.Preferences{Issues: []parley.IssuePref{
		pref("delivery", 1, "slow", 1, "fast", 0.5)}, Reservation: est(0.3)}})
	return s
}

// deleg: a host and a coalition delegation (gov, hardliners; unanimity)
// over a ceasefire, prisoners and monitors; monitors by a guarantor need
// Turkey, which does not consent. Hardliners have a red line on UN
// monitors. (partial, exchange, unaddressed) and (partial, none,
// unaddressed) are in the zone.
func deleg() *parley.Scenario {
	no := false
	mon := []parley.Option{{Label: "unaddressed", NotAddressed: true}, {Label: "un"}, {Label: "guarantor"}}
	return &parley.Scenario{
		ID: "deleg",
		Issues: []parley.Issue{
			{Name: "ceasefire", Options: opts("none", "partial", "full")},
			{Name: "prisoners", Options: opts("none", "exchange")},
			{Name: "monitors", Options: mon},
		},
		Parties: []parley.Party{
			{Name: "Host", Preferences: &parley.Preferences{Issues: []parley.IssuePref{
				pref("ceasefire", 0.5, "none", 0.2, "partial", 1, "full", 0.6),
				pref("prisoners", 0.3, "exchange", 1, "none", 0.3),
				pref("monitors", 0.2, "unaddressed", 1, "un", 0.6, "guarantor", 0.2)}, Reservation: est(0.4)}},
			{Name: "Coalition", Delegation: &parley.Delegation{Rule: parley.Ratification{Kind: parley.Unanimity}, Factions: []parley.Faction{
				{Name: "gov", Weight: est(2), Preferences: parley.Preferences{Issues: []parley.IssuePref{
					pref("ceasefire", 0.5, "full", 1, "partial", 0.7),
					pref("prisoners", 0.3, "exchange", 1),
					pref("monitors", 0.2, "un", 1, "guarantor", 0.8, "unaddressed", 0.3)}, Reservation: est(0.4)}},
				{Name: "hardliners", Weight: est(1), Preferences: parley.Preferences{Issues: []parley.IssuePref{
					pref("ceasefire", 0.4, "partial", 1, "full", 0.2),
					pref("prisoners", 0.3, "exchange", 0.2, "none", 1),
					pref("monitors", 0.3, "guarantor", 1, "un", 0.5)}, Reservation: est(0.3),
					RedLines: []parley.RedLine{{Name: "no-un-monitors", Conditions: []parley.Condition{{Issue: "monitors", Options: []string{"un"}}}}}}},
			}}},
		},
		Roles: []parley.Role{{Name: "Turkey", Kind: parley.Guarantor, Needed: []parley.Condition{{Issue: "monitors", Options: []string{"guarantor"}}}, Consents: &no}},
	}
}
