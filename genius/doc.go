// Package genius imports negotiation domains and preference profiles written
// in the XML format of Genius, the negotiation environment of TU Delft used
// by the ANAC competitions (https://ii.tudelft.nl/genius/), into a
// *parley.Scenario.
//
// A domain file has root <negotiation_template> and lists the issues
// (discrete with <item value>, integer with lowerbound/upperbound, real with
// a <range>); a profile file has root <utility_space> and gives either an
// additive utility (per-issue <weight> and <evaluator>) or, with
// type="nonlinear", the ANAC 2014 hyper-rectangle utility. ReadDomain and
// ReadProfile parse them; Build turns a domain and its profiles into a
// Scenario; Load does both from files.
//
// The reader accepts what Genius itself reads with its lenient parser (a
// comment before the XML declaration, Latin-1 bytes, bare ampersands,
// attributes without separating spaces) and evaluates utilities as Genius
// does: discrete evaluations are divided by the largest
// evaluation, integer and real evaluators are clipped to [0, 1], weights
// are divided by their sum, nonlinear sums by maxutility. Anything else is
// rejected with a *parley.PosError (code parley.EINVALID) that gives
// file:line and the reason. Every point where the import differs from
// reading the numbers raw, or from Genius, is listed in
// docs/genius-import.md; the ones that concern a given file end up in
// Scenario.Warnings.
package genius
