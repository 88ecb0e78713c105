package tournament

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/parallel"
)

// Options say how to run a tournament; none of them changes its results.
type Options struct {
	// Out is the output folder (created if needed). Required.
	Out string
	// Workers is the number of worker goroutines (0: one per core); more
	// than parallel.MaxWorkers() are capped there.
	Workers int
	// Shard selects the negotiations this run plays (zero: all).
	Shard Shard
	// OnProgress, if not nil, is called from the writing goroutine after
	// every recorded negotiation, and once at the start, with the number
	// of this shard's negotiations done (resumed ones included) and their
	// total.
	OnProgress func(done, total int64)
	// SyncRows and SyncInterval bound what a crash can lose: results.csv is
	// flushed and fsynced after SyncRows rows (default 1024) or
	// SyncInterval (default 1s), whichever comes first.
	SyncRows     int
	SyncInterval time.Duration
}

// Manifest is DIR/tournament.json: the tournament's definition, its
// resolved scenarios, its size and the shard the folder holds.
type Manifest struct {
	Version      int            `json:"version"`
	Definition   Definition     `json:"definition"`
	Scenarios    []ScenarioInfo `json:"resolved_scenarios"`
	Negotiations int64          `json:"negotiations"`
	Seats        int            `json:"seats"`
	Shard        Shard          `json:"shard"`
	// Hash is the DefinitionHash of Definition and Scenarios; every row
	// of results.csv carries it.
	Hash string `json:"definition_hash"`
}

// Stats says what a run did.
type Stats struct {
	// Negotiations is the tournament's size; InShard the number in this
	// run's shard; Resumed those found done in results.csv; Ran those
	// played now.
	Negotiations, InShard, Resumed, Ran int64
	Elapsed                             time.Duration
}

// Prepared is a tournament with its scenarios loaded and its plan built.
type Prepared struct {
	Manifest Manifest
	plan     *plan
	domains  []*domain
	cols     []column
	cache    *agent.IndexCache // one outcome index per utility function, shared by runs
}

// Prepare validates def (defaults filled in), loads and compiles its
// scenarios (within the Limits, if given) and numbers its negotiations.
func Prepare(def Definition, lim ...Limits) (*Prepared, error) {
	def = def.withDefaults()
	if err := def.validate(); err != nil {
		return nil, err
	}
	scen, err := ResolveScenarios(def.Scenarios, lim...)
	if err != nil {
		return nil, err
	}
	p, err := newPlan(def, scen)
	if err != nil {
		return nil, err
	}
	pr := &Prepared{plan: p, cache: agent.NewIndexCache(agent.IndexOptions{}), Manifest: Manifest{Version: 1, Definition: def, Negotiations: p.total}}
	for _, s := range scen {
		pr.Manifest.Scenarios = append(pr.Manifest.Scenarios, s.ScenarioInfo)
		pr.Manifest.Seats = max(pr.Manifest.Seats, len(s.Parties))
		pr.domains = append(pr.domains, &domain{Loaded: s})
	}
	pr.cols = columns(pr.Manifest.Seats)
	pr.Manifest.Hash = DefinitionHash(def, pr.Manifest.Scenarios)
	return pr, nil
}

// Run plays the tournament def (or the shard opt.Shard of it) into
// opt.Out: results.csv gets one row per negotiation as it ends; at the end
// results.parquet and summary.csv are written. Re-running with the same
// definition resumes: negotiations already in results.csv are skipped. A
// folder holding another tournament (or another shard) is refused with
// ECONFLICT. When ctx is cancelled, Run stops, keeps what is recorded and
// returns ctx's error.
func Run(ctx context.Context, def Definition, opt Options) (*Stats, error) {
	pr, err := Prepare(def)
	if err != nil {
		return nil, err
	}
	return pr.Run(ctx, opt)
}

// Run runs the prepared tournament; see Run.
func (pr *Prepared) Run(ctx context.Context, opt Options) (*Stats, error) {
	start := time.Now()
	if opt.Out == "" {
		return nil, parley.Errorf(parley.EINVALID, "tournament: no output folder given")
	}
	sh := opt.Shard.norm()
	if sh.I < 0 || sh.I >= sh.N {
		return nil, parley.Errorf(parley.EINVALID, "tournament: bad shard %d/%d", sh.I, sh.N)
	}
	if opt.Workers < 0 {
		return nil, parley.Errorf(parley.EINVALID, "tournament: workers must not be negative, got %d", opt.Workers)
	}
	opt.Workers, _ = parallel.Workers(opt.Workers)
	if opt.SyncRows <= 0 {
		opt.SyncRows = 1024
	}
	if opt.SyncInterval <= 0 {
		opt.SyncInterval = time.Second
	}
	man := pr.Manifest
	man.Shard = sh
	if err := makeOut(opt.Out); err != nil {
		return nil, err
	}
	hasManifest, err := checkManifest(opt.Out, man)
	if err != nil {
		return nil, err
	}
	st := &Stats{Negotiations: pr.plan.total, InShard: shardSize(pr.plan.total, sh)}
	resPath := filepath.Join(opt.Out, ResultsCSV)
	done, resumed, err := pr.resume(resPath, sh)
	if err != nil {
		return nil, err
	}
	// Only rows found to be this tournament's make the folder its own.
	if !hasManifest {
		if err := writeManifest(filepath.Join(opt.Out, ManifestJSON), man); err != nil {
			return nil, err
		}
	}
	st.Resumed = resumed
	f, err := os.OpenFile(resPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: opening " + resPath, Err: err}
	}
	defer f.Close()
	w := csv.NewWriter(f)
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		if err := w.Write(header(pr.cols)); err != nil {
			return nil, err
		}
	}
	ran, runErr := pr.play(ctx, opt, sh, done, resumed, st.InShard, w, f)
	st.Ran = ran
	w.Flush()
	if err := cmpErr(runErr, w.Error(), f.Sync(), f.Close()); err != nil {
		return st, err
	}
	if err := pr.finish(opt.Out); err != nil {
		return st, err
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// finish writes results.parquet and summary.csv from results.csv.
func (pr *Prepared) finish(dir string) error {
	resPath := filepath.Join(dir, ResultsCSV)
	if err := writeParquet(resPath, filepath.Join(dir, ResultsParquet), pr.cols); err != nil {
		return err
	}
	return writeSummary(resPath, filepath.Join(dir, SummaryCSV), pr.cols)
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func shardSize(total int64, sh Shard) int64 {
	if int64(sh.I) >= total {
		return 0
	}
	return (total - int64(sh.I) + int64(sh.N) - 1) / int64(sh.N)
}

// doneSet marks negotiation indexes done: one bit per negotiation, in
// chunks of 2^16 indexes allocated as rows come, so that memory follows
// the rows recorded (8 kB per 65,536 consecutive negotiations), not the
// tournament's size: a plan of 10^15 negotiations allocates nothing up
// front.
type doneSet map[int64]*[1 << 10]uint64

func (d doneSet) get(i int64) bool {
	c := d[i>>16]
	return c != nil && c[(i>>6)&(1<<10-1)]&(1<<(i&63)) != 0
}

func (d doneSet) set(i int64) {
	c := d[i>>16]
	if c == nil {
		c = new([1 << 10]uint64)
		d[i>>16] = c
	}
	c[(i>>6)&(1<<10-1)] |= 1 << (i & 63)
}

// resume drops a partial last line of results.csv and marks the
// negotiations it holds. Rows must belong to this tournament and shard,
// each once.
func (pr *Prepared) resume(path string, sh Shard) (doneSet, int64, error) {
	done := doneSet{}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return done, 0, nil
	}
	var n int64
	// Check every row before touching the file: recoverCSV truncates.
	err := scanCSV(path, header(pr.cols), func(line int, rec []string) error {
		idx, err := pr.checkRow(rec)
		if err != nil {
			return &parley.Error{Code: parley.ECONFLICT, Message: fmt.Sprintf("tournament: %s:%d", path, line), Err: err}
		}
		if idx%int64(sh.N) != int64(sh.I) {
			return parley.Errorf(parley.ECONFLICT, "tournament: %s:%d: negotiation %s is not in shard %s", path, line, rec[0], sh)
		}
		if done.get(idx) {
			return parley.Errorf(parley.ECONFLICT, "tournament: %s:%d: negotiation %s recorded twice", path, line, rec[0])
		}
		done.set(idx)
		n++
		return nil
	})
	if err != nil {
		return done, n, err
	}
	_, err = recoverCSV(path)
	return done, n, err
}

// play runs the shard's negotiations not yet done with opt.Workers
// goroutines and appends their rows through w. It returns how many it ran.
// Its steps: produce the indexes to run, work them into rows on
// opt.Workers goroutines, and record the rows through a resultWriter.
func (pr *Prepared) play(ctx context.Context, opt Options, sh Shard, done doneSet, resumed, inShard int64, w *csv.Writer, f *os.File) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan int64, 64*opt.Workers)
	rows := make(chan *row, 256*opt.Workers)
	go pr.produce(ctx, sh, done, jobs)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr.work(ctx, cancel, jobs, rows)
		}()
	}
	go func() { wg.Wait(); close(rows) }()
	rw := newResultWriter(w, f, cancel)
	defer rw.close()
	return pr.record(ctx, cancel, opt, rows, rw, resumed, inShard)
}

// produce sends the shard's indexes in order, skipping done ones, and
// closes jobs when they are all sent or ctx is done.
func (pr *Prepared) produce(ctx context.Context, sh Shard, done doneSet, jobs chan<- int64) {
	defer close(jobs)
	for idx := int64(sh.I); idx < pr.plan.total; idx += int64(sh.N) {
		if done.get(idx) {
			continue
		}
		select {
		case jobs <- idx:
		case <-ctx.Done():
			return
		}
	}
}

// work plays the negotiations whose indexes come on jobs and sends their
// rows. A failure cancels ctx with its cause and ends the worker.
func (pr *Prepared) work(ctx context.Context, cancel context.CancelCauseFunc, jobs <-chan int64, rows chan<- *row) {
	var seats []int
	for idx := range jobs {
		var r *row
		var err error
		r, seats, err = pr.playOne(ctx, idx, seats)
		if err != nil {
			cancel(err)
			return
		}
		select {
		case rows <- r:
		case <-ctx.Done():
			return
		}
	}
}

// playOne plays negotiation idx and measures it. seats is scratch space,
// returned for reuse.
func (pr *Prepared) playOne(ctx context.Context, idx int64, seats []int) (*row, []int, error) {
	def := &pr.Manifest.Definition
	s, a, rep := pr.plan.locate(idx)
	seats = pr.plan.seats(s, a, seats)
	r := &row{index: idx, id: pr.plan.id(s, seats, rep), scenario: pr.domains[s], rep: rep}
	r.seed = Seed(def.Seed, r.id)
	for _, x := range seats {
		r.agents = append(r.agents, def.Agents[x])
	}
	if err := r.scenario.prepare(ctx); err != nil {
		return nil, seats, err
	}
	out, err := negotiate(ctx, r.scenario.Model, r.agents, def.Rounds, time.Duration(def.TimeLimit), r.seed, pr.cache)
	if err != nil {
		return nil, seats, fmt.Errorf("tournament: negotiation %s: %w", r.id, err)
	}
	r.out, r.m = out, r.scenario.measure(out.utilities)
	r.om, r.out.models = r.scenario.opponentModels(out.models), nil
	return r, seats, nil
}

// record writes the rows as they come, syncing every opt.SyncRows rows and
// every opt.SyncInterval, and reports progress. It returns how many rows it
// wrote once rows is closed: the cause of ctx's end if any, else the last
// sync's error.
func (pr *Prepared) record(ctx context.Context, cancel context.CancelCauseFunc, opt Options, rows <-chan *row, rw *resultWriter, resumed, inShard int64) (int64, error) {
	var ran int64
	count := resumed
	if opt.OnProgress != nil {
		opt.OnProgress(count, inShard)
	}
	tick := time.NewTicker(opt.SyncInterval)
	defer tick.Stop()
	rec := make([]string, 0, len(pr.cols))
	for {
		select {
		case r, ok := <-rows:
			if !ok {
				serr := rw.sync()
				if err := context.Cause(ctx); err != nil {
					return ran, err
				}
				return ran, serr
			}
			rec = r.record(pr.Manifest.Seats, pr.Manifest.Hash, rec)
			if err := rw.w.Write(rec); err != nil {
				cancel(err)
				continue
			}
			ran++
			count++
			rw.unsynced++
			if rw.unsynced >= int64(opt.SyncRows) {
				if err := rw.sync(); err != nil {
					cancel(err)
				}
			}
			if opt.OnProgress != nil {
				opt.OnProgress(count, inShard)
			}
		case <-tick.C:
			if rw.unsynced > 0 {
				if err := rw.sync(); err != nil {
					cancel(err)
				}
			}
		}
	}
}

// resultWriter writes rows through w and fsyncs f in its own goroutine:
// the writer hands the rows to the kernel (a write) and asks for a sync,
// and keeps writing while the disk catches up; requests made during a
// sync coalesce into the next one. A failed fsync cancels the run.
type resultWriter struct {
	w        *csv.Writer
	unsynced int64 // rows written since the last sync request
	req      chan struct{}
	err      error // the first fsync error; owned by the sync goroutine
	wg       sync.WaitGroup
}

// newResultWriter starts the sync goroutine; close stops it.
func newResultWriter(w *csv.Writer, f *os.File, cancel context.CancelCauseFunc) *resultWriter {
	rw := &resultWriter{w: w, req: make(chan struct{}, 1)}
	rw.wg.Add(1)
	go func() {
		defer rw.wg.Done()
		for range rw.req {
			if err := f.Sync(); err != nil && rw.err == nil {
				rw.err = err
				cancel(&parley.Error{Code: parley.EINTERNAL, Message: "tournament: syncing results", Err: err})
			}
		}
	}()
	return rw
}

// sync flushes the written rows to the file and asks for an fsync.
func (rw *resultWriter) sync() error {
	rw.w.Flush()
	if err := rw.w.Error(); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing results", Err: err}
	}
	select {
	case rw.req <- struct{}{}:
	default: // a sync is pending; it will cover these rows
	}
	rw.unsynced = 0
	return nil
}

// close waits for the pending fsync and stops the sync goroutine.
func (rw *resultWriter) close() {
	close(rw.req)
	rw.wg.Wait()
}

// checkManifest checks that DIR/tournament.json, if it exists, describes
// the same tournament and shard, and reports whether it exists.
func checkManifest(dir string, man Manifest) (bool, error) {
	path := filepath.Join(dir, ManifestJSON)
	data, err := limit.ReadFile(path, 0)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	var old Manifest
	if err := json.Unmarshal(data, &old); err != nil {
		return true, &parley.Error{Code: parley.EINVALID, Message: "tournament: reading " + path, Err: err}
	}
	if why := diffManifest(old, man, true); why != "" {
		return true, parley.Errorf(parley.ECONFLICT, "tournament: %s holds a different tournament (%s); use another --out folder, or the same definition to resume", dir, why)
	}
	return true, nil
}

// diffManifest says how two manifests differ ("" when they describe the
// same tournament; the shard too when withShard).
func diffManifest(a, b Manifest, withShard bool) string {
	da, db := a.Definition, b.Definition
	switch {
	case !slices.Equal(da.Agents, db.Agents):
		return fmt.Sprintf("agents %v, not %v", da.Agents, db.Agents)
	case !slices.Equal(da.Scenarios, db.Scenarios):
		return fmt.Sprintf("scenarios %v, not %v", da.Scenarios, db.Scenarios)
	case da.Reps != db.Reps:
		return fmt.Sprintf("reps %d, not %d", da.Reps, db.Reps)
	case da.Rounds != db.Rounds:
		return fmt.Sprintf("rounds %d, not %d", da.Rounds, db.Rounds)
	case da.TimeLimit != db.TimeLimit:
		return fmt.Sprintf("time limit %s, not %s", da.TimeLimit, db.TimeLimit)
	case da.Seed != db.Seed:
		return fmt.Sprintf("seed %d, not %d", da.Seed, db.Seed)
	case da.SelfPlay != db.SelfPlay:
		return fmt.Sprintf("self-play %v, not %v", da.SelfPlay, db.SelfPlay)
	case len(a.Scenarios) != len(b.Scenarios):
		return fmt.Sprintf("%d scenarios resolved, not %d", len(a.Scenarios), len(b.Scenarios))
	}
	for i := range a.Scenarios {
		sa, sb := a.Scenarios[i], b.Scenarios[i]
		if sa.Name != sb.Name || sa.Fingerprint != sb.Fingerprint || !slices.Equal(sa.Parties, sb.Parties) {
			return fmt.Sprintf("scenario %s (%s) has changed", sa.Name, sa.Source)
		}
	}
	if a.Negotiations != b.Negotiations || a.Seats != b.Seats {
		return fmt.Sprintf("%d negotiations, not %d", a.Negotiations, b.Negotiations)
	}
	if a.Hash != "" && b.Hash != "" && a.Hash != b.Hash {
		return fmt.Sprintf("definition %s, not %s", a.Hash, b.Hash)
	}
	if withShard && a.Shard.norm() != b.Shard.norm() {
		return fmt.Sprintf("shard %s, not %s", a.Shard, b.Shard)
	}
	return ""
}

func writeManifest(path string, man Manifest) error {
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: encoding " + path, Err: err}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	if err := os.Rename(tmp, path); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	return nil
}

// ReadManifest reads DIR/tournament.json.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	path := filepath.Join(dir, ManifestJSON)
	data, err := limit.ReadFile(path, 0)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return m, parley.Errorf(parley.ENOTFOUND, "tournament: %s is no tournament folder: it has no %s", dir, ManifestJSON)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, &parley.Error{Code: parley.EINVALID, Message: "tournament: reading " + path, Err: err}
	}
	return m, nil
}

// makeOut creates the output folder out if it is missing. A file in the
// way (out itself, or a folder above it) is the caller's mistake: EINVALID,
// naming the path; anything else the system refuses is EINTERNAL.
func makeOut(out string) error {
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return parley.Errorf(parley.EINVALID, "tournament: the output folder %s is an existing file, not a folder (give a folder; it is created if missing)", out)
	}
	err := os.MkdirAll(out, 0o755)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrExist):
		return parley.Errorf(parley.EINVALID, "tournament: cannot create the output folder %s: a file is in the way (%v)", out, unwrapPath(err))
	}
	return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: creating " + out, Err: err}
}

// unwrapPath returns the system's reason of a path error, without the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
