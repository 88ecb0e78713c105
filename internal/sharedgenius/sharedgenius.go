// Package sharedgenius loads Genius domains from the project's shared data
// folder for tests and benchmarks, skipping when the folder is absent. It
// is apart from internal/shared because it imports package genius, whose
// own tests use internal/shared.
package sharedgenius

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
)

// Model loads the Genius domain and profiles in dir (relative to the
// shared Genius folder, e.g. "negmas-tests/Laptop") and compiles them; a
// missing shared folder skips, any other failure fails tb.
func Model(tb testing.TB, dir, domain string, profiles ...string) *parley.Model {
	tb.Helper()
	base := filepath.Join(shared.Genius(tb), dir)
	ps := make([]string, len(profiles))
	for i, p := range profiles {
		ps[i] = filepath.Join(base, p)
	}
	s, err := genius.Load(filepath.Join(base, domain), ps, genius.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
