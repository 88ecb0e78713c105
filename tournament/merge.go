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
	man, err := readShardManifests(out, shardDirs)
	if err != nil {
		return nil, err
	}
	pl, err := mergePlan(man, shardDirs[0])
	if err != nil {
		return nil, err
	}
	pr := &Prepared{Manifest: man, plan: pl, cols: columns(man.Seats)}
	if err := makeOut(out); err != nil {
		return nil, err
	}
	n, err := pr.mergeResults(out, shardDirs)
	if err != nil {
		return nil, err
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

// readShardManifests reads the shards' manifests, checks that they hold
// one tournament and that out is none of them, and returns the first.
func readShardManifests(out string, shardDirs []string) (Manifest, error) {
	var man Manifest
	for i, d := range shardDirs {
		if abs(d) == abs(out) {
			return man, parley.Errorf(parley.EINVALID, "tournament: merge: the output folder %s is also a shard folder", out)
		}
		m, err := ReadManifest(d)
		if err != nil {
			return man, err
		}
		if i == 0 {
			man = m
			continue
		}
		if why := diffManifest(man, m, false); why != "" {
			return man, parley.Errorf(parley.ECONFLICT, "tournament: merge: %s and %s hold different tournaments (%s)", shardDirs[0], d, why)
		}
	}
	return man, nil
}

// mergePlan rebuilds the tournament's plan from man, read from the folder
// dir, without its scenario files, and checks it against man's count and
// hash.
func mergePlan(man Manifest, dir string) (*plan, error) {
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
		return nil, parley.Errorf(parley.EINVALID, "tournament: merge: %s/%s says %d negotiations, its scenarios make %d", dir, ManifestJSON, man.Negotiations, pl.total)
	}
	hash := DefinitionHash(man.Definition, man.Scenarios)
	if man.Hash != hash {
		return nil, parley.Errorf(parley.EINVALID, "tournament: merge: %s/%s says definition %q, but its definition and scenarios make %s (the file was edited, or written by another version of parley)", dir, ManifestJSON, man.Hash, hash)
	}
	return pl, nil
}

// mergeResults writes out/results.csv from the shards' rows, shard by
// shard, through a temporary file renamed into place only when every
// negotiation is there once. It returns how many rows it wrote.
func (pr *Prepared) mergeResults(out string, shardDirs []string) (int64, error) {
	resPath := filepath.Join(out, ResultsCSV)
	tmp := resPath + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: creating " + tmp, Err: err}
	}
	defer os.Remove(tmp)
	defer f.Close()
	w := csv.NewWriter(f)
	if err := w.Write(header(pr.cols)); err != nil {
		return 0, err
	}
	n, err := pr.copyShardRows(w, shardDirs)
	if err != nil {
		return 0, err
	}
	w.Flush()
	if err := cmpErr(w.Error(), f.Sync(), f.Close()); err != nil {
		return 0, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + resPath, Err: err}
	}
	if err := os.Rename(tmp, resPath); err != nil {
		return 0, &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + resPath, Err: err}
	}
	return n, nil
}

// copyShardRows checks the shards' rows and writes them through w: each
// must belong to the tournament, none may appear twice and none may be
// missing. It returns how many it wrote.
func (pr *Prepared) copyShardRows(w *csv.Writer, shardDirs []string) (int64, error) {
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
			return n, err
		}
	}
	if total := pr.plan.total; n != total {
		for idx := int64(0); idx < total; idx++ {
			if !done.get(idx) {
				return n, parley.Errorf(parley.EINVALID, "tournament: merge: %d of %d negotiations missing, the first %s (index %d: shard i/N with i = %d mod N); finish the shards (rerun them: they resume) and merge again", total-n, total, pr.plan.idAt(idx), idx, idx)
			}
		}
	}
	return n, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return filepath.Clean(a)
}
