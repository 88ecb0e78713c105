package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/geniusweb"
	"github.com/parleyhq/parley/scenario"
)

// Spec is what a live session is created from (POST /api/sessions): the
// scenario — built in, or a YAML, Genius or GeniusWeb document — and how
// the negotiation runs and who sits where. Exactly one of Scenario, YAML,
// Genius and GeniusWeb is set.
type Spec struct {
	// Scenario names a built-in scenario ("istanbul-2025").
	Scenario string `json:"scenario,omitempty"`
	// YAML is a scenario file's text (docs/scenario-format.md).
	YAML string `json:"yaml,omitempty"`
	// Genius is a Genius XML domain and its profiles.
	Genius *Files `json:"genius,omitempty"`
	// GeniusWeb is a GeniusWeb JSON domain (optional when the profiles
	// embed it) and its profiles.
	GeniusWeb *Files `json:"geniusweb,omitempty"`
	// Variant names a variant of a built-in or YAML scenario.
	Variant string `json:"variant,omitempty"`
	// Protocol overrides the scenario's protocol ("sao", "mediated").
	Protocol parley.ProtocolName `json:"protocol,omitempty"`
	// Deadline is the deadline in rounds and/or on the wall clock.
	Deadline Deadline `json:"deadline,omitzero"`
	// Hour is how long an hour of the scenario's session calendar lasts on
	// the wall clock ("1h": real time; "1m": a classroom exercise); each
	// round must be over when the next starts, or the turn of a seat that
	// has not acted lapses. Zero: turns wait for their seat.
	Hour Duration `json:"hour,omitzero"`
	// Seed seeds the built-in agents (default: a random seed, recorded).
	Seed *uint64 `json:"seed,omitempty"`
	// Seats says who plays each seat, by seat key ("mediator", a party's
	// name, "Party/Faction" for a faction, or a seat's text form such as
	// "party:0"): "human" (the default), "remote" (a program on the agent
	// WebSocket), or a built-in agent spec ("boulware", "delegate",
	// "watchdog:recall=1"; see 'parley agents').
	Seats map[string]string `json:"seats,omitempty"`
}

// Files are the documents of an imported scenario, given inline.
type Files struct {
	// Name is the scenario's ID (default: "genius" or the GeniusWeb
	// domain's name).
	Name string `json:"name,omitempty"`
	// Domain is the domain document.
	Domain Doc `json:"domain,omitempty"`
	// Profiles are the parties' profiles, one per party.
	Profiles []Doc `json:"profiles"`
	// Names name the parties, one per profile (default: "party1",
	// "party2", ...; GeniusWeb: the profiles' own names).
	Names []string `json:"names,omitempty"`
}

// Doc is a document given inline: a JSON string holding its text, or (for
// JSON formats) the JSON value itself.
type Doc []byte

// UnmarshalJSON takes a string's text, or any other JSON value as is.
func (d *Doc) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Doc(s)
		return nil
	}
	if string(b) == "null" {
		*d = nil
		return nil
	}
	*d = append(Doc(nil), b...)
	return nil
}

// Deadline is a negotiation's deadline: in rounds, on the wall clock, or
// both (whichever comes first). In JSON it is a number of rounds, a
// duration ("90m"), or {"rounds": N, "duration": "90m"}.
type Deadline struct {
	// Rounds is the deadline in rounds (0: the scenario's, else the
	// protocol's default).
	Rounds int `json:"rounds,omitempty"`
	// Duration is a wall-clock deadline from the start (0: none).
	Duration Duration `json:"duration,omitzero"`
}

// UnmarshalJSON reads a number, a duration string or an object.
func (d *Deadline) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &d.Duration)
	case len(b) > 0 && b[0] == '{':
		type plain Deadline
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode((*plain)(d))
	case string(b) == "null":
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return parley.Errorf(parley.EINVALID, "deadline: want a number of rounds, a duration such as \"90m\", or {\"rounds\": N, \"duration\": \"90m\"}")
	}
	if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return parley.Errorf(parley.EINVALID, "deadline: %s is not a whole number of rounds", b)
	}
	d.Rounds = int(f)
	return nil
}

// Duration is a time.Duration written as a string ("90m", "1h30m").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a string such as "90m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return parley.Errorf(parley.EINVALID, "duration: want a string such as \"90m\" or \"1h30m\", got %s", clip(b))
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return parley.Errorf(parley.EINVALID, "duration %q: want a non-negative duration such as \"90m\" or \"1h30m\"", clip([]byte(s)))
	}
	*d = Duration(v)
	return nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// load reads the scenario the spec names or carries, with its variant.
// Errors have code EINVALID and say which field is at fault.
func (sp *Spec) load() (*parley.Scenario, error) {
	given := 0
	for _, set := range []bool{sp.Scenario != "", sp.YAML != "", sp.Genius != nil, sp.GeniusWeb != nil} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		return nil, parley.Errorf(parley.EINVALID, "no scenario: give \"scenario\" (a built-in name: %s), \"yaml\", \"genius\" or \"geniusweb\"", strings.Join(scenario.BuiltinNames(), ", "))
	case given > 1:
		return nil, parley.Errorf(parley.EINVALID, "give one of \"scenario\", \"yaml\", \"genius\" and \"geniusweb\", not %d", given)
	case sp.Variant != "" && (sp.Genius != nil || sp.GeniusWeb != nil):
		return nil, parley.Errorf(parley.EINVALID, "variant: Genius and GeniusWeb scenarios have no variants")
	case sp.Genius != nil:
		return sp.Genius.genius()
	case sp.GeniusWeb != nil:
		return sp.GeniusWeb.geniusWeb()
	}
	var (
		f   *scenario.File
		err error
	)
	if sp.Scenario != "" {
		f, err = builtin(sp.Scenario)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, parley.Errorf(parley.EINVALID, "scenario: %s", parley.ErrorMessage(err))
		}
	} else {
		f, err = scenario.Parse("yaml", []byte(sp.YAML))
	}
	if err != nil {
		return nil, err
	}
	return f.Scenario(sp.Variant)
}

func (fs *Files) names(def func(i int) string) ([]string, error) {
	if len(fs.Profiles) < 2 {
		return nil, parley.Errorf(parley.EINVALID, "profiles: at least two, got %d", len(fs.Profiles))
	}
	if fs.Names != nil && len(fs.Names) != len(fs.Profiles) {
		return nil, parley.Errorf(parley.EINVALID, "names: %d names for %d profiles", len(fs.Names), len(fs.Profiles))
	}
	out := make([]string, len(fs.Profiles))
	for i := range out {
		if fs.Names != nil {
			out[i] = fs.Names[i]
		} else {
			out[i] = def(i)
		}
	}
	return out, nil
}

func (fs *Files) genius() (*parley.Scenario, error) {
	names, err := fs.names(func(i int) string { return fmt.Sprintf("party%d", i+1) })
	if err != nil {
		return nil, err
	}
	name := fs.Name
	if name == "" {
		name = "genius"
	}
	d, err := genius.ReadDomain(name+".xml", fs.Domain)
	if err != nil {
		return nil, err
	}
	ps := make([]*genius.Profile, len(fs.Profiles))
	for i, p := range fs.Profiles {
		if ps[i], err = genius.ReadProfile(fmt.Sprintf("profiles[%d]", i), p, d); err != nil {
			return nil, err
		}
	}
	s, err := genius.Build(d, ps, names, genius.Options{})
	if err == nil {
		s.ID = name
	}
	return s, err
}

func (fs *Files) geniusWeb() (*parley.Scenario, error) {
	ps := make([]*geniusweb.Profile, len(fs.Profiles))
	var err error
	for i, p := range fs.Profiles {
		if ps[i], err = geniusweb.ReadProfile(fmt.Sprintf("profiles[%d]", i), p); err != nil {
			return nil, err
		}
	}
	names, err := fs.names(func(i int) string {
		if ps[i].Name != "" {
			return ps[i].Name
		}
		return fmt.Sprintf("party%d", i+1)
	})
	if err != nil {
		return nil, err
	}
	var d *geniusweb.Domain
	if len(fs.Domain) > 0 {
		if d, err = geniusweb.ReadDomain("domain", fs.Domain); err != nil {
			return nil, err
		}
	}
	s, err := geniusweb.Build(d, ps, unique(names))
	if err == nil && fs.Name != "" {
		s.ID = fs.Name
	}
	return s, err
}

// unique appends "-2", "-3", ... to repeated names.
func unique(names []string) []string {
	seen := map[string]int{}
	out := make([]string, len(names))
	for i, n := range names {
		seen[n]++
		out[i] = n
		if seen[n] > 1 {
			out[i] = fmt.Sprintf("%s-%d", n, seen[n])
		}
	}
	return out
}

// builtins caches the parsed built-in scenario files: parsing one costs
// more than the rest of creating a session, and a File is safe to share
// (File.Scenario works on a copy of its tree).
var builtins sync.Map // name → *scenario.File

func builtin(name string) (*scenario.File, error) {
	if f, ok := builtins.Load(name); ok {
		return f.(*scenario.File), nil
	}
	f, err := scenario.Builtin(name)
	if err != nil {
		return nil, err
	}
	builtins.Store(name, f)
	return f, nil
}
