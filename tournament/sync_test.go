package tournament

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestRowsReachFileEverySyncRows: with SyncRows 1, every row is in
// results.csv (written to the kernel) before the progress callback counts
// it, so a crash loses no row that progress reported.
func TestRowsReachFileEverySyncRows(t *testing.T) {
	dir := t.TempDir()
	def := Definition{Agents: []string{"boulware", "linear"}, Scenarios: []string{"testdata/genius/car-domain.xml"}, Reps: 2, Rounds: 30, Seed: 1}
	var bad []string
	opt := Options{Out: dir, Workers: 1, SyncRows: 1, OnProgress: func(done, total int64) {
		if done == 0 {
			return // the header is written with the first row
		}
		data, err := os.ReadFile(filepath.Join(dir, ResultsCSV))
		if err != nil {
			bad = append(bad, err.Error())
			return
		}
		if lines := int64(bytes.Count(data, []byte("\n"))); lines != done+1 {
			bad = append(bad, fmt.Sprintf("at %d of %d negotiations results.csv holds %d lines, want %d", done, total, lines, done+1))
		}
	}}
	st, err := Run(context.Background(), def, opt)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ran != 4 {
		t.Fatalf("ran %d negotiations, want 4", st.Ran)
	}
	for _, b := range bad {
		t.Error(b)
	}
}
