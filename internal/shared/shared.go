// Package shared locates the project's shared data folder (../shared next to
// the repository: the Genius domains and the news reports) for tests.
package shared

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Dir returns the shared folder: $PARLEY_SHARED if set, else the folder
// "shared" beside the module root (the directory holding go.mod). It returns
// "" when there is none.
func Dir() string {
	if d := os.Getenv("PARLEY_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Genius returns the Genius data folder (shared/data/genius), or skips the
// test with a message when it is absent.
func Genius(tb testing.TB) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skip("../shared is absent: skipping the test over shared/data/genius (set PARLEY_SHARED to point at it)")
	}
	g := filepath.Join(d, "data", "genius")
	if _, err := os.Stat(g); err != nil {
		tb.Skipf("%s is absent: skipping", g)
	}
	return g
}

// FilesByDir walks root and groups the files whose name ends in ext
// (case-insensitive, e.g. ".xml") by folder. It returns the folders sorted
// and, for each, its files in walk (lexical) order. A walk error fails tb.
func FilesByDir(tb testing.TB, root, ext string) (dirs []string, byDir map[string][]string) {
	tb.Helper()
	byDir = map[string][]string{}
	err := filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.IsDir() && strings.HasSuffix(strings.ToLower(p), ext) {
			d := filepath.Dir(p)
			if _, ok := byDir[d]; !ok {
				dirs = append(dirs, d)
			}
			byDir[d] = append(byDir[d], p)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("walking %s: %v", root, err)
	}
	sort.Strings(dirs)
	return dirs, byDir
}
