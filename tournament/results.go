package tournament

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Output file names inside a tournament folder.
const (
	ResultsCSV     = "results.csv"
	ResultsParquet = "results.parquet"
	SummaryCSV     = "summary.csv"
	ManifestJSON   = "tournament.json"
)

// kind is a column's type.
type kind int

const (
	kString kind = iota
	kInt
	kUint
	kFloat
	kBool
)

// column is one column of results.csv and results.parquet. Optional
// columns may be empty (null in Parquet).
type column struct {
	name     string
	kind     kind
	optional bool
}

// fixedColumns come first, in this order; seat columns follow.
var fixedColumns = []column{
	{"id", kString, false},
	{"index", kInt, false},
	{"scenario", kString, false},
	{"rep", kInt, false},
	{"seed", kUint, false},
	{"agents", kString, false},
	{"n_parties", kInt, false},
	{"end", kString, false},
	{"agreement", kBool, false},
	{"rounds", kInt, false},
	{"n_steps", kInt, false},
	{"n_offers", kInt, false},
	{"time", kFloat, false},
	{"welfare", kFloat, false},
	{"pareto_distance", kFloat, true},
	{"pareto_optimality", kFloat, true},
	{"nash_distance", kFloat, true},
	{"nash_optimality", kFloat, true},
	{"definition", kString, false},
	{"t", kFloat, false},
	{"why", kString, true},
}

// Positions of the fixed columns that resuming and merging check.
const (
	colID         = 0
	colIndex      = 1
	colSeed       = 4
	colDefinition = 18
)

// seatColumns are repeated for every seat i as name_i.
var seatColumns = []column{
	{"agent", kString, true},
	{"party", kString, true},
	{"utility", kFloat, true},
	{"reserved_value", kFloat, true},
	{"advantage", kFloat, true},
	{"partner_welfare", kFloat, true},
	{"utility_undiscounted", kFloat, true},
	{"opponent_model_pearson", kFloat, true},
	{"opponent_model_rmse", kFloat, true},
}

// The offsets within a seat's group of the columns the summary reads,
// found once by name so that adding a column moves nothing.
var (
	summedCols = [3]int{seatCol("utility"), seatCol("advantage"), seatCol("partner_welfare")}
	modelCols  = [2]int{seatCol("opponent_model_pearson"), seatCol("opponent_model_rmse")}
)

// seatCol is the offset of the seat column named name within a seat's
// group; it panics on a name not in seatColumns (a programming error).
func seatCol(name string) int {
	for i, c := range seatColumns {
		if c.name == name {
			return i
		}
	}
	panic("tournament: no seat column " + name)
}

// columns returns the columns for a tournament whose largest scenario has
// seats parties.
func columns(seats int) []column {
	cols := slices.Clone(fixedColumns)
	for i := range seats {
		for _, c := range seatColumns {
			c.name += "_" + strconv.Itoa(i)
			cols = append(cols, c)
		}
	}
	return cols
}

func header(cols []column) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.name
	}
	return h
}

// row is one negotiation's results, before formatting.
type row struct {
	index    int64
	id       string
	scenario *domain
	rep      int
	seed     uint64
	agents   []string // spec per seat
	out      outcome
	m        metrics
	om       []omQuality // per seat; nil when no seat models its opponents
}

// fmtFloat writes a float in its shortest round-trip form; NaN as empty.
func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// record formats r for a table of the given number of seats, in the
// tournament of the given DefinitionHash.
func (r *row) record(seats int, def string, dst []string) []string {
	res := r.out.result
	m := r.scenario.Model
	pay := payoffs(m, res.Agreement, r.out.utilities)
	signs := make([]int, len(pay))
	for i := range signs {
		signs[i] = 1
	}
	welfare := sum(pay, signs)
	dst = append(dst[:0],
		r.id,
		strconv.FormatInt(r.index, 10),
		r.scenario.Name,
		strconv.Itoa(r.rep),
		strconv.FormatUint(r.seed, 10),
		joinAgents(r.agents),
		strconv.Itoa(len(r.agents)),
		res.End.String(),
		strconv.FormatBool(res.End == parley.Agreement),
		strconv.Itoa(res.Rounds),
		strconv.Itoa(res.Steps),
		strconv.Itoa(res.Offers),
		fmtFloat(r.out.elapsed.Seconds()),
		fmtFloat(welfare),
		fmtFloat(r.m.paretoDist),
		fmtFloat(r.m.paretoOpt),
		fmtFloat(r.m.nashDist),
		fmtFloat(r.m.nashOpt),
		def,
		fmtFloat(r.out.t),
		faultWhy(res),
	)
	for i := range seats {
		if i >= len(r.agents) {
			dst = append(dst, make([]string, len(seatColumns))...)
			continue
		}
		pm := &m.Parties[i]
		rv := payoff{u: &pm.Utility, q: pm.Reservation, f: pm.Utility.F(pm.Reservation), fixed: true}
		advantage := sum([]payoff{pay[i], rv}, []int{1, -1})
		signs[i] = 0 // the partners: every other party
		partners := sum(pay, signs)
		signs[i] = 1
		om := omQuality{math.NaN(), math.NaN()}
		if r.om != nil {
			om = r.om[i]
		}
		dst = append(dst, r.agents[i], r.scenario.Parties[i], fmtFloat(pay[i].f), fmtFloat(rv.f), fmtFloat(advantage), fmtFloat(partners), fmtFloat(r.out.undiscounted[i]),
			fmtFloat(om.pearson), fmtFloat(om.rmse))
	}
	return dst
}

// recoverCSV makes path a clean sequence of complete lines: a partial last
// line (a write cut short by a crash) is truncated away. It returns whether
// the file exists.
func recoverCSV(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: opening " + path, Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return true, err
	}
	size := fi.Size()
	// Scan back from the end for the last newline.
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	end := size
	for end > 0 {
		n := int64(chunk)
		if end < n {
			n = end
		}
		if _, err := f.ReadAt(buf[:n], end-n); err != nil && err != io.EOF {
			return true, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == size {
		return true, nil
	}
	if err := f.Truncate(end); err != nil {
		return true, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: dropping the partial last line of " + path, Err: err}
	}
	return true, f.Sync()
}

// maxLine bounds a results file's line, in bytes.
const maxLine = 1 << 20

// scanCSV reads a results file record by record, checking its header
// against want (when not nil). A partial last line (no final newline) is
// ignored. fn gets the 2-based line number and the record, which it must
// not keep.
func scanCSV(path string, want []string, fn func(line int, rec []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		code := parley.EINTERNAL
		if errors.Is(err, fs.ErrNotExist) {
			code = parley.ENOTFOUND
		}
		return &parley.Error{Code: code, Message: "tournament: opening " + path, Err: err}
	}
	defer f.Close()
	// A row is a few hundred bytes: a line that does not fit maxLine is
	// no row of ours, and must not grow without bound. A smaller file
	// gets a buffer of its own size (a tournament's files are read two or
	// three times at its end).
	size := maxLine
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() < maxLine {
		size = int(fi.Size()) + 1
	}
	br := bufio.NewReaderSize(f, size)
	// One CSV reader for all lines, each handed over in turn.
	var cur bytes.Reader
	r := csv.NewReader(&cur)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1 // counted below, with a message of our own
	line := 0
	for {
		text, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if br.Size() < maxLine {
				return parley.Errorf(parley.EINVALID, "tournament: %s:%d: the file grew while it was read", path, line+1)
			}
			return parley.Errorf(parley.EINVALID, "tournament: %s:%d: a line longer than %d bytes: not a results file", path, line+1, maxLine)
		}
		if len(text) == 0 || (err == io.EOF && text[len(text)-1] != '\n') {
			return nil // end, or a partial last line
		}
		if err != nil && err != io.EOF {
			return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: reading " + path, Err: err}
		}
		line++
		cur.Reset(text)
		rec, perr := r.Read()
		if perr != nil {
			return &parley.Error{Code: parley.EINVALID, Message: fmt.Sprintf("tournament: %s:%d", path, line), Err: perr}
		}
		if line == 1 {
			if want != nil && !slices.Equal(rec, want) {
				return parley.Errorf(parley.ECONFLICT, "tournament: %s:1: %s; the file was written by another tournament or another version of parley: use another output folder", path, headerDiff(rec, want))
			}
			continue
		}
		if want != nil && len(rec) != len(want) {
			return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %d fields, want %d", path, line, len(rec), len(want))
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

// headerDiff says where a CSV header differs from the expected one: the
// first column that differs, by number and name.
func headerDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("column %d is %q, expected %q", i+1, got[i], want[i])
		}
	}
	if len(got) < len(want) {
		return fmt.Sprintf("the header has %d columns and lacks column %d %q", len(got), len(got)+1, want[len(got)])
	}
	return fmt.Sprintf("the header has %d columns, one more than expected: column %d %q", len(got), len(want)+1, got[len(want)])
}

// checkRow checks that a record belongs to this tournament: written under
// its DefinitionHash, with an index in range, the id the plan has at that
// index and the seed Seed derives from that id. It returns the index.
func (pr *Prepared) checkRow(rec []string) (int64, error) {
	if h := pr.Manifest.Hash; rec[colDefinition] != h {
		return 0, parley.Errorf(parley.ECONFLICT, "negotiation %s was recorded by another tournament (definition %s, this one is %s: other agents, scenarios, reps, rounds, seed or self-play)", rec[colID], rec[colDefinition], h)
	}
	idx, err := strconv.ParseInt(rec[colIndex], 10, 64)
	if err != nil || idx < 0 || idx >= pr.plan.total {
		return 0, parley.Errorf(parley.EINVALID, "index %q out of range [0, %d)", rec[colIndex], pr.plan.total)
	}
	if want := pr.plan.idAt(idx); want != rec[colID] {
		return 0, parley.Errorf(parley.EINVALID, "id %q at index %d, but this tournament's negotiation %d is %q", rec[colID], idx, idx, want)
	}
	if want := strconv.FormatUint(Seed(pr.Manifest.Definition.Seed, rec[colID]), 10); rec[colSeed] != want {
		return 0, parley.Errorf(parley.ECONFLICT, "negotiation %s has seed %s, but this tournament seeds it with %s", rec[colID], rec[colSeed], want)
	}
	return idx, nil
}

// joinAgents writes the agents column: specs by seat joined by '+', each
// as in ids (IDPart).
func joinAgents(specs []string) string {
	var b strings.Builder
	for i, a := range specs {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(IDPart(a))
	}
	return b.String()
}

// faultWhy is the why column: why the negotiation ended, for the ends
// that are a fault (an agent that failed or broke the protocol); empty
// otherwise.
func faultWhy(res protocol.Result) string {
	if res.End == parley.AgentError || res.End == parley.Broken {
		return res.Why
	}
	return ""
}
