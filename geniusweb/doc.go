// Package geniusweb imports and exports negotiation domains and profiles in
// the JSON format of GeniusWeb, the successor of Genius
// (https://tracinsy.ewi.tudelft.nl/pubtrac/GeniusWeb).
//
// A domain file is {"name": ..., "issuesValues": {issue: {"values": [...]}
// or {"range": {"low": ..., "high": ..., "step": ...}}}}; issue order is the
// file's order. A profile file is {"LinearAdditiveUtilitySpace": {"name",
// "domain", "issueUtilities", "issueWeights", "reservationBid"}}, where an
// issue utility is {"discreteutils": {"valueUtilities": {value: u}}} or
// {"numberutils": {"lowValue", "lowUtility", "highValue", "highUtility"}}.
// ReadDomain and ReadProfile parse them; Build turns a domain and its
// profiles into a *parley.Scenario; Load does both from files.
//
// Both layouts are accepted: a separate domain file with profiles (which
// may also embed the domain; it must then be the same), or profiles alone
// that embed their domain (pass "" as the domain path).
//
// Semantics, as in GeniusWeb:
//   - numbers are read exactly (as decimals) and converted once to float64;
//     range values are low, low+step, ... up to high, computed exactly; a
//     range with step 1 and an integer low becomes an Integer issue, any
//     other a Real one, with the values as options labelled by their
//     shortest float64 form;
//   - discrete utilities are used as written (no division by the maximum,
//     unlike Genius XML); a domain value without a utility is worth 0;
//   - a number issue's utility is linear from (lowValue, lowUtility) to
//     (highValue, highUtility) and 0 outside [lowValue, highValue];
//     GeniusWeb rounds it to 8 decimals, parley does not;
//   - weights are used as written; parley.Compile divides them by their sum
//     (GeniusWeb requires it to be exactly 1; a note says when it is not);
//   - the reservation value is the utility of the reservationBid (computed
//     exactly with the normalised weights; issues the bid leaves out count
//     0), or the non-standard "reservationValue" number when given, or 0
//     when the profile has neither (GeniusWeb: any agreement beats none).
//
// Problems are reported as *parley.PosError (file:line:column, field path)
// wrapping a *parley.Error with code parley.EINVALID; things GeniusWeb
// would reject but that have an obvious reading (utilities outside [0, 1],
// weights not summing to 1, utilities for unknown values) become notes in
// Scenario.Warnings. Only linear additive profiles are supported.
//
// Write exports a scenario as GeniusWeb JSON; see its documentation for
// what the format cannot express (reported as warnings, never silently).
package geniusweb
