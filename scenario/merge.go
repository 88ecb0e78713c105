package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A namedList is a list of named things that a variant changes item by
// item: the chain of mapping keys that leads to it from the top of the
// file (list indices left out), the key that names its items, and the
// noun for messages, and how a message names one item (a format with one
// %q).
type namedList struct {
	chain, key, noun, item string
}

func (nl *namedList) name(v string) string { return fmt.Sprintf(nl.item, v) }

// namedLists are the lists whose items a variant may change, remove or
// (with add: true) add. Every other list is replaced as a whole.
var namedLists = []namedList{
	{"sources", "id", "source", "source %q"},
	{"issues", "name", "issue", "issue %q"},
	{"issues.options", "label", "option", "option %q"},
	{"parties", "name", "party", "party %q"},
	{"parties.preferences.issues", "issue", "issue preference", "preference on issue %q"},
	{"parties.preferences.red_lines", "name", "red line", "red line %q"},
	{"parties.delegation.factions", "name", "faction", "faction %q"},
	{"parties.delegation.factions.preferences.issues", "issue", "issue preference", "preference on issue %q"},
	{"parties.delegation.factions.preferences.red_lines", "name", "red line", "red line %q"},
	{"roles", "name", "role", "role %q"},
}

func namedListAt(chain string) *namedList {
	for i := range namedLists {
		if namedLists[i].chain == chain {
			return &namedLists[i]
		}
	}
	return nil
}

// merger applies a variant's override onto a copy of the base tree.
type merger struct {
	file string
	errs Errors
}

func (m *merger) errorf(n *yaml.Node, path, format string, args ...any) {
	m.errs = append(m.errs, posErr(m.file, n, path, fmt.Sprintf(format, args...)))
}

// at is where the merge is: the field path for messages
// ("variants[0].override.parties[1]") and the chain of keys that
// namedListAt matches ("parties").
type at struct {
	path, chain string
}

func (a at) key(k string) at {
	c := k
	if a.chain != "" {
		c = a.chain + "." + k
	}
	return at{join(a.path, k), c}
}

func (a at) index(i int) at { return at{index(a.path, i), a.chain} }

// merge merges over onto base and returns the result, which reuses (and
// modifies) base's nodes and copies over's:
//   - two mappings merge key by key, recursively;
//   - a list of named things (namedLists) merges item by item on its key
//     field: an item that names a base item merges into it, an item with
//     remove: true deletes it, an item with add: true is appended; an item
//     that names nothing in the base without add: true is an error, and so
//     is add: true on an item the base has;
//   - anything else is replaced by over. Named items inside a replaced or
//     newly added value need add: true, unless an ancestor has it.
func (m *merger) merge(base, over *yaml.Node, a at) *yaml.Node {
	switch {
	case base.Kind == yaml.MappingNode && over.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(over.Content); i += 2 {
			k, v := over.Content[i], over.Content[i+1]
			j := keyIndex(base, k.Value)
			if j < 0 {
				base.Content = append(base.Content, copyNode(k), m.fresh(v, a.key(k.Value), false))
				continue
			}
			base.Content[j+1] = m.merge(base.Content[j+1], v, a.key(k.Value))
		}
		return base
	case base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode:
		if nl := namedListAt(a.chain); nl != nil && keyedBy(base, nl.key) {
			m.mergeList(base, over, a, nl)
			return base
		}
	}
	return m.fresh(over, a, false)
}

// mergeList merges the items of a named list.
func (m *merger) mergeList(base, over *yaml.Node, a at, nl *namedList) {
	for i, it := range over.Content {
		ia := a.index(i)
		kv, ok := m.itemName(it, ia, nl)
		if !ok {
			continue
		}
		add, remove, ok := m.flags(it, ia)
		if !ok {
			continue
		}
		j := itemIndex(base, nl.key, kv)
		switch {
		case add && remove:
			m.errorf(it, ia.path, "an item cannot have both add: true and remove: true")
		case remove && j < 0:
			m.errorf(it, ia.path, "remove: no %s in the base to remove%s; %s", nl.name(kv), didYouMean(kv, itemNames(base, nl.key)), listed(base, nl))
		case remove && len(it.Content) > 4:
			m.errorf(it, ia.path, "an item with remove: true takes only its %s and remove", nl.key)
		case remove:
			base.Content = append(base.Content[:j], base.Content[j+1:]...)
		case add && j >= 0:
			m.errorf(it, ia.path, "add: the base already has %s; leave out add: true to change it", nl.name(kv))
		case add:
			base.Content = append(base.Content, m.fresh(withoutKey(it, "add"), ia, true))
		case j < 0:
			m.errorf(it, ia.path, "no %s in the base%s; %s; a variant changes what the base defines: to add a new %s, give it add: true",
				nl.name(kv), didYouMean(kv, itemNames(base, nl.key)), listed(base, nl), nl.noun)
		default:
			b := base.Content[j]
			if b.Kind == yaml.ScalarNode { // a bare option label
				b = labelMapping(b)
			}
			if it.Kind == yaml.ScalarNode {
				continue // a bare label that names a base option changes nothing
			}
			base.Content[j] = m.merge(b, withoutKey(it, "remove"), ia)
		}
	}
}

// itemName returns the name of an override item of a named list: its key
// field, or for an option a bare label.
func (m *merger) itemName(it *yaml.Node, a at, nl *namedList) (string, bool) {
	if it.Kind == yaml.ScalarNode && nl.key == "label" {
		return it.Value, true
	}
	if it.Kind != yaml.MappingNode {
		m.errorf(it, a.path, "expected a mapping with the %s of the %s to change, got %s", nl.key, nl.noun, describe(it))
		return "", false
	}
	v := lookup(it, nl.key)
	if v == nil {
		m.errorf(it, a.path, "missing %q: an item of a variant's list names the %s it changes, removes or adds", nl.key, nl.noun)
		return "", false
	}
	if v.Kind != yaml.ScalarNode {
		m.errorf(v, join(a.path, nl.key), "expected the %s's %s, got %s", nl.noun, nl.key, describe(v))
		return "", false
	}
	return v.Value, true
}

// flags reads an item's add and remove keys.
func (m *merger) flags(it *yaml.Node, a at) (add, remove, ok bool) {
	ok = true
	if r := lookup(it, "remove"); r != nil {
		if !isBool(r) {
			m.errorf(r, join(a.path, "remove"), "expected true or false, got %s", describe(r))
			ok = false
		} else {
			remove = r.Value == "true"
		}
	}
	if r := lookup(it, "add"); r != nil {
		if !isBool(r) || r.Value != "true" {
			m.errorf(r, join(a.path, "add"), "expected true (leave add out to change an item the base has), got %s", describe(r))
			ok = false
		}
		add = true
	}
	return add, remove, ok
}

func isBool(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!bool" && (n.Value == "true" || n.Value == "false")
}

// fresh copies a value that the base does not have (a new key, a replaced
// value, or an item with add: true when added is set). Named items inside it
// are new too: outside an added item they need add: true, and remove:
// is an error (there is nothing to remove).
func (m *merger) fresh(n *yaml.Node, a at, added bool) *yaml.Node {
	c := copyNode(n)
	var walk func(n *yaml.Node, a at, added bool)
	walk = func(n *yaml.Node, a at, added bool) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], a.key(n.Content[i].Value), added)
			}
		case yaml.SequenceNode:
			nl := namedListAt(a.chain)
			for i, it := range n.Content {
				ia := a.index(i)
				if it.Kind != yaml.MappingNode {
					if nl != nil && !added && nl.key == "label" {
						m.errorf(it, ia.path, "no option %q in the base (the base has no such list); a variant changes what the base defines: to add a new option, write {label: %s, add: true}", it.Value, it.Value)
					}
					walk(it, ia, added)
					continue
				}
				itemAdded := added
				if r := lookup(it, "remove"); r != nil {
					m.errorf(it, ia.path, "remove: nothing to remove: the base has no such list")
					it = withoutKey(it, "remove")
				}
				if r := lookup(it, "add"); r != nil {
					if nl == nil {
						m.errorf(r, join(ia.path, "add"), "add: true marks a new named item (an issue, option, party, faction, red line, issue preference, role or source), not an item of this list")
					} else if !isBool(r) || r.Value != "true" {
						m.errorf(r, join(ia.path, "add"), "expected true, got %s", describe(r))
					}
					it = withoutKey(it, "add")
					itemAdded = true
				}
				if nl != nil && !itemAdded {
					name := "unnamed " + nl.noun
					if v := lookup(it, nl.key); v != nil && v.Kind == yaml.ScalarNode {
						name = nl.name(v.Value)
					}
					m.errorf(it, ia.path, "no %s in the base (the base has no such list); a variant changes what the base defines: to add a new %s, give it add: true", name, nl.noun)
				}
				n.Content[i] = it
				walk(it, ia, itemAdded)
			}
		}
	}
	walk(c, a, added)
	return c
}

func labelMapping(b *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: b.Line, Column: b.Column, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "label", Line: b.Line, Column: b.Column}, b,
	}}
}

func keyIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
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

func itemNames(base *yaml.Node, key string) []string {
	ks := make([]string, 0, len(base.Content))
	for _, it := range base.Content {
		ks = append(ks, itemKey(it, key))
	}
	return ks
}

// listed says what a base list holds, for messages (at most 12 names).
func listed(base *yaml.Node, nl *namedList) string {
	names := itemNames(base, nl.key)
	if len(names) == 0 {
		return "the base lists none here"
	}
	var ks []string
	for i, n := range names {
		if i == 12 {
			ks = append(ks, fmt.Sprintf("... (%d in all)", len(names)))
			break
		}
		ks = append(ks, fmt.Sprintf("%q", n))
	}
	return "the base has " + strings.Join(ks, ", ")
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
