package tournament

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/naming"
)

// configKeys are the keys of a tournament file, as documented.
var configKeys = []string{"agents", "scenarios", "reps", "rounds", "time-limit", "seed", "self-play", "workers", "out", "shard"}

// ReadConfig reads a tournament YAML file (at most limit.DefaultMaxInput
// bytes). Keys left out keep their defaults (reps 1, rounds 100, seed 1);
// unknown keys, values of the wrong type and counts below 1 are errors,
// all reported at once as parley.PosErrors (file:line:col: key: what is wrong). Scenario paths
// are taken relative to the file's folder (built-in scenario names are kept
// as they are); so is Out.
func ReadConfig(path string) (*Config, error) {
	data, err := limit.ReadFile(path, 0)
	if err != nil {
		return nil, err
	}
	c, err := parseConfig(path, data)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	for i, s := range c.Scenarios {
		if !isBuiltin(s) {
			c.Scenarios[i] = joinAll(dir, s)
		}
	}
	if c.Out != "" && !filepath.IsAbs(c.Out) {
		c.Out = filepath.Join(dir, c.Out)
	}
	return c, nil
}

// configReader decodes a tournament file's YAML tree with positions.
type configReader struct {
	file string
	errs parley.PosErrors
}

func (r *configReader) errorf(n *yaml.Node, key, format string, args ...any) {
	pe := &parley.PosError{File: r.file, Path: key, Err: parley.Errorf(parley.EINVALID, format, args...)}
	if n != nil {
		pe.Line, pe.Column = n.Line, n.Column
	}
	r.errs = append(r.errs, pe)
}

// parseConfig decodes a tournament file; defaults fill the keys it leaves out.
// Its steps: decode the YAML tree, find the top mapping, and set each key
// in turn, gathering every error with its position.
func parseConfig(file string, data []byte) (c *Config, err error) {
	defer func() { // the YAML library panics on some malformed input
		if p := recover(); p != nil {
			c, err = nil, parley.PosErrors{{File: file, Line: 1, Err: parley.Errorf(parley.EINVALID, "YAML syntax: %v", p)}}
		}
	}()
	r := &configReader{file: file}
	root, err := r.decode(data)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		r.errorf(root, "", "expected a mapping with agents, scenarios and out, got %s", kindOf(root))
		return nil, r.errs
	}
	c = &Config{Definition: Definition{Reps: DefaultReps, Rounds: DefaultRounds, Seed: DefaultSeed}}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if prev := seen[k.Value]; prev != nil {
			r.errorf(k, k.Value, "duplicate key %q (first given at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		r.set(c, k, v)
	}
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return c, nil
}

// decode parses data into a YAML tree and returns its top node; a syntax
// error comes back with its line.
func (r *configReader) decode(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			r.errorf(&yaml.Node{Line: 1, Column: 1}, "", "empty file; expected a mapping with agents, scenarios and out")
			return nil, r.errs
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				line, _ = strconv.Atoi(n)
				msg = tail
			}
		}
		return nil, parley.PosErrors{{File: r.file, Line: line, Err: parley.Errorf(parley.EINVALID, "YAML syntax: %s", msg)}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, nil
}

// set sets in c the key k to the value v, or records why it cannot.
func (r *configReader) set(c *Config, k, v *yaml.Node) {
	switch k.Value {
	case "agents":
		c.Agents = r.list(v, k.Value)
	case "scenarios":
		c.Scenarios = r.list(v, k.Value)
	case "reps":
		c.Reps = r.count(v, k.Value)
	case "rounds":
		c.Rounds = r.count(v, k.Value)
	case "time-limit":
		var d Duration
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			r.errorf(v, k.Value, "expected a duration such as 2s or 500ms, got %s", kindOf(v))
		} else if err := d.UnmarshalText([]byte(v.Value)); err != nil || d <= 0 {
			r.errorf(v, k.Value, "expected a positive duration such as 2s or 500ms, got %q; leave the key out for none", v.Value)
		} else {
			c.TimeLimit = d
		}
	case "workers":
		c.Workers = r.count(v, k.Value)
	case "seed":
		c.Seed = r.seed(v, k.Value)
	case "self-play":
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
			r.errorf(v, k.Value, "expected true or false, got %s", kindOf(v))
		} else {
			c.SelfPlay = v.Value == "true"
		}
	case "out", "shard":
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			r.errorf(v, k.Value, "expected text, got %s", kindOf(v))
		} else if k.Value == "out" {
			c.Out = v.Value
		} else if _, err := ParseShard(v.Value); err != nil {
			r.errorf(v, k.Value, "%s", strings.TrimPrefix(parley.ErrorMessage(err), "tournament: "))
		} else {
			c.Shard = v.Value
		}
	default:
		hint := ""
		if s := naming.Closest(k.Value, configKeys); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		r.errorf(k, k.Value, "unknown key %q%s; expected one of %s", k.Value, hint, strings.Join(configKeys, ", "))
	}
}

// list reads a list of text items, or one comma-separated text (as the
// flags take it: agents keep their parameters).
func (r *configReader) list(n *yaml.Node, key string) []string {
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null":
		if key == "agents" {
			return ParseAgents(n.Value)
		}
		return SplitList(n.Value)
	case n.Kind == yaml.SequenceNode:
		var out []string
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode || it.ShortTag() == "!!null" {
				r.errorf(it, key, "expected text items, got %s", kindOf(it))
				continue
			}
			out = append(out, it.Value)
		}
		return out
	}
	r.errorf(n, key, "expected a list, got %s", kindOf(n))
	return nil
}

// count reads a whole number of at least 1.
func (r *configReader) count(n *yaml.Node, key string) int {
	v, err := strconv.ParseInt(n.Value, 10, 64)
	switch {
	case n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil:
		r.errorf(n, key, "expected a whole number of at least 1, got %s", kindOf(n))
	case v < 1:
		r.errorf(n, key, "must be at least 1, got %d; leave the key out for the default", v)
	case v > 1<<31:
		r.errorf(n, key, "out of range: at most %d, got %d", 1<<31, v)
	default:
		return int(v)
	}
	return 0
}

// seed reads a whole number in [0, 2^64).
func (r *configReader) seed(n *yaml.Node, key string) uint64 {
	v, err := strconv.ParseUint(n.Value, 10, 64)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil {
		r.errorf(n, key, "expected a whole number from 0 to 18446744073709551615, got %s", kindOf(n))
	}
	return v
}

// kindOf names a node's type and value for "expected X, got Y" messages.
func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing (null)"
	case "!!int", "!!float":
		return "number " + v
	case "!!bool":
		return "boolean " + v
	}
	return fmt.Sprintf("text %q", v)
}
