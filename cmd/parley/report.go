package main

import (
	"context"
	"io"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/report"
)

const reportAbout = `Renders a negotiation from its transcript (a parley.transcript/1 file, as 'parley simulate
--transcript' writes it or a server exports it): the transcript is checked and replayed, its
timeline printed, and with --html the self-contained HTML page written — the same page
'parley simulate --html' writes for the run.`

// ReportCommand renders a negotiation from its transcript.
type ReportCommand struct{ *Main }

// Run reads and replays the transcript, prints its timeline and, with
// --html, writes its page.
func (c *ReportCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley report", "TRANSCRIPT.jsonl [--html FILE]", reportAbout)
	html := fs.String("html", "", "also write the negotiation's self-contained HTML page to this `FILE`")
	legacy := fs.Bool("legacy", false, "also read a transcript written before transcripts were hash-chained (its integrity cannot be checked; it must end with its end event)")
	var maxInput int64
	maxInputFlag(fs, &maxInput)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("report needs one transcript file: parley report TRANSCRIPT.jsonl [--html FILE]")
	}
	t, err := readTranscript(pos[0], maxInput, *legacy)
	if err != nil {
		return err
	}
	d, err := report.NewDebrief(t.Header, t.Events)
	if err != nil {
		return inFile(pos[0], err)
	}
	if *html != "" {
		if err := writeDebriefHTML(ctx, *html, d); err != nil {
			return err
		}
	}
	return report.Timeline(c.Stdout, d)
}

// writeDebriefHTML writes a negotiation's page, with the Pareto frontier
// and the Nash point of its scenario.
func writeDebriefHTML(ctx context.Context, path string, d *report.Debrief) error {
	rep, err := analysis.Analyze(ctx, d.Model, analysis.Options{NoBlocking: true})
	if err != nil {
		return err
	}
	return writeHTMLFile(path, func(w io.Writer) error { return report.SimulationHTML(w, d, rep) })
}
