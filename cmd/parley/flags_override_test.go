package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

// TestTournamentRunFlagsOverrideFile: flags given to 'tournament run'
// override the file's keys; the others keep the file's values.
func TestTournamentRunFlagsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	car, err := filepath.Abs("../../tournament/testdata/genius/car-domain.xml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	file := filepath.Join(dir, "t.yaml")
	yaml := "agents: [boulware, linear]\nscenarios: [" + car + "]\nreps: 2\nrounds: 40\nseed: 5\nout: " + out + "\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := run(t, "tournament", "run", file, "--reps", "1", "--rounds", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(stdout, "2 negotiations in shard 0/1 of 2 ") {
		t.Errorf("--reps 1 over the file's reps 2: got %q", stdout)
	}
	man, err := tournament.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := man.Definition; d.Reps != 1 || d.Rounds != 20 || d.Seed != 5 {
		t.Errorf("manifest says reps %d, rounds %d, seed %d; want 1, 20 (flags) and 5 (file)", d.Reps, d.Rounds, d.Seed)
	}
}

// TestAnalyzeNoVariants: --no-variants leaves the comparison of the
// scenario's variants out of the text report.
func TestAnalyzeNoVariants(t *testing.T) {
	with, _, _ := run(t, "analyze", "--no-blocking")
	without, errs, code := run(t, "analyze", "--no-blocking", "--no-variants")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(with, "Variants compared") {
		t.Fatal("the report without --no-variants lacks \"Variants compared\"")
	}
	if strings.Contains(without, "Variants compared") {
		t.Error("--no-variants: the report still compares the variants")
	}
}
