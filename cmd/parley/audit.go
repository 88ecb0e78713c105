package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/jsonl"
	"github.com/parleyhq/parley/protocol"
)

const auditUsage = `usage: parley audit verify --db FILE|URL [--session ID] [--json]
       parley audit verify FILE.jsonl [--json]      (a transcript, or a monitoring register)`

// AuditCommand checks hash chains: of the sessions in a database, or of a
// transcript.
type AuditCommand struct {
	*Main
	DB      string
	Session string
	JSON    bool
	// MaxInput bounds the bytes read from a register (--max-input-size).
	MaxInput int64
}

// verdict is what audit verify finds for one chain (--json prints a list).
type verdict struct {
	File    string `json:"file,omitempty"`
	Session string `json:"session"`
	// Register: the file is a monitoring register (parley monitor), whose
	// chain links records, not a session's events; Session is then the
	// chain's name, "parley.monitor".
	Register bool `json:"register,omitempty"`
	Holds    bool `json:"holds"`
	// Events counts the events that check out; Head is the chain head when
	// the chain holds.
	Events int64        `json:"events"`
	Head   *parley.Hash `json:"head,omitempty"`
	// Break is the first sequence number where the chain breaks, Why says
	// how, and Line is the transcript line it shows on.
	Break *int64 `json:"break,omitempty"`
	Why   string `json:"why,omitempty"`
	Line  int    `json:"line,omitempty"`
}

func (v *verdict) String() string {
	where := "session " + v.Session
	if v.File != "" {
		where = v.File
		if v.Line > 0 {
			where += fmt.Sprintf(":%d", v.Line)
		}
	}
	if v.Register {
		if v.Holds {
			return fmt.Sprintf("%s: register chain holds: %d records, head %s", where, v.Events, v.Head)
		}
		return fmt.Sprintf("%s: register chain breaks at record %d: %s", where, *v.Break, v.Why)
	}
	if v.Holds {
		return fmt.Sprintf("%s: chain holds: %d events, head %s", where, v.Events, v.Head)
	}
	return fmt.Sprintf("%s: chain breaks at seq %d: %s", where, *v.Break, v.Why)
}

func verdictOf(session string, res audit.Result) *verdict {
	v := &verdict{Session: session, Holds: res.Holds(), Events: res.Events}
	if v.Holds {
		v.Head = &res.Head
		return v
	}
	var be *audit.BreakError
	errors.As(res.Err(), &be)
	v.Break = &be.Seq
	v.Why = be.Reason()
	return v
}

// Run parses "verify" and its flags and checks the chains.
func (c *AuditCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fs := c.flagSet("parley audit", "verify (--db FILE [--session ID] | FILE.jsonl) [--json]",
			"Checks hash chains: of the sessions in a database, or of a transcript; prints the first sequence\nnumber where a chain breaks, or that it holds.")
		c.verifyFlags(fs)
		fs.Usage()
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(c.Stderr, auditUsage)
		if len(args) == 0 {
			return usagef("audit needs a subcommand: verify")
		}
		return usagef("unknown audit subcommand %q (expected verify)", args[0])
	}
	fs := flag.NewFlagSet("parley audit verify", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	c.verifyFlags(fs)
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	var verdicts []*verdict
	switch {
	case c.DB != "" && len(pos) == 0:
		verdicts, err = c.verifyDB(ctx)
	case c.DB == "" && len(pos) == 1 && c.Session == "":
		var v *verdict
		if isRegister(pos[0]) {
			v, err = c.verifyRegister(pos[0])
		} else {
			v, err = verifyTranscript(pos[0])
		}
		verdicts = []*verdict{v}
	default:
		fmt.Fprintln(c.Stderr, auditUsage)
		return usagef("audit verify takes either --db FILE|URL (and perhaps --session ID) or one transcript file")
	}
	if err != nil {
		return err
	}
	return c.report(verdicts)
}

func (c *AuditCommand) verifyFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", "", "verify the sessions stored in this SQLite database `FILE` or PostgreSQL URL (postgres://USER@HOST:PORT/DB)")
	fs.StringVar(&c.Session, "session", "", "with --db, verify only the session with this `ID`")
	fs.BoolVar(&c.JSON, "json", false, "print the verdicts as JSON")
	maxInputFlag(fs, &c.MaxInput)
}

func (c *AuditCommand) report(verdicts []*verdict) error {
	broken := 0
	for _, v := range verdicts {
		if !v.Holds {
			broken++
		}
	}
	if c.JSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(verdicts); err != nil {
			return err
		}
	} else {
		for _, v := range verdicts {
			fmt.Fprintln(c.Stdout, v)
		}
	}
	switch {
	case broken == 1 && len(verdicts) == 1:
		return parley.Errorf(parley.ECONFLICT, "audit: the chain breaks")
	case broken > 0:
		return parley.Errorf(parley.ECONFLICT, "audit: the chain breaks in %d of %d sessions", broken, len(verdicts))
	case len(verdicts) == 0:
		fmt.Fprintln(c.Stderr, "audit: the database holds no sessions")
	}
	return nil
}

// verifyTranscript reads a transcript; a chain break is a verdict, any
// other fault of the file an error.
func verifyTranscript(path string) (*verdict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := protocol.DecodeTranscript(f, protocol.ReadOptions{})
	var be *audit.BreakError
	if errors.As(err, &be) {
		v := verdictOf(t.Header.Session, audit.Result{Fault: be.Fault, Seq: be.Seq, Found: be.Found, Events: int64(len(t.Events))})
		v.File = path
		var pe *parley.PosError
		if errors.As(err, &pe) {
			v.Line = pe.Line
		}
		return v, nil
	}
	if err != nil {
		return nil, inFile(path, err)
	}
	res := audit.Result{Events: t.Head.Events, Head: t.Head.Hash}
	v := verdictOf(t.Header.Session, res)
	v.File = path
	return v, nil
}

// isRegister reports whether the file starts with a monitoring register's
// header line ({"schema":"parley.monitor/N"}, short); anything else is
// read as a transcript, which says what is wrong with it.
func isRegister(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(io.LimitReader(f, 4096), 4096).ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	var h struct {
		Schema string `json:"schema"`
	}
	return json.Unmarshal(bytes.TrimSpace(line), &h) == nil && strings.HasPrefix(h.Schema, "parley.monitor/")
}

// verifyRegister checks a monitoring register's chain as parley monitor
// reads it (jsonl.Verify, read-only): a break is a verdict naming the
// first broken record and its line; any other fault of the file, and a
// register from before the chain, are errors.
func (c *AuditCommand) verifyRegister(path string) (*verdict, error) {
	head, warnings, err := jsonl.Verify(path, c.MaxInput)
	for _, w := range warnings {
		fmt.Fprintln(c.Stderr, "warning:", w)
	}
	var be *audit.BreakError
	if errors.As(err, &be) {
		v := verdictOf(registerChain, audit.Result{Fault: be.Fault, Seq: be.Seq, Found: be.Found, Events: be.Seq})
		v.File, v.Register = path, true
		var pe *parley.PosError
		if errors.As(err, &pe) {
			v.Line = pe.Line
		}
		return v, nil
	}
	if err != nil {
		return nil, inputHint(err)
	}
	if head.Hash.IsZero() {
		return nil, parley.Errorf(parley.EINVALID, "%s: a register of %s, from before records were hash-chained: there is no chain to verify", path, jsonl.SchemaV1)
	}
	v := verdictOf(registerChain, audit.Result{Events: head.Events, Head: head.Hash})
	v.File, v.Register = path, true
	return v, nil
}

// registerChain names a register's chain in verdicts (its genesis is
// derived under this name).
const registerChain = "parley.monitor"

// verifyDB checks the sessions of a database (a SQLite file or a
// PostgreSQL URL), opened read-only so that the audit changes nothing it
// checks.
func (c *AuditCommand) verifyDB(ctx context.Context) ([]*verdict, error) {
	db, err := openStore(c.DB, storeOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if c.Session != "" {
		res, err := verifySession(ctx, db, db, c.Session)
		if err != nil {
			return nil, err
		}
		return []*verdict{verdictOf(c.Session, res)}, nil
	}
	var out []*verdict
	after := ""
	for {
		page, err := db.FindSessions(ctx, parley.SessionFilter{After: after, Limit: 100})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, rec := range page {
			res, err := verifySession(ctx, db, db, rec.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, verdictOf(rec.ID, res))
			after = rec.ID
		}
	}
}

// verifySession checks a stored session's chain from the genesis of its
// definition to the head the store records. Events appended while it
// reads (a live server) are left for the next audit; rows past the head
// that no append explains are a break.
func verifySession(ctx context.Context, ss parley.SessionStore, es parley.EventStore, id string) (audit.Result, error) {
	rec, err := ss.FindSession(ctx, id)
	if err != nil {
		return audit.Result{}, err
	}
	head, err := es.ChainHead(ctx, id)
	if err != nil {
		return audit.Result{}, err
	}
	v := audit.NewVerifier(id, audit.Genesis(id, rec.Definition))
	var seen, from int64
	for seen < head.Events {
		page, err := es.FindEvents(ctx, id, from, parley.MaxFindEvents)
		if err != nil {
			return audit.Result{}, err
		}
		if len(page) == 0 {
			break
		}
		for i := range page {
			if seen == head.Events {
				break
			}
			if !v.Step(&page[i]) {
				return v.Result(), nil
			}
			seen++
		}
		from = page[len(page)-1].Seq + 1
	}
	res := v.End(&head)
	if !res.Holds() {
		return res, nil
	}
	past, err := es.FindEvents(ctx, id, head.Events, 1)
	if err != nil || len(past) == 0 {
		return res, err
	}
	now, err := es.ChainHead(ctx, id)
	if err != nil {
		return res, err
	}
	if now.Events > head.Events {
		return res, nil // appended since we read the head
	}
	return audit.Result{Fault: audit.Extra, Seq: head.Events, Found: head.Events, Events: res.Events, Head: res.Head}, nil
}
