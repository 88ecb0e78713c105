package scenario

import (
	"embed"
	"path"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
)

// builtinFS holds the scenarios that ship with parley.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinNames returns the names of the built-in scenarios, sorted.
func BuiltinNames() []string {
	entries, _ := builtinFS.ReadDir("builtin")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Builtin parses the built-in scenario builtin/<name>.yaml; messages name
// it "built-in <name>.yaml" (where it sits in the source tree means nothing
// to a user). An unknown name is an ENOTFOUND error that lists the known
// ones.
func Builtin(name string) (*File, error) {
	for _, n := range BuiltinNames() {
		if n != name {
			continue
		}
		p := path.Join("builtin", name+".yaml")
		data, err := builtinFS.ReadFile(p)
		if err != nil {
			return nil, &parley.Error{Code: parley.EINTERNAL, Message: "reading built-in scenario", Err: err}
		}
		return Parse("built-in "+name+".yaml", data)
	}
	ns := BuiltinNames()
	return nil, parley.Errorf(parley.ENOTFOUND, "unknown built-in scenario %q%s; built-in scenarios: %s", name, didYouMean(name, ns), strings.Join(ns, ", "))
}
