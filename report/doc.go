// Package report words and draws parley's results for people: text
// reports for the terminal and self-contained HTML pages (inline CSS and
// SVG, no JavaScript, no external assets) that work offline, read at
// 1280×800 and at phone width, and label their charts for screen readers.
//
// # Entry points
//
//   - HTML: the analysis page of a scenario (analysis.Report and its model).
//   - SimulationHTML: the page of one negotiation — the debrief — from its
//     transcript.
//   - Text, Timeline, MonteCarlo, Accounts, SensitivityText: the text
//     reports.
//
// # Rendering a negotiation from its record
//
// The simulation page and the timeline render from a Debrief: a
// transcript's header and events with what replaying them establishes (how
// it ended, who got what, who blocked). A runner's memory is never read,
// so a server renders any stored session's debrief the way 'parley report
// TRANSCRIPT.jsonl --html FILE' does:
//
//	t, err := protocol.DecodeTranscript(r, protocol.ReadOptions{}) // or the stored header and events
//	d, err := report.NewDebrief(t.Header, t.Events)                  // replays; ECONFLICT if the record does not
//	rep, err := analysis.Analyze(ctx, d.Model, analysis.Options{NoBlocking: true}) // optional: frontier, Nash
//	err = report.SimulationHTML(w, d, rep)                          // rep may be nil
//
// The page shows every party's utilities and reservation value: serve it
// to the mediator, an observer or a teacher, never to a party's seat.
// Rendering is linear in the number of events (long series are binned,
// tables and plots capped), and the same inputs give the same bytes.
//
// # Layout
//
// One file per page or chart: analysis_page.go, simulation_page.go,
// outcome_plot.go (outcomes in utility space, a matrix of pairs for three
// or more parties), utility_chart.go (utilities over time),
// clause_timeline.go, tornado.go (sensitivity), svg.go (what charts share:
// axes, markers, label placement), templates.go with templates/ (the
// embedded markup and stylesheet), debrief.go (the transcript-derived
// input); text.go, timeline.go, montecarlo.go and sensitivity.go are the
// text reports, words.go and provenance.go the sentences they share.
package report
