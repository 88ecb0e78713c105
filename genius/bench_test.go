package genius

import (
	"os"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// BenchmarkParseXML parses every Genius XML file of the shared data set
// (domains, profiles, Pareto files: about 870 files, 2.3 MB) once per
// iteration: the reader's cost when a user imports the ANAC corpus.
func BenchmarkParseXML(b *testing.B) {
	dirs, byDir := shared.FilesByDir(b, shared.Genius(b), ".xml")
	var names []string
	var files [][]byte
	var size int64
	for _, d := range dirs {
		for _, p := range byDir[d] {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			names, files = append(names, p), append(files, data)
			size += int64(len(data))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		parsed := 0
		for k, data := range files {
			if root, _, err := parseXML(names[k], data); err == nil && root != nil {
				parsed++
			}
		}
		if parsed < len(files)*9/10 {
			b.Fatalf("only %d of %d files parse", parsed, len(files))
		}
	}
}

// BenchmarkReadProfile reads the largest ANAC 2014 nonlinear profile (50
// issues, about 21 kB of hyper-rectangles) with its domain.
func BenchmarkReadProfile(b *testing.B) {
	dir := shared.Genius(b) + "/genius-templates/anac/y2014/50issues/"
	dd, err := os.ReadFile(dir + "50issues-domain.xml")
	if err != nil {
		b.Skipf("ANAC 2014 50issues not found: %v", err)
	}
	pd, err := os.ReadFile(dir + "profile-1.xml")
	if err != nil {
		b.Skipf("ANAC 2014 50issues not found: %v", err)
	}
	b.SetBytes(int64(len(dd) + len(pd)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := ReadDomain("50issues-domain.xml", dd)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ReadProfile("profile-1.xml", pd, d); err != nil {
			b.Fatal(err)
		}
	}
}
