package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/incidentcsv"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/jsonl"
	"github.com/parleyhq/parley/mechsim"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/report/monitoring"
	"github.com/parleyhq/parley/simulate"
	"github.com/parleyhq/parley/verify"
)

// DefaultRegister is the monitoring register's file when --register is
// not given: in the working directory.
const DefaultRegister = "parley-monitor.jsonl"

const monitorUsage = `parley monitor: follow an agreement into its implementation.

Usage:
  parley monitor sign [FILE.yaml] [--variant V] [--set ISSUE=OPTION,...] [--date YYYY-MM-DD]
                                         negotiate (or read --transcript) and record the agreement and its commitments
  parley monitor import FILE.csv [--format auto|acled|ucdp] [--skip-bad]
                                         add incidents from an ACLED or UCDP GED export (nothing twice)
  parley monitor act VERB --as SEAT [--date D] [--case C] ...
                                         a step of the verification mechanism; VERB is allege, open, evidence,
                                         find, rule, dissent, apply, report, confirm, contest or tick
  parley monitor status [--as-of D] [--json]
                                         commitments met, missed, pending, disputed; open cases; the register's chain head
  parley monitor report [--as-of D] [--json | --html FILE] [--seat SEAT]
                                         the full compliance report (text, JSON or a self-contained page)
  parley monitor simulate [FILE.yaml] [--variant V] [--mechanism ISSUE=OPTION,...]... [--days N] [--runs N]
                                         Monte Carlo of the first days under each verification mechanism

Every command but simulate works on a register file: --register FILE (default ./` + DefaultRegister + `).
Dates default to today.
`

// MonitorCommand dispatches the monitor subcommands.
type MonitorCommand struct {
	*Main
	// Today is the date used when none is given; tests set it.
	Today func() time.Time
}

// Run dispatches to a subcommand.
func (c *MonitorCommand) Run(ctx context.Context, args []string) error {
	if c.Today == nil {
		c.Today = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, monitorUsage)
		return usagef("monitor: no subcommand given")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "sign":
		return c.sign(ctx, rest)
	case "import":
		return c.importCSV(ctx, rest)
	case "act":
		return c.act(ctx, rest)
	case "status":
		return c.status(ctx, rest, false)
	case "report":
		return c.status(ctx, rest, true)
	case "simulate":
		return c.simulate(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(c.Stdout, monitorUsage)
		return nil
	}
	fmt.Fprint(c.Stderr, monitorUsage)
	return usagef("monitor: unknown subcommand %q", sub)
}

func (c *MonitorCommand) flags(name string) *flag.FlagSet {
	return c.flagSet("parley monitor "+name, "[flags]", "'parley help monitor' describes the subcommands.")
}

// date parses a --date style flag; empty is today.
func (c *MonitorCommand) date(flagName, v string) (time.Time, error) {
	if v == "" {
		t := c.Today()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(parley.DateLayout, v)
	if err != nil {
		return time.Time{}, usagef("--%s: %q is not a date YYYY-MM-DD", flagName, v)
	}
	return t, nil
}

// ledger is an open register with its accord's verification machine.
type ledger struct {
	store     *jsonl.Store
	accord    *parley.Accord
	machine   *verify.Machine
	events    []parley.CaseEvent
	incidents []parley.Incident
}

// open opens the register; with needAccord it also loads the accord and
// replays the verification log (a log that does not replay is refused).
// maxInput bounds the bytes read from the register ('--max-input-size').
func (c *MonitorCommand) open(ctx context.Context, path string, maxInput int64, create, needAccord bool) (*ledger, error) {
	if !create && !jsonl.Exists(path) {
		return nil, parley.Errorf(parley.ENOTFOUND, "no register %s; start one with parley monitor sign (or give --register)", path)
	}
	st, err := jsonl.OpenLimit(path, maxInput)
	if err != nil {
		return nil, inputHint(err)
	}
	for _, w := range st.Warnings() {
		fmt.Fprintln(c.Stderr, "warning:", w)
	}
	l := &ledger{store: st}
	if l.incidents, err = st.Incidents(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if !needAccord {
		return l, nil
	}
	if l.accord, err = st.Accord(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if l.events, err = st.CaseEvents(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if l.machine, err = verify.Replay(l.accord, l.events); err != nil {
		st.Close()
		return nil, fmt.Errorf("register %s: the verification log does not replay: %w", path, err)
	}
	return l, nil
}

// clauses sets "issue=option,issue=option" in o (Scenario.SetClauses); a
// bad spec is a usage error.
func clauses(s *parley.Scenario, spec string, o parley.Outcome) error {
	if err := s.SetClauses(o, spec); err != nil {
		return usagef("%s", parley.ErrorMessage(err))
	}
	return nil
}

// negotiate runs the scenario's negotiation as parley simulate does and
// returns the agreed outcome.
func negotiate(ctx context.Context, s *parley.Scenario, seed uint64) (parley.Outcome, string, error) {
	cfg, err := simulate.FromScenario(s, "")
	if err != nil {
		return nil, "", err
	}
	cfg.Seed = seed
	m, err := s.Compile()
	if err != nil {
		return nil, "", err
	}
	if info, _ := protocol.Lookup(cfg.Protocol); info.Mediated {
		cfg.Target = simulate.MediatorTarget(ctx, m)
	}
	run, err := simulate.OnceContext(ctx, m, cfg, false)
	if err != nil {
		return nil, "", err
	}
	if run.Result.End != parley.Agreement {
		why := run.Result.Why
		if len(run.Blocked) > 0 {
			why += " (" + strings.Join(run.Blocked, "; ") + ")"
		}
		return nil, "", parley.Errorf(parley.EINVALID, "the negotiation of %s ended without agreement (%s: %s); nothing to sign — try another --variant (e.g. us-signs) or --transcript", s.ID, run.Result.End, why)
	}
	return run.Result.Agreement, fmt.Sprintf("parley simulate, seed %d, %d rounds", seed, run.Result.Rounds), nil
}

// fromTranscript reads the scenario and agreement of a simulate transcript.
func fromTranscript(path string, maxInput int64) (*parley.Scenario, parley.Outcome, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	h, events, err := protocol.ReadTranscript(limit.Reader(f, path, maxInput))
	if err != nil {
		return nil, nil, inFile(path, inputHint(err))
	}
	if h.Scenario == nil {
		return nil, nil, parley.Errorf(parley.EINVALID, "%s: the transcript embeds no scenario", path)
	}
	o, err := protocol.Agreement(events)
	if err != nil {
		return nil, nil, parley.Errorf(parley.EINVALID, "%s: %s", path, parley.ErrorMessage(err))
	}
	return h.Scenario, o, nil
}

func (c *MonitorCommand) sign(ctx context.Context, args []string) error {
	fs := c.flags("sign")
	var in input
	in.flags(fs)
	register := fs.String("register", DefaultRegister, "the register `FILE`")
	set := fs.String("set", "", "change agreed clauses: `ISSUE=OPTION,...` (what-if)")
	dateFlag := fs.String("date", "", "the date of signature, YYYY-MM-DD (default today)")
	transcript := fs.String("transcript", "", "take the agreement from a transcript of parley simulate (`FILE.jsonl`)")
	seed := fs.Uint64("seed", 1, "seed of the negotiation")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	signed, err := c.date("date", *dateFlag)
	if err != nil {
		return err
	}
	var s *parley.Scenario
	var o parley.Outcome
	origin := ""
	if *transcript != "" {
		if len(pos) > 0 || in.Variant != "" {
			return usagef("--transcript brings its own scenario; give no scenario file or --variant")
		}
		if s, o, err = fromTranscript(*transcript, in.MaxInput); err != nil {
			return err
		}
		origin = "transcript " + *transcript
	} else {
		if _, s, err = in.load(pos); err != nil {
			return err
		}
		if o, origin, err = negotiate(ctx, s, *seed); err != nil {
			return err
		}
	}
	if *set != "" {
		if err := clauses(s, *set, o); err != nil {
			return err
		}
		origin += "; clauses set by hand: " + *set
	}
	a, err := s.Agree(o, signed.Format(parley.DateLayout))
	if err != nil {
		return err
	}
	a.Origin = origin
	if _, err := verify.New(a); err != nil {
		return err
	}
	st, err := jsonl.OpenLimit(*register, in.MaxInput)
	if err != nil {
		return inputHint(err)
	}
	defer st.Close()
	if err := st.Sign(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "Signed %s", a.Scenario)
	if a.Variant != "" {
		fmt.Fprintf(c.Stdout, " (%s)", a.Variant)
	}
	fmt.Fprintf(c.Stdout, " on %s into %s (%s).\n", a.Signed, *register, origin)
	for _, cl := range a.Clauses {
		if !cl.NotAddressed {
			fmt.Fprintf(c.Stdout, "  %s=%s: %s\n", cl.Issue, cl.Option, cl.Clause)
		}
	}
	iv, ru := monitoring.Mechanism(a.Mechanism)
	fmt.Fprintf(c.Stdout, "Investigation %s\nRuling %s\nCommitments (%d):\n", iv, ru, len(a.Commitments))
	for _, cm := range a.Commitments {
		fmt.Fprintf(c.Stdout, "  %-22s %-11s %s → %s, %s: %s\n", cm.ID, cm.Kind, strings.Join(cm.By, "+"), strings.Join(cm.To, "+"), cm.Due, cm.Text)
	}
	return nil
}

func (c *MonitorCommand) importCSV(ctx context.Context, args []string) error {
	fs := c.flags("import")
	var maxInput int64
	maxInputFlag(fs, &maxInput)
	register := fs.String("register", DefaultRegister, "the register `FILE`")
	format := fs.String("format", "auto", "the CSV layout: auto, acled or ucdp")
	reporter := fs.String("reporter", "", "who reported the incidents (recorded on each; default: the dataset)")
	skipBad := fs.Bool("skip-bad", false, "import the good rows even when some rows are bad (the bad ones are listed)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("monitor import needs one CSV file, got %d", len(pos))
	}
	f, err := incidentcsv.ParseFormat(*format)
	if err != nil {
		return &usageError{msg: "--format: " + parley.ErrorMessage(err)}
	}
	file, err := openFile(pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	res, err := incidentcsv.Read(limit.Reader(file, pos[0], maxInput), incidentcsv.Options{Format: f, File: pos[0], ReportedBy: *reporter})
	if err != nil {
		return inputHint(err)
	}
	if *reporter == "" {
		for i := range res.Incidents {
			res.Incidents[i].ReportedBy = res.Format.String()
		}
	}
	if bad := res.Err(); bad != nil {
		if !*skipBad {
			return fmt.Errorf("%w\nnothing imported; fix the rows, or import the %d good one(s) with --skip-bad", bad, len(res.Incidents))
		}
		fmt.Fprintf(c.Stderr, "warning: skipping %v\n", bad)
	}
	l, err := c.open(ctx, *register, maxInput, true, false)
	if err != nil {
		return err
	}
	defer l.store.Close()
	added, err := l.store.AddIncidents(ctx, res.Incidents)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "%s: %d row(s) in %s layout; %d incident(s) added, %d already in %s", pos[0], res.Rows, res.Format, len(added), len(res.Incidents)-len(added), *register)
	if res.BadRows > 0 {
		fmt.Fprintf(c.Stdout, ", %d bad row(s) skipped", res.BadRows)
	}
	fmt.Fprintln(c.Stdout)
	return nil
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (c *MonitorCommand) act(ctx context.Context, args []string) error {
	verb := "VERB" // for the usage 'parley help monitor act' prints
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		args = append([]string{"allege"}, args...)
	} else if len(args) > 0 {
		verb = args[0]
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("monitor act needs a verb: allege, open, evidence, find, rule, dissent, apply, report, confirm, contest or tick")
	}
	var kind parley.CaseEventKind
	if err := kind.UnmarshalText([]byte(args[0])); err != nil || !kind.Input() {
		return usagef("monitor act: unknown verb %q; expected allege, open, evidence, find, rule, dissent, apply, report, confirm, contest or tick", args[0])
	}
	fs := c.flags("act " + verb)
	register := fs.String("register", DefaultRegister, "the register `FILE`")
	var maxInput int64
	maxInputFlag(fs, &maxInput)
	var in parley.CaseEvent
	in.Kind = kind
	fs.StringVar(&in.By, "as", "", "the seat acting (a party, mediators, or a role)")
	dateFlag := fs.String("date", "", "when, YYYY-MM-DD (default today)")
	fs.StringVar(&in.Case, "case", "", "the case id")
	fs.StringVar(&in.Incident, "incident", "", "allege: the incident's key in the register (acled:ID, ucdp:ID)")
	fs.StringVar(&in.Accused, "accused", "", "allege: the party accused")
	commitments := fs.String("commitments", "", "allege: the commitments broken, comma-separated")
	fs.StringVar(&in.Body, "body", "", "open: the investigating body (joint, mediators or a party)")
	verdict := fs.String("verdict", "", "find, rule: attributed, not_attributable or unfounded")
	fs.StringVar(&in.Commitment, "commitment", "", "report, confirm, contest, apply: the commitment")
	fs.IntVar(&in.Instance, "instance", 0, "report, confirm, contest, apply: the instance of a periodic obligation (default 1)")
	fs.BoolVar(&in.Confidential, "confidential", false, "evidence: for the mediators' eyes only")
	fs.StringVar(&in.Note, "note", "", "a note for the record")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("monitor act %s takes flags only, got %q", args[0], pos[0])
	}
	if in.By == "" && kind != parley.CaseTick {
		return usagef("monitor act %s: say who acts with --as SEAT", args[0])
	}
	if *commitments != "" {
		for _, id := range strings.Split(*commitments, ",") {
			in.Commitments = append(in.Commitments, strings.TrimSpace(id))
		}
	}
	if *verdict != "" {
		if err := in.Verdict.UnmarshalText([]byte(*verdict)); err != nil {
			return &usageError{msg: "--verdict: " + parley.ErrorMessage(err)}
		}
	}
	when, err := c.date("date", *dateFlag)
	if err != nil {
		return err
	}
	l, err := c.open(ctx, *register, maxInput, false, true)
	if err != nil {
		return err
	}
	defer l.store.Close()
	if in.Day, err = l.accord.Day(when); err != nil {
		return err
	}
	if in.Day < 0 {
		return usagef("--date %s is before the signature (%s)", when.Format(parley.DateLayout), l.accord.Signed)
	}
	if in.Incident != "" && !hasIncident(l.incidents, in.Incident) {
		return parley.Errorf(parley.ENOTFOUND, "incident %q is not in the register %s; import it first (parley monitor import)", in.Incident, *register)
	}
	evs, stepErr := l.machine.Step(in)
	if len(evs) > 0 {
		if err := l.store.AppendCaseEvents(ctx, evs); err != nil {
			return err
		}
	}
	for _, ev := range evs {
		fmt.Fprintln(c.Stdout, verify.Format(ev, l.accord.Seats))
	}
	return stepErr
}

func hasIncident(ins []parley.Incident, key string) bool {
	for _, in := range ins {
		if in.Key == key {
			return true
		}
	}
	return false
}

// status writes the compliance report of 'monitor status' or, full,
// 'monitor report'. Its steps: parse the flags, open the register, compute
// the report as of the day asked, and write it as text, JSON or HTML.
func (c *MonitorCommand) status(ctx context.Context, args []string, full bool) error {
	o, err := c.statusFlags(args, full)
	if err != nil {
		return err
	}
	l, err := c.open(ctx, o.register, o.maxInput, false, true)
	if err != nil {
		return err
	}
	defer l.store.Close()
	r, err := c.statusReport(l, o)
	if err != nil {
		return err
	}
	return c.writeStatus(l, r, o)
}

// statusOptions are the flags of 'monitor status' and 'monitor report';
// html and seat belong to report alone and stay empty for status.
type statusOptions struct {
	full                       bool
	register, asOf, html, seat string
	maxInput                   int64
	json                       bool
}

// statusFlags parses the flags of 'monitor status' or, full, 'monitor
// report'.
func (c *MonitorCommand) statusFlags(args []string, full bool) (*statusOptions, error) {
	name := "status"
	if full {
		name = "report"
	}
	o := &statusOptions{full: full}
	fs := c.flags(name)
	fs.StringVar(&o.register, "register", DefaultRegister, "the register `FILE`")
	maxInputFlag(fs, &o.maxInput)
	fs.StringVar(&o.asOf, "as-of", "", "report as of this date, YYYY-MM-DD (default today, or the last recorded day if later)")
	fs.BoolVar(&o.json, "json", false, "write the report as JSON")
	if full {
		fs.StringVar(&o.html, "html", "", "write a self-contained HTML page to `FILE`")
		fs.StringVar(&o.seat, "seat", "", "show only what this seat may see")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usagef("monitor %s takes no arguments, got %q", name, pos[0])
	}
	return o, nil
}

// statusReport computes the compliance report as of --as-of (default:
// today, or the last recorded day if later), cut to --seat's view if given.
func (c *MonitorCommand) statusReport(l *ledger, o *statusOptions) (*compliance.Report, error) {
	t, err := c.date("as-of", o.asOf)
	if err != nil {
		return nil, err
	}
	day, err := l.accord.Day(t)
	if err != nil {
		return nil, err
	}
	if o.asOf == "" {
		day = max(day, l.machine.Day()) // today, or the last recorded day if later
	}
	if day < 0 {
		return nil, usagef("--as-of is before the signature (%s)", l.accord.Signed)
	}
	r, err := compliance.Compute(l.accord, l.incidents, l.events, day)
	if err != nil {
		return nil, err
	}
	if o.seat != "" {
		if !contains(l.accord.Seats, o.seat) {
			return nil, usagef("--seat: %q is not a seat of the agreement (%s)", o.seat, strings.Join(l.accord.Seats, ", "))
		}
		r = r.ForSeat(o.seat)
	}
	return r, nil
}

// writeStatus writes r: the HTML page to --html (saying so on stdout
// unless --json), then JSON with the register's chain head, the full text
// report, or the status text ending with the chain head.
func (c *MonitorCommand) writeStatus(l *ledger, r *compliance.Report, o *statusOptions) error {
	if o.html != "" {
		opt := monitoring.HTMLOptions{Seat: o.seat, Incidents: l.incidents, Seats: l.accord.Seats}
		if err := writeFile(o.html, func(f *os.File) error { return monitoring.HTML(f, r, opt) }); err != nil {
			return err
		}
		if !o.json {
			fmt.Fprintf(c.Stdout, "wrote %s\n", o.html)
			return nil
		}
	}
	if o.json {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		out := struct {
			*compliance.Report
			// RegisterHead is the register's chain head (absent for a
			// register of version 1, which has none).
			RegisterHead *parley.ChainHead `json:"register_head,omitempty"`
		}{Report: r}
		if h := l.store.Head(); !h.Hash.IsZero() {
			out.RegisterHead = &h
		}
		return enc.Encode(out)
	}
	if o.full {
		return monitoring.Text(c.Stdout, r, l.accord.Seats)
	}
	if err := monitoring.Status(c.Stdout, r); err != nil {
		return err
	}
	return c.printHead(o.register, l.store.Head())
}

// printHead prints the register's chain head, to compare with a copy kept
// elsewhere or with parley audit verify (a cut tail shows only so).
func (c *MonitorCommand) printHead(path string, h parley.ChainHead) error {
	if h.Hash.IsZero() {
		_, err := fmt.Fprintf(c.Stdout, "\nRegister %s: %s, not hash-chained (nothing vouches for it)\n", path, jsonl.SchemaV1)
		return err
	}
	_, err := fmt.Fprintf(c.Stdout, "\nRegister %s: %d records, chain head %s\n", path, h.Events, h.Hash)
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *MonitorCommand) simulate(ctx context.Context, args []string) error {
	fs := c.flags("simulate")
	var in input
	in.flags(fs)
	var mechs listFlag
	fs.Var(&mechs, "mechanism", "a mechanism to compare: the agreement with `ISSUE=OPTION,...` changed (repeat the flag to compare several; default: the agreement as negotiated)")
	set := fs.String("set", "", "change agreed clauses for every mechanism: `ISSUE=OPTION,...`")
	register := fs.String("register", "", "simulate the agreement signed in this register `FILE` instead of negotiating the scenario")
	var cfg mechsim.Config
	fs.IntVar(&cfg.Days, "days", 90, "the horizon in days after signature")
	fs.IntVar(&cfg.Runs, "runs", 2000, "simulated histories per mechanism")
	fs.IntVar(&cfg.Workers, "workers", 0, "worker goroutines (default: all cores; results do not depend on it)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the study (and of the negotiation)")
	fs.BoolVar(&cfg.Points, "points", false, "use every estimate's point value instead of drawing from its range")
	fs.IntVar(&cfg.OpenStep, "open-step", 30, "days a step without a deadline takes at most")
	asJSON := fs.Bool("json", false, "write the results as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if cfg.Days <= 0 || cfg.Runs <= 0 || cfg.Workers < 0 || cfg.OpenStep < 0 {
		return usagef("--days and --runs must be positive, --workers and --open-step not negative")
	}
	var list []mechsim.Mechanism
	if *register != "" {
		if len(pos) > 0 || in.Variant != "" || len(mechs) > 0 || *set != "" {
			return usagef("--register simulates the signed agreement as it is; it takes no scenario, --variant, --set or --mechanism")
		}
		l, err := c.open(ctx, *register, in.MaxInput, false, true)
		if err != nil {
			return err
		}
		l.store.Close()
		list = append(list, mechsim.Mechanism{Name: mechsim.Name(l.accord), Accord: l.accord})
	} else {
		_, s, err := in.load(pos)
		if err != nil {
			return err
		}
		base, _, err := negotiate(ctx, s, cfg.Seed)
		if err != nil {
			return err
		}
		if err := clauses(s, *set, base); err != nil {
			return err
		}
		if len(mechs) == 0 {
			mechs = append(mechs, "")
		}
		for _, spec := range mechs {
			o := append(parley.Outcome(nil), base...)
			if err := clauses(s, spec, o); err != nil {
				return &usageError{msg: "--mechanism: " + err.Error()}
			}
			a, err := s.Agree(o, "2000-01-01")
			if err != nil {
				return err
			}
			name := mechsim.Name(a)
			list = append(list, mechsim.Mechanism{Name: name, Accord: a})
		}
	}
	res, err := mechsim.Run(ctx, list, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return monitoring.Simulation(c.Stdout, res)
}
