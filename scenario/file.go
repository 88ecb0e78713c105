package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"go.yaml.in/yaml/v3"
)

// A File is a parsed scenario file: its base scenario and its variants, kept
// as a YAML tree so that every problem found later can be traced to a line
// and column.
type File struct {
	name     string
	id       string
	root     *yaml.Node
	variants []variantDef
}

// Name returns the file name given to Parse, used in error messages.
func (f *File) Name() string { return f.name }

// ID returns the scenario's id.
func (f *File) ID() string { return f.id }

// ReadFile reads and parses the scenario file at path, refusing a file of
// more than limit.DefaultMaxInput (64 MiB) with code parley.ELIMIT.
func ReadFile(path string) (*File, error) { return ReadFileMax(path, 0) }

// ReadFileMax is ReadFile with another size limit, in bytes (0: the
// default). A missing file is an ENOTFOUND error, a folder or an
// unreadable file EINVALID.
func ReadFileMax(path string, max int64) (*File, error) {
	data, err := limit.ReadFile(path, max)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

var yamlErrRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// decodeDoc reads one YAML document into a node, turning any panic of the
// YAML library into an error.
func decodeDoc(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return dec.Decode(n)
}

func syntaxError(file string, err error) error {
	pe := &parley.PosError{File: file}
	msg := err.Error()
	if m := yamlErrRe.FindStringSubmatch(msg); m != nil {
		pe.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	pe.Err = &parley.Error{Code: parley.EINVALID, Message: "YAML syntax: " + msg}
	return Errors{pe}
}

// Parse parses a scenario file. name is the file's path, used in messages.
// It reports YAML syntax errors and structural errors of the base scenario
// and of the variants' declarations (unknown keys, wrong types, missing
// required keys) as Errors; the semantic checks of parley.Scenario.Compile
// and the variants' overrides are left to Scenario and Validate.
func Parse(name string, data []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeDoc(dec, &doc); err != nil {
		if err == io.EOF {
			return nil, Errors{posErr(name, &yaml.Node{Line: 1, Column: 1}, "", "empty file; expected a mapping with id, issues and parties")}
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	if err := decodeDoc(dec, &extra); err == nil {
		return nil, Errors{posErr(name, &extra, "", "a scenario file holds one YAML document; found a second one")}
	} else if err != io.EOF {
		return nil, syntaxError(name, err)
	}
	root, errs := normalize(name, &doc)
	if len(errs) > 0 {
		return nil, sortErrors(errs)
	}
	d := newDecoder(name)
	s, defs := d.scenario(root)
	if len(d.errs) > 0 {
		return nil, sortErrors(d.errs)
	}
	f := &File{name: name, id: s.ID, root: root, variants: defs}
	if errs := f.checkExtends(); len(errs) > 0 {
		return nil, sortErrors(errs)
	}
	return f, nil
}

// checkExtends checks that every extends: names another variant and that
// no variant extends itself, directly or through others.
func (f *File) checkExtends() Errors {
	var errs Errors
	for i := range f.variants {
		def := &f.variants[i]
		if def.extends == nil {
			continue
		}
		p := index("variants", def.index) + ".extends"
		if f.variant(def.v.Extends) == nil {
			var ns []string
			for _, v := range f.variants {
				if v.v.Name != def.v.Name {
					ns = append(ns, v.v.Name)
				}
			}
			errs = append(errs, posErr(f.name, def.extends, p, fmt.Sprintf("unknown variant %q%s; a variant extends another variant of the file (%s)", def.v.Extends, didYouMean(def.v.Extends, ns), strings.Join(ns, ", "))))
			continue
		}
		// Follow the chain; a cycle through def is reported once, at the
		// first of its variants in the file.
		path := []string{def.v.Name}
		for cur := f.variant(def.v.Extends); cur != nil; cur = f.variant(cur.v.Extends) {
			if cur.index < def.index && cur.v.Name != def.v.Name && inCycle(f, cur) {
				break // reported at cur
			}
			path = append(path, cur.v.Name)
			if cur.v.Name == def.v.Name {
				errs = append(errs, posErr(f.name, def.extends, p, fmt.Sprintf("variants extend each other in a circle: %s", strings.Join(path, " → "))))
				break
			}
			if cur.v.Extends == "" || len(path) > len(f.variants) {
				break
			}
		}
	}
	return errs
}

// inCycle reports whether following extends from def comes back to def.
func inCycle(f *File, def *variantDef) bool {
	cur := def
	for range f.variants {
		if cur = f.variant(cur.v.Extends); cur == nil {
			return false
		}
		if cur == def {
			return true
		}
	}
	return false
}

// chain returns the variants whose overrides make up def, the one it
// extends first (checkExtends has ruled out cycles).
func (f *File) chain(def *variantDef) []*variantDef {
	var out []*variantDef
	for cur := def; cur != nil; {
		out = append([]*variantDef{cur}, out...)
		if cur.v.Extends == "" {
			break
		}
		cur = f.variant(cur.v.Extends)
	}
	return out
}

// Variants returns the file's variants, in file order.
func (f *File) Variants() []parley.Variant {
	out := make([]parley.Variant, len(f.variants))
	for i, v := range f.variants {
		out[i] = v.v
		out[i].Sources = append([]parley.Cite(nil), v.v.Sources...)
	}
	return out
}

// Scenario returns the base scenario (variant "") or the named variant:
// the variant's override merged onto the base, decoded and checked with
// parley.Scenario.Compile. An unknown variant is an ENOTFOUND error. Every
// problem is returned, as Errors: *parley.PosError values with the position
// of the node the problem came from (in the base or in the override) and the
// field path, each wrapping a *parley.Error with code EINVALID.
func (f *File) Scenario(variant string) (*parley.Scenario, error) {
	s, _, err := f.scenario(variant)
	return s, err
}

// A Check is a command's own check of a scenario beyond Compile (for
// example simulate.Check, the set-up of a simulation). Problems it returns
// as a *parley.ValidationError are mapped to positions like Compile's.
type Check func(*parley.Scenario) error

// Check returns the scenario of a variant like Scenario, then runs the
// checks on it; their problems come back as Errors with positions.
func (f *File) Check(variant string, checks ...Check) (*parley.Scenario, error) {
	s, d, err := f.scenario(variant)
	if err != nil {
		return nil, err
	}
	var all Errors
	for _, c := range checks {
		if err := c(s); err != nil {
			var list Errors
			errors.As(d.compileErrors(s, err), &list)
			all = append(all, list...)
		}
	}
	if len(all) > 0 {
		return nil, sortErrors(all)
	}
	return s, nil
}

func (f *File) scenario(variant string) (*parley.Scenario, *decoder, error) {
	root := copyNode(f.root)
	if variant != "" {
		def := f.variant(variant)
		if def == nil {
			return nil, nil, f.unknownVariant(variant)
		}
		for _, def := range f.chain(def) {
			if def.override == nil {
				continue
			}
			m := &merger{file: f.name}
			root = m.merge(root, def.override, at{path: index("variants", def.index) + ".override"})
			if len(m.errs) > 0 {
				return nil, nil, sortErrors(m.errs)
			}
		}
	}
	d := newDecoder(f.name)
	s, _ := d.scenario(root)
	if len(d.errs) > 0 {
		return nil, nil, sortErrors(d.errs)
	}
	s.Variant = variant
	if _, err := s.Compile(); err != nil {
		return nil, nil, d.compileErrors(s, err)
	}
	return s, d, nil
}

// Unsourced returns a warning for every estimate and modelling choice of
// the base and of every variant that neither cites a source nor is
// labelled an assumption (parley.Scenario.Unsourced), each at its position
// in the file, once. A problem only a variant has is prefixed with its
// name. It returns an error when the file does not validate.
func Unsourced(f *File) (Errors, error) {
	if err := Validate(f); err != nil {
		return nil, err
	}
	var out Errors
	seen := map[string]bool{}
	names := []string{""}
	for _, v := range f.variants {
		names = append(names, v.v.Name)
	}
	for _, name := range names {
		s, d, err := f.scenario(name)
		if err != nil {
			return nil, err
		}
		for _, path := range s.Unsourced() {
			n := d.locate(path)
			pe := posErr(f.name, n, path, "cites no source and is not labelled an assumption (add sources, or assumption: with the analyst's reason)")
			key := fmt.Sprintf("%d:%d:%s", pe.Line, pe.Column, path)
			if strings.HasPrefix(path, "variants[") {
				key = path
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			if name != "" && !strings.HasPrefix(path, "variants[") {
				pe.Err = &parley.Error{Code: parley.EINVALID, Message: fmt.Sprintf("variant %q", name), Err: pe.Err}
			}
			out = append(out, pe)
		}
	}
	return sortErrors(out), nil
}

func (f *File) variant(name string) *variantDef {
	for i := range f.variants {
		if f.variants[i].v.Name == name {
			return &f.variants[i]
		}
	}
	return nil
}

func (f *File) unknownVariant(name string) error {
	if len(f.variants) == 0 {
		return parley.Errorf(parley.ENOTFOUND, "%s: unknown variant %q: the scenario has no variants", f.name, name)
	}
	var ns []string
	for _, v := range f.variants {
		ns = append(ns, v.v.Name)
	}
	return parley.Errorf(parley.ENOTFOUND, "%s: unknown variant %q%s; known variants: %s", f.name, name, didYouMean(name, ns), strings.Join(ns, ", "))
}

// Validate checks the base scenario and every variant, with Compile and
// the given checks, and returns all problems as Errors (nil if there are
// none). A problem that only a variant has is prefixed with the variant's
// name.
func Validate(f *File, checks ...Check) error {
	var all Errors
	seen := map[string]bool{}
	add := func(err error, variant string) {
		if err == nil {
			return
		}
		var list Errors
		if !errors.As(err, &list) {
			var pe *parley.PosError
			if !errors.As(err, &pe) {
				pe = &parley.PosError{File: f.name, Err: err}
			}
			list = Errors{pe}
		}
		for _, pe := range list {
			key := fmt.Sprintf("%d:%d:%s", pe.Line, pe.Column, pe.Err)
			if seen[key] {
				continue
			}
			seen[key] = true
			if variant != "" {
				c := *pe
				c.Err = &parley.Error{Code: parley.ErrorCode(pe.Err), Message: fmt.Sprintf("variant %q", variant), Err: pe.Err}
				pe = &c
			}
			all = append(all, pe)
		}
	}
	_, err := f.Check("", checks...)
	add(err, "")
	for _, v := range f.variants {
		_, err := f.Check(v.v.Name, checks...)
		add(err, v.v.Name)
	}
	if len(all) == 0 {
		return nil
	}
	return sortErrors(all)
}

// sortErrors orders errors by position, keeping the order of errors at the
// same position.
func sortErrors(errs Errors) Errors {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return errs
}

var noOptionRe = regexp.MustCompile(`^issue ("(?:[^"\\]|\\.)*") has no option ("(?:[^"\\]|\\.)*")$`)

// compileErrors maps Compile's field errors back to positions.
func (d *decoder) compileErrors(s *parley.Scenario, err error) error {
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		return Errors{&parley.PosError{File: d.file, Err: err}}
	}
	var out Errors
	for _, fe := range ve.Fields {
		msg := fe.Msg
		switch {
		case strings.HasPrefix(msg, "unknown issue ") && len(s.Issues) > 0:
			name, _ := strconv.Unquote(strings.TrimPrefix(msg, "unknown issue "))
			ns := make([]string, len(s.Issues))
			for i := range s.Issues {
				ns[i] = s.Issues[i].Name
			}
			msg += didYouMean(name, ns) + "; expected one of " + strings.Join(ns, ", ")
		case noOptionRe.MatchString(msg):
			m := noOptionRe.FindStringSubmatch(msg)
			issue, _ := strconv.Unquote(m[1])
			label, _ := strconv.Unquote(m[2])
			if i := s.IssueIndex(issue); i >= 0 {
				msg += didYouMean(label, optionLabels(&s.Issues[i], 0)) + "; its options are " + strings.Join(optionLabels(&s.Issues[i], 12), ", ")
			}
		}
		out = append(out, posErr(d.file, d.locate(fe.Path), fe.Path, msg))
	}
	return sortErrors(out)
}

// optionLabels returns an issue's option labels: all of them unquoted when
// limit is 0, else up to limit of them quoted for a message.
func optionLabels(is *parley.Issue, limit int) []string {
	var ls []string
	for i, o := range is.Options {
		if limit == 0 {
			ls = append(ls, o.Label)
			continue
		}
		if i == limit {
			ls = append(ls, fmt.Sprintf("... (%d in all)", len(is.Options)))
			break
		}
		ls = append(ls, strconv.Quote(o.Label))
	}
	return ls
}
