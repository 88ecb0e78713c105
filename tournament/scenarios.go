package tournament

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/geniusweb"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/scenario"
)

// ScenarioInfo describes a scenario of a tournament as stored in
// tournament.json: its name in negotiation ids, where it came from, its
// parties and a fingerprint of its content (so that a changed file is not
// resumed into old results).
type ScenarioInfo struct {
	Name        string   `json:"name"`
	Source      string   `json:"source"`
	Parties     []string `json:"parties"`
	Fingerprint string   `json:"fingerprint"`
}

// Loaded is a resolved, compiled scenario.
type Loaded struct {
	ScenarioInfo
	Model *parley.Model
}

// domainName reports whether a file name is a Genius domain's, X-domain.xml,
// and returns X (what ^(.*)-domain\.xml$ matches, without compiling a
// regular expression at every start of the binary).
func domainName(name string) (string, bool) {
	x, ok := strings.CutSuffix(name, "-domain.xml")
	return x, ok && !strings.Contains(x, "\n")
}

// Limits bound what loading a tournament's scenarios reads.
type Limits struct {
	// MaxFileSize is the largest scenario, domain or profile file read, in
	// bytes (0: limit.DefaultMaxInput, 64 MiB); a larger one is an error
	// with code parley.ELIMIT.
	MaxFileSize int64
}

func isBuiltin(s string) bool { return slices.Contains(scenario.BuiltinNames(), s) }

// ResolveScenarios turns scenario arguments into compiled scenarios, in
// argument order (a folder's scenarios sorted by path). Each argument is
//
//   - a built-in scenario name ("istanbul-2025");
//   - a scenario YAML file (.yaml, .yml): its base scenario;
//   - a Genius XML domain file: with the files of its folder named like it
//     (X-domain.xml and X-*.xml), or, if it is not so named, every other XML
//     file of its folder that reads as a profile of it;
//   - "DOMAIN+PROFILE+PROFILE...": Genius XML (.xml) or GeniusWeb JSON
//     (.json) files given explicitly;
//   - a GeniusWeb JSON domain file: with the other JSON files of its folder
//     as profiles;
//   - a folder, walked recursively: every YAML file, every Genius domain
//     (as above) and every GeniusWeb domain (as above) it holds.
//
// A scenario needs at least two parties. Names are the scenario ids (a
// Genius domain's without "-domain"), with "-2", "-3", ... appended to
// repeats. Errors carry the argument.
func ResolveScenarios(args []string, lim ...Limits) ([]*Loaded, error) {
	var max int64
	if len(lim) > 0 {
		max = lim[0].MaxFileSize
	}
	var out []*Loaded
	used := map[string]bool{}
	add := func(src string, s *parley.Scenario) error {
		if len(s.Parties) < 2 {
			return parley.Errorf(parley.EINVALID, "tournament: scenario %s: %d parties; a negotiation needs at least two", src, len(s.Parties))
		}
		m, err := s.Compile()
		if err != nil {
			return &parley.Error{Code: parley.EINVALID, Message: "tournament: scenario " + src, Err: err}
		}
		data, err := json.Marshal(s)
		if err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: fingerprint of " + src, Err: err}
		}
		sum := sha256.Sum256(data)
		name := strings.TrimSuffix(s.ID, "-domain")
		name = strings.NewReplacer("/", "_", "+", "_", "\n", "_").Replace(name)
		if name == "" {
			name = "scenario"
		}
		base := name
		for k := 2; used[name]; k++ {
			name = base + "-" + itoa(k)
		}
		used[name] = true
		l := &Loaded{ScenarioInfo: ScenarioInfo{Name: name, Source: src, Fingerprint: hex.EncodeToString(sum[:12])}, Model: m}
		for _, p := range m.Parties {
			l.Parties = append(l.Parties, p.Name)
		}
		out = append(out, l)
		return nil
	}
	for _, arg := range args {
		if err := resolveOne(arg, max, add); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "tournament: no scenarios found in %s", strings.Join(args, ", "))
	}
	return out, nil
}

func resolveOne(arg string, max int64, add func(string, *parley.Scenario) error) error {
	if isBuiltin(arg) {
		f, err := scenario.Builtin(arg)
		if err != nil {
			return err
		}
		s, err := f.Scenario("")
		if err != nil {
			return err
		}
		return add(arg, s)
	}
	if strings.Contains(arg, "+") {
		parts := strings.Split(arg, "+")
		var s *parley.Scenario
		var err error
		if strings.EqualFold(filepath.Ext(parts[0]), ".json") {
			s, err = geniusweb.Load(parts[0], parts[1:], geniusweb.Options{MaxFileSize: max})
		} else {
			s, err = genius.Load(parts[0], parts[1:], genius.Options{MaxFileSize: max})
		}
		if err != nil {
			return err
		}
		return add(arg, s)
	}
	fi, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return parley.Errorf(parley.ENOTFOUND, "tournament: scenario %q: no such built-in scenario, file or folder (built-in: %s)", arg, strings.Join(scenario.BuiltinNames(), ", "))
		}
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: scenario " + arg, Err: err}
	}
	if fi.IsDir() {
		return scanDir(arg, max, add)
	}
	return resolveFile(arg, max, add)
}

func resolveFile(path string, max int64, add func(string, *parley.Scenario) error) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		f, err := scenario.ReadFileMax(path, max)
		if err != nil {
			return err
		}
		s, err := f.Scenario("")
		if err != nil {
			return err
		}
		return add(path, s)
	case ".xml":
		profs, err := geniusProfiles(path, max)
		if err != nil {
			return err
		}
		s, err := genius.Load(path, profs, genius.Options{MaxFileSize: max})
		if err != nil {
			return err
		}
		return add(path, s)
	case ".json":
		profs, err := siblings(path, ".json")
		if err != nil {
			return err
		}
		s, err := geniusweb.Load(path, profs, geniusweb.Options{MaxFileSize: max})
		if err != nil {
			return err
		}
		return add(path, s)
	}
	return parley.Errorf(parley.EINVALID, "tournament: scenario %s: unknown file type (want .yaml, .xml or .json)", path)
}

// geniusProfiles lists the profiles of a Genius domain file: X-*.xml beside
// X-domain.xml; for a domain not so named, the other XML files of its folder
// that read as profiles of it.
func geniusProfiles(domain string, max int64) ([]string, error) {
	dir := filepath.Dir(domain)
	if x, ok := domainName(filepath.Base(domain)); ok {
		files, err := siblings(domain, ".xml")
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range files {
			if _, isDomain := domainName(filepath.Base(f)); strings.HasPrefix(filepath.Base(f), x+"-") && !isDomain {
				out = append(out, f)
			}
		}
		return out, nil
	}
	data, err := limit.ReadFile(domain, max)
	if err != nil {
		return nil, err
	}
	d, err := genius.ReadDomain(domain, data)
	if err != nil {
		return nil, err
	}
	files, err := siblings(domain, ".xml")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		data, err := limit.ReadFile(filepath.Join(dir, filepath.Base(f)), max)
		if err != nil {
			continue
		}
		if _, err := genius.ReadProfile(f, data, d); err == nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// siblings lists the other files of path's folder with extension ext,
// sorted.
func siblings(path, ext string) ([]string, error) {
	dir := filepath.Dir(path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &parley.Error{Code: parley.ENOTFOUND, Message: "tournament: reading folder " + dir, Err: err}
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ext) && e.Name() != filepath.Base(path) {
			out = append(out, p)
		}
	}
	return out, nil
}

// scanDir walks a folder: YAML scenario files, Genius domains (by the
// X-domain.xml naming; in a folder without such names, XML files that read
// as domains) and GeniusWeb domains (JSON files that read as domains).
func scanDir(root string, max int64, add func(string, *parley.Scenario) error) error {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: scanning " + root, Err: err}
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: scanning " + dir, Err: err}
		}
		var yamls, xmls, named, jsons []string
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml":
				yamls = append(yamls, p)
			case ".xml":
				xmls = append(xmls, p)
				if _, ok := domainName(e.Name()); ok {
					named = append(named, p)
				}
			case ".json":
				jsons = append(jsons, p)
			}
		}
		for _, p := range yamls {
			if err := resolveFile(p, max, add); err != nil {
				return err
			}
		}
		domains := named
		if len(named) == 0 {
			for _, p := range xmls {
				if data, err := limit.ReadFile(p, max); err == nil {
					if _, err := genius.ReadDomain(p, data); err == nil {
						domains = append(domains, p)
					}
				}
			}
		}
		for _, p := range domains {
			profs, err := geniusProfiles(p, max)
			if err != nil {
				return err
			}
			if len(profs) < 2 {
				continue // a domain without a pair of profiles is no scenario
			}
			s, err := genius.Load(p, profs, genius.Options{MaxFileSize: max})
			if err != nil {
				return err
			}
			if err := add(p, s); err != nil {
				return err
			}
		}
		if err := scanGeniusWeb(jsons, max, add); err != nil {
			return err
		}
	}
	return nil
}

// scanGeniusWeb pairs the GeniusWeb JSON files of one folder: domain files
// with the profiles that embed a domain of the same name, or, with a single
// domain, every profile of the folder.
func scanGeniusWeb(files []string, max int64, add func(string, *parley.Scenario) error) error {
	var domains []*geniusweb.Domain
	var dpaths, ppaths []string
	var profiles []*geniusweb.Profile
	for _, p := range files {
		data, err := limit.ReadFile(p, max)
		if err != nil {
			continue
		}
		if d, err := geniusweb.ReadDomain(p, data); err == nil {
			domains, dpaths = append(domains, d), append(dpaths, p)
		} else if pr, err := geniusweb.ReadProfile(p, data); err == nil {
			profiles, ppaths = append(profiles, pr), append(ppaths, p)
		}
	}
	for i, d := range domains {
		var mine []string
		for j, pr := range profiles {
			if len(domains) == 1 || (pr.Domain != nil && pr.Domain.Name == d.Name) {
				mine = append(mine, ppaths[j])
			}
		}
		if len(mine) < 2 {
			continue
		}
		s, err := geniusweb.Load(dpaths[i], mine, geniusweb.Options{MaxFileSize: max})
		if err != nil {
			return err
		}
		if err := add(dpaths[i], s); err != nil {
			return err
		}
	}
	return nil
}
