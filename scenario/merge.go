package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// seqKeys are the fields that identify the items of a list for merging, in
// order of preference.
var seqKeys = []string{"name", "id", "issue", "label"}

// merger applies a variant's override onto a copy of the base tree.
type merger struct {
	file string
	errs Errors
}

func (m *merger) errorf(n *yaml.Node, path, format string, args ...any) {
	m.errs = append(m.errs, posErr(m.file, n, path, fmt.Sprintf(format, args...)))
}

// merge merges over onto base and returns the result, which reuses (and
// modifies) base's nodes and copies over's:
//   - two mappings merge key by key, recursively;
//   - two lists whose items are mappings sharing a key field (name, else id,
//     else issue, else label) merge item by item on that field: a matching
//     item merges recursively, a new item is appended, an item with
//     remove: true deletes its match;
//   - anything else is replaced by over.
func (m *merger) merge(base, over *yaml.Node, path string) *yaml.Node {
	switch {
	case base.Kind == yaml.MappingNode && over.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(over.Content); i += 2 {
			k, v := over.Content[i], over.Content[i+1]
			j := keyIndex(base, k.Value)
			if j < 0 {
				base.Content = append(base.Content, copyNode(k), m.strip(v, join(path, k.Value)))
				continue
			}
			base.Content[j+1] = m.merge(base.Content[j+1], v, join(path, k.Value))
		}
		return base
	case base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode:
		key := seqKey(over)
		if key == "" || !keyedBy(base, key) {
			return m.strip(over, path)
		}
		for i, it := range over.Content {
			ip := index(path, i)
			kv := lookup(it, key).Value
			j := itemIndex(base, key, kv)
			remove := false
			if r := lookup(it, "remove"); r != nil {
				if r.Kind != yaml.ScalarNode || r.Tag != "!!bool" {
					m.errorf(r, join(ip, "remove"), "expected true or false, got %s", describe(r))
					continue
				}
				if err := r.Decode(&remove); err != nil {
					m.errorf(r, join(ip, "remove"), "expected true or false, got %s", describe(r))
					continue
				}
			}
			if remove {
				if len(it.Content) > 4 {
					m.errorf(it, ip, "an item with remove: true takes only its %s and remove", key)
					continue
				}
				if j < 0 {
					m.errorf(it, ip, "remove: no item with %s %q to remove; the list has %s", key, kv, itemKeys(base, key))
					continue
				}
				base.Content = append(base.Content[:j], base.Content[j+1:]...)
				continue
			}
			clean := withoutKey(it, "remove")
			if j < 0 {
				base.Content = append(base.Content, m.strip(clean, ip))
				continue
			}
			b := base.Content[j]
			if b.Kind == yaml.ScalarNode { // a bare option label
				b = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: b.Line, Column: b.Column, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Tag: "!!str", Value: "label", Line: b.Line, Column: b.Column}, b,
				}}
			}
			base.Content[j] = m.merge(b, clean, ip)
		}
		return base
	}
	return m.strip(over, path)
}

// strip copies a node taken from the override as a whole, reporting any
// remove: key inside it (removal only makes sense against a base item).
func (m *merger) strip(n *yaml.Node, path string) *yaml.Node {
	c := copyNode(n)
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], join(path, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, it := range n.Content {
				if r := lookup(it, "remove"); r != nil && it.Kind == yaml.MappingNode {
					m.errorf(it, index(path, i), "remove: nothing to remove: the base has no such list to merge into")
					n.Content[i] = withoutKey(it, "remove")
				}
				walk(n.Content[i], index(path, i))
			}
		}
	}
	walk(c, path)
	return c
}

func keyIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// seqKey returns the key field that every item of the list has as a scalar,
// or "" when the list is empty or not a list of keyed mappings.
func seqKey(seq *yaml.Node) string {
	if len(seq.Content) == 0 {
		return ""
	}
next:
	for _, k := range seqKeys {
		for _, it := range seq.Content {
			v := lookup(it, k)
			if v == nil || v.Kind != yaml.ScalarNode {
				continue next
			}
		}
		return k
	}
	return ""
}

// keyedBy reports whether every item of base can be matched on key: it is a
// mapping with key as a scalar, or (for option labels) a bare scalar.
func keyedBy(base *yaml.Node, key string) bool {
	for _, it := range base.Content {
		if it.Kind == yaml.ScalarNode && key == "label" {
			continue
		}
		v := lookup(it, key)
		if v == nil || v.Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}

func itemKey(it *yaml.Node, key string) string {
	if it.Kind == yaml.ScalarNode {
		return it.Value
	}
	return lookup(it, key).Value
}

func itemIndex(base *yaml.Node, key, val string) int {
	for j, it := range base.Content {
		if itemKey(it, key) == val {
			return j
		}
	}
	return -1
}

func itemKeys(base *yaml.Node, key string) string {
	if len(base.Content) == 0 {
		return "no items"
	}
	var ks []string
	for _, it := range base.Content {
		ks = append(ks, fmt.Sprintf("%q", itemKey(it, key)))
	}
	return strings.Join(ks, ", ")
}

func withoutKey(n *yaml.Node, key string) *yaml.Node {
	j := keyIndex(n, key)
	if j < 0 {
		return n
	}
	c := *n
	c.Content = append(append([]*yaml.Node(nil), n.Content[:j]...), n.Content[j+2:]...)
	return &c
}
