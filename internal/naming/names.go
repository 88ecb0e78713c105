// Package naming makes names unique (the importers and exporters derive
// party and file names from file names and party names, which may repeat)
// and finds the name a misspelt one was meant to be, for "did you mean"
// messages.
package naming

import "fmt"

// Unique returns base, or base-2, base-3, ... the first that used does not
// hold, and marks it used.
func Unique(base string, used map[string]bool) string {
	name := base
	for k := 2; used[name]; k++ {
		name = fmt.Sprintf("%s-%d", base, k)
	}
	used[name] = true
	return name
}
