package tournament

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley"
)

// MergeStats says what Merge did.
type MergeStats struct {
	Shards       int
	Negotiations int64
}

// Merge joins the folders of a tournament's shards into out: results.csv
// (the shards' rows, shard by shard), results.parquet, summary.csv and a
// tournament.json for the whole tournament (shard 0/1). The shard folders
// must hold the same tournament (ECONFLICT otherwise), no negotiation may
// appear twice (ECONFLICT) and none may be missing (EINVALID, naming the
// first missing id and its shard). A shard's partial last line is
// ignored, like a crash would leave it; its negotiation then counts as
// missing. Merge reads no scenario files: it trusts the manifests.
func Merge(out string, shardDirs []string) (*MergeStats, error) {
	if len(shardDirs) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "tournament: merge: no shard folders given")
	}
	var man Manifest
	for i, d := range shardDirs {
		if abs(d) == abs(out) {
			return nil, parley.Errorf(parley.EINVALID, "tournament: merge: the output folder %s is also a shard folder", out)
		}
		m, err := ReadManifest(d)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			man = m
			continue
		}
		if why := diffManifest(man, m, false); why != "" {
			return nil, parley.Errorf(parley.ECONFLICT, "tournament: merge: %s and %s hold different tournaments (%s)", shardDirs[0], d, why)
		}
	}
	pl := &plan{agents: man.Definition.Agents, reps: man.Definition.Reps, selfPlay: man.Definition.SelfPlay}
	for _, s := range man.Scenarios {
		a, ok := assignments(len(pl.agents), len(s.Parties), pl.selfPlay)
		if !ok {
			return nil, parley.Errorf(parley.ELIMIT, "tournament: merge: too many negotiations")
		}
		pl.scen = append(pl.scen, planScenario{name: s.Name, seats: len(s.Parties), assignments: a, offset: pl.total})
		pl.total += a * int64(pl.reps)
	}
	if pl.total != man.Negotiations {
		return nil, parley.Errorf(parley.EINVALID, "tournament: merge: %s/%s says %d negotiations, its scenarios make %d", shardDirs[0], ManifestJSON, man.Negotiations, pl.total)
	}
	hash := DefinitionHash(man.Definition, man.Scenarios)
	if man.Hash != hash {
		return nil, parley.Errorf(parley.EINVALID, "tournament: merge: %s/%s says definition %q, but its definition and scenarios make %s (the file was edited, or written by another version of parley)", shardDirs[0], ManifestJSON, man.Hash, hash)
	}
	pr := &Prepared{Manifest: man, plan: pl, cols: columns(man.Seats)}
	if err := makeOut(out); err != nil {
		return nil, err
	}
	resPath := filepath.Join(out, ResultsCSV)
	tmp := resPath + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: creating " + tmp, Err: err}
	}
	defer os.Remove(tmp)
	defer f.Close()
	w := csv.NewWriter(f)
	if err := w.Write(header(pr.cols)); err != nil {
		return nil, err
	}
	done := doneSet{}
	var n int64
	for _, d := range shardDirs {
		p := filepath.Join(d, ResultsCSV)
		err := scanCSV(p, header(pr.cols), func(line int, rec []string) error {
			idx, err := pr.checkRow(rec)
			if err != nil {
				return &parley.Error{Code: parley.ECONFLICT, Message: fmt.Sprintf("tournament: merge: %s:%d", p, line), Err: err}
			}
			if done.get(idx) {
				return parley.Errorf(parley.ECONFLICT, "tournament: merge: negotiation %s appears twice (again in %s:%d)", rec[0], p, line)
			}
			done.set(idx)
			n++
			return w.Write(rec)
		})
		if err != nil {
			return nil, err
		}
	}
	if n != pl.total {
		for idx := int64(0); idx < pl.total; idx++ {
			if !done.get(idx) {
				return nil, parley.Errorf(parley.EINVALID, "tournament: merge: %d of %d negotiations missing, the first %s (index %d: shard i/N with i = %d mod N); finish the shards (rerun them: they resume) and merge again", pl.total-n, pl.total, pl.idAt(idx), idx, idx)
			}
		}
	}
	w.Flush()
	if err := cmpErr(w.Error(), f.Sync(), f.Close()); err != nil {
		return nil, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + resPath, Err: err}
	}
	if err := os.Rename(tmp, resPath); err != nil {
		return nil, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + resPath, Err: err}
	}
	man.Shard = Shard{0, 1}
	if err := writeManifest(filepath.Join(out, ManifestJSON), man); err != nil {
		return nil, err
	}
	if err := pr.finish(out); err != nil {
		return nil, err
	}
	return &MergeStats{Shards: len(shardDirs), Negotiations: n}, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return filepath.Clean(a)
}
