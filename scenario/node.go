package scenario

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/naming"
	"go.yaml.in/yaml/v3"
)

// Limits that keep hostile input cheap.
const (
	// maxNodes caps the number of YAML nodes after aliases are expanded
	// (guards against "billion laughs" documents).
	maxNodes = 1_000_000
	// maxDepth caps the nesting depth of a document.
	maxDepth = 256
	// MaxOptions caps the number of options of one issue, counting the
	// options generated from a numeric range.
	MaxOptions = 100_000
)

// Errors is the list of problems found in a scenario file, sorted by
// position. Each is a *parley.PosError whose Err is a *parley.Error, so
// parley.ErrorCode works on the list and errors.As finds the first one.
type Errors = parley.PosErrors

// posErr builds a positioned EINVALID error at n (which may be nil).
func posErr(file string, n *yaml.Node, path, msg string) *parley.PosError {
	pe := &parley.PosError{File: file, Path: path, Err: &parley.Error{Code: parley.EINVALID, Message: msg}}
	if n != nil {
		pe.Line, pe.Column = n.Line, n.Column
	}
	return pe
}

// normalizer copies a parsed YAML tree into a plain one: aliases expanded,
// merge keys ("<<") applied, scalar tags resolved, duplicate keys and
// non-scalar keys reported. The copy keeps every node's position.
type normalizer struct {
	file   string
	errs   Errors
	budget int
	depth  int
	active map[*yaml.Node]bool
}

func normalize(file string, doc *yaml.Node) (*yaml.Node, Errors) {
	z := &normalizer{file: file, budget: maxNodes, active: map[*yaml.Node]bool{}}
	n := z.node(doc)
	return n, z.errs
}

func (z *normalizer) errorf(n *yaml.Node, format string, args ...any) {
	z.errs = append(z.errs, posErr(z.file, n, "", fmt.Sprintf(format, args...)))
}

// node returns a normalised copy of n, or nil after reporting an error.
func (z *normalizer) node(n *yaml.Node) *yaml.Node {
	if n == nil || z.budget <= 0 {
		return nil
	}
	z.budget--
	if z.budget == 0 {
		z.errorf(n, "document too large: more than %d nodes once aliases are expanded", maxNodes)
		return nil
	}
	z.depth++
	defer func() { z.depth-- }()
	if z.depth > maxDepth {
		z.errorf(n, "document nested more than %d levels deep", maxDepth)
		z.budget = 0
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		return z.node(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			z.errorf(n, "unknown alias *%s", n.Value)
			return nil
		}
		if z.active[n.Alias] {
			z.errorf(n, "alias *%s refers to a node that contains it", n.Value)
			return nil
		}
		z.active[n.Alias] = true
		c := z.node(n.Alias)
		delete(z.active, n.Alias)
		return c
	case yaml.ScalarNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Style: n.Style, Tag: n.ShortTag(), Value: n.Value, Line: n.Line, Column: n.Column}
	case yaml.SequenceNode:
		c := &yaml.Node{Kind: yaml.SequenceNode, Style: n.Style, Tag: "!!seq", Line: n.Line, Column: n.Column}
		for _, it := range n.Content {
			if ci := z.node(it); ci != nil {
				c.Content = append(c.Content, ci)
			}
		}
		return c
	case yaml.MappingNode:
		return z.mapping(n)
	}
	z.errorf(n, "unsupported YAML node")
	return nil
}

func (z *normalizer) mapping(n *yaml.Node) *yaml.Node {
	c := &yaml.Node{Kind: yaml.MappingNode, Style: n.Style, Tag: "!!map", Line: n.Line, Column: n.Column}
	first := map[string]*yaml.Node{}
	var inherited []*yaml.Node // key, value pairs from merge keys
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := z.node(n.Content[i])
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			z.errorf(k, "mapping keys must be plain strings, got %s", describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			v := z.node(n.Content[i+1])
			if v == nil {
				continue
			}
			var srcs []*yaml.Node
			switch v.Kind {
			case yaml.MappingNode:
				srcs = []*yaml.Node{v}
			case yaml.SequenceNode:
				srcs = v.Content
			}
			for _, s := range srcs {
				if s.Kind != yaml.MappingNode {
					z.errorf(s, "a merge key (<<) needs a mapping or a list of mappings, got %s", describe(s))
					continue
				}
				inherited = append(inherited, s.Content...)
			}
			if len(srcs) == 0 {
				z.errorf(v, "a merge key (<<) needs a mapping or a list of mappings, got %s", describe(v))
			}
			continue
		}
		if prev := first[k.Value]; prev != nil {
			z.errorf(k, "duplicate key %q (first given at line %d)", k.Value, prev.Line)
			continue
		}
		v := z.node(n.Content[i+1])
		if v == nil {
			continue
		}
		first[k.Value] = k
		c.Content = append(c.Content, k, v)
	}
	// Merged keys never override explicit ones; earlier merge sources win
	// over later ones, as the YAML merge-key spec says.
	for i := 0; i+1 < len(inherited); i += 2 {
		k := inherited[i]
		if first[k.Value] != nil {
			continue
		}
		first[k.Value] = k
		c.Content = append(c.Content, copyNode(k), copyNode(inherited[i+1]))
	}
	return c
}

// copyNode deep-copies a normalised (alias-free) tree.
func copyNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, ch := range n.Content {
			c.Content[i] = copyNode(ch)
		}
	}
	return &c
}

// describe names a node's type and value for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("string %q", v)
		case "!!int", "!!float":
			return "number " + v
		case "!!bool":
			return "boolean " + v
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), v)
	}
	return "an unsupported node"
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// didYouMean returns ` (did you mean "x"?)` for the closest candidate within
// a small edit distance of s, or "".
func didYouMean(s string, candidates []string) string {
	best := closest(s, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// closest returns the candidate within a small edit distance of s, or "".
func closest(s string, candidates []string) string { return naming.Closest(s, candidates) }
